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

"""How a blade's power state is read, and what it means to Ironic.

GetBladeState answers for the host, through the BMC; a blade whose
Blade_EN switch is off (``DevicePoweredOff``) or whose firmware is still
decompressing has no running host and reads as powered off. Reads under a
shared lock may come from the chassis batch of
:mod:`~msftocs_driver.common.state_cache`; every other read is fresh.
"""

from ironic.common import states
from oslo_log import log

from msftocs_driver.common import state_cache
from msftocs_driver import exception as msftocs_exc
from msftocs_driver.i18n import _
from msftocs_driver.ocs import constants
from msftocs_driver.ocs import exceptions as ocs_exc

LOG = log.getLogger(__name__)

_BLADE_STATE_MAP = {
    constants.PowerState.ON: states.POWER_ON,
    constants.PowerState.OFF: states.POWER_OFF,
    # Only reported when the CM's cached and fresh switch reads disagree
    # right after a switch-on: the host is not running yet.
    constants.PowerState.OnFwDecompress: states.POWER_OFF,
}

#: Errors after which waiting longer cannot help: the configuration is wrong.
FATAL_READ_ERRORS = (ocs_exc.AuthenticationError,
                     ocs_exc.ParameterOutOfRangeError,
                     ocs_exc.CommandNotValidForBladeError)


def read_shared_blade_state(client, info):
    """Read a blade's state for a task holding a shared lock.

    The one place where shared-lock reads get their state: from the
    chassis batch of :mod:`~msftocs_driver.common.state_cache`.

    :param client: the node's ``ChassisManagerClient``.
    :param info: the node's parsed driver_info.
    :returns: a :class:`~msftocs_driver.ocs.constants.PowerState`.
    :raises: OCSError as GetBladeState raises it.
    """
    return state_cache.get_blade_state(client, info)


def read_power_state(client, info, shared_lock=False):
    """Map a blade's GetBladeState answer to an ironic power state.

    :param client: the node's ``ChassisManagerClient``.
    :param info: the node's parsed driver_info.
    :param shared_lock: whether the caller's task holds a shared lock (power
        sync, API reads): only such a read may be served from the chassis
        batch of :mod:`~msftocs_driver.common.state_cache`. Under an
        exclusive lock (power actions and their waits) the blade is always
        read fresh.
    :returns: ``states.POWER_ON`` or ``states.POWER_OFF``.
    :raises: MsftOcsError if the chassis manager reports no usable state.
    :raises: OCSError for any other chassis-manager error.
    """
    try:
        if shared_lock:
            blade_state = read_shared_blade_state(client, info)
        else:
            blade_state = client.get_blade_state(info['blade_id'])
    except ocs_exc.DevicePoweredOffError:
        return states.POWER_OFF
    except ocs_exc.FirmwareDecompressingError:
        # The switch was just turned on; the host is not on (yet).
        return states.POWER_OFF
    try:
        return _BLADE_STATE_MAP[blade_state]
    except KeyError:
        LOG.error('The chassis manager reports blade state %(state)s for '
                  'blade %(blade)d of node %(node)s',
                  {'state': blade_state, 'blade': info['blade_id'],
                   'node': info['node_uuid']})
        raise msftocs_exc.MsftOcsError(
            node=info['node_uuid'],
            error=_('the chassis manager reports blade state %(state)s '
                    'for blade %(blade)d') % {
                        'state': getattr(blade_state, 'name', blade_state),
                        'blade': info['blade_id']})
