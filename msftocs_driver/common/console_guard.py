# Licensed under the Apache License, Version 2.0 (the "License"); you may
# not use this file except in compliance with the License. You may obtain
# a copy of the License at
#
#      http://www.apache.org/licenses/LICENSE-2.0
#
# Unless required by applicable law or agreed to in writing, software
# distributed under the License is distributed on an "AS IS" BASIS, WITHOUT
# WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied. See the
# License for the specific language governing permissions and limitations
# under the License.

"""Power-state reads that keep a CM v2.0 console open.

A v2.0 chassis manager has one serial session per chassis, and almost every
blade API of the chassis (``GetBladeState`` and ``GetAllBladesState``
among them) force-stops it first (``ApiGreenSignalling``; with
``KillSerialConsoleSession=0`` they answer ``SerialSessionActive``
instead). Power sync would then end every console within a minute. While a
bridge of this conductor holds the session of a v2.0 chassis, reads of any
blade of that chassis under a shared lock (power sync, API reads) are
answered from ``GetPowerState``, which reads the Blade_EN switch and does
not touch the session: switch off is power off; switch on is the node's
last recorded power state. Power actions (exclusive lock) still read the
blade and kill the session, as the CM does; the bridge reopens it.
"""

import hashlib
import threading

from ironic.common import states
from oslo_log import log

from msftocs_driver.common import console_files
from msftocs_driver.ocs import constants

LOG = log.getLogger(__name__)

_lock = threading.Lock()
#: Base URL -> digest of the session token last announced at INFO.
_announced = {}


def _announce_once(info, holders):
    """Log at INFO once per session that power sync waits for it."""
    node_uuid, blade_id = holders[0]
    token = console_files.read_token(node_uuid) or ''
    # The token is a secret: only a digest of it is kept, never logged.
    digest = hashlib.blake2b(token.encode(), digest_size=8).digest()
    with _lock:
        if _announced.get(info['base_url']) == digest:
            return
        _announced[info['base_url']] = digest
    LOG.info('The serial console of node %(console)s (blade %(blade)d) '
             'holds the only session of its CM v2.0 chassis; power sync of '
             'the blades of that chassis (node %(node)s among them) reads '
             'only their power switches, and no node health, until the '
             'console closes',
             {'console': node_uuid, 'blade': blade_id,
              'node': info['node_uuid']})


def console_holds_chassis(client, info):
    """Whether a bridge of this conductor holds the v2.0 chassis' session.

    Sends nothing unless a bridge of this conductor holds a session on the
    node's chassis; then learns the CM version (once per client:
    ``GetServiceVersion`` does not touch the session). The first call of
    each session logs it at INFO.

    :param client: the node's ``ChassisManagerClient``.
    :param info: the node's parsed driver_info.
    :returns: True when the chassis is v2.0 and such a session is open:
        shared-lock reads must then leave the blade APIs alone.
    """
    holders = console_files.sessions_on_chassis(info['base_url'])
    if not holders or not client.cm_version().is_v20:
        return False
    _announce_once(info, holders)
    return True


def power_state_while_console(client, info, recorded_state):
    """The power state to report without disturbing a v2.0 console.

    Call it for reads under a shared lock only, with the node's client.
    Unless a bridge of this conductor holds a session on the node's
    chassis, it sends nothing; otherwise it learns the CM version (once
    per client: ``GetServiceVersion`` does not touch the session) and, on
    v2.0, reads the blade's power switch.

    :param client: the node's ``ChassisManagerClient``.
    :param info: the node's parsed driver_info.
    :param recorded_state: the node's last recorded power state.
    :returns: ``states.POWER_OFF`` if the blade's switch is off, else
        ``recorded_state``; None when the blade is to be read as usual
        (not v2.0, no session of this conductor on the chassis, or no
        power state recorded yet).
    :raises: OCSError from ``GetPowerState``.
    """
    if not console_holds_chassis(client, info):
        return None
    switch = client.get_power_state(info['blade_id'])
    if switch.state == constants.PowerState.OFF:
        return states.POWER_OFF
    if recorded_state in (states.POWER_ON, states.POWER_OFF):
        return recorded_state
    return None


def forget():
    """Forget the announced sessions (for tests)."""
    with _lock:
        _announced.clear()
