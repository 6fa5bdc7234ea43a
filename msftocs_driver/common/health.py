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

"""Node health (OK, Warning, Critical) from the chassis manager.

Ironic asks every node for its health on every power-sync pass, right
after its power state. The CM has no chassis-wide operation that carries
blade health: ``GetChassisHealth`` with ``bladeHealth`` lists each slot's
type and Blade_EN state only, and sensor, memory and processor statuses
come from ``GetBladeHealth``, one request per blade that also reads every
sensor over the chassis' serial bus. So the health of a pass comes from
one chassis-wide request, ``GetAllBladesPowerReading``, batched like the
power state (:mod:`~msftocs_driver.common.batch`: shared-lock reads only,
one request per chassis per ``[msftocs]health_cache_ttl``, writes leave
the blade out), together with the power state the same pass has just
fetched (GetAllBladesState, no extra request), and ``GetBladeHealth`` is
read per blade only when
``[msftocs]health_sensor_interval`` is set, at most once per interval.

With ``[msftocs]health_read_ahead`` (the default) the power readings are
read one pass ahead: a pass answers from the reply the previous pass
renewed and renews it in the background once the chassis' power state is
read, so that a pass sweeps each chassis bus once on its critical path
rather than twice. A failed power reading (Warning) then shows one pass
later, and so does the health of a blade switched on outside ironic (no
health until then); Critical and no-health-when-off come from the pass's
own power state, at once.

The mapping:

* power state and power reading read (Success): OK, unless the blade's
  sensors say worse;
* the BMC answers its power state but its power reading fails (a
  completion code other than those below): Warning;
* the BMC does not answer (GetBladeState's Timeout: dead BMC, or the slot
  is empty): Critical; the CM answers the power reading of such a blade
  with Failure, which alone could not tell it from a failed reading;
* the blade is hard powered off, its BMC firmware is decompressing, or the
  slot holds a JBOD: no health (``None``), there is no running BMC or
  server to judge;
* from ``GetBladeHealth`` (when read): a sensor status of ``nc``
  (non-critical) is Warning, ``cr`` or ``nr`` (critical, non-recoverable)
  Critical; a DIMM with ``SingleBitError`` is Warning, with
  ``MultiBitError`` Critical. The processors' ``state`` reports presence,
  not health, and is not used.

The worst of these is the node's health.
"""

import threading
import time

from ironic.common import exception
from oslo_log import log

from msftocs_driver.common import batch
from msftocs_driver.common import client_cache
from msftocs_driver.common import cm
from msftocs_driver.common import console_guard
from msftocs_driver.common import state_cache
from msftocs_driver.conf import CONF
from msftocs_driver.ocs import exceptions as ocs_exc

try:
    from ironic.common import health_states
except ImportError:  # ironic before 2026.1 has no node health
    health_states = None

LOG = log.getLogger(__name__)

#: The chassis-wide health batch.
READINGS = batch.ChassisBatch(
    'power reading', lambda client: client.get_all_blades_power_reading(),
    lambda: CONF.msftocs.health_cache_ttl,
    read_ahead=lambda: CONF.msftocs.health_read_ahead)

#: Completion codes after which a blade has no health to report.
_NO_HEALTH = (ocs_exc.DevicePoweredOffError,
              ocs_exc.FirmwareDecompressingError,
              ocs_exc.CommandNotValidForBladeError)
_SENSOR_WARNING = frozenset({'nc', 'non-critical', 'warning'})
_SENSOR_CRITICAL = frozenset({'cr', 'nr', 'critical', 'non-recoverable'})
_DIMM_LEVELS = {'singlebiterror': 1, 'multibiterror': 2}
_LEVELS = ('OK', 'WARNING', 'CRITICAL')

_details_lock = threading.Lock()
#: (client cache key, blade id) -> (monotonic time of the read, level).
_details = {}


def _state(level):
    return getattr(health_states.HealthState, _LEVELS[level])


def reading_level(outcome):
    """The level (0 OK, 1 Warning, 2 Critical) of a power-reading outcome.

    :param outcome: a ``BladeOutcome`` of GetBladePowerReading.
    :returns: the level, or None when the blade has no health to report.
    """
    try:
        outcome.result()
    except _NO_HEALTH:
        return None
    except ocs_exc.BladeTimeoutError:
        return 2
    except ocs_exc.CompletionCodeError:
        return 1
    return 0


def detail_level(blade_health):
    """The level of a GetBladeHealth reply (sensors and DIMMs).

    :param blade_health: a :class:`~msftocs_driver.ocs.models.BladeHealth`.
    :returns: 0 (OK), 1 (Warning) or 2 (Critical).
    """
    level = 0
    for sensor in blade_health.sensors:
        status = (sensor.status or '').strip().lower()
        if status in _SENSOR_CRITICAL:
            level = max(level, 2)
        elif status in _SENSOR_WARNING:
            level = max(level, 1)
    for dimm in blade_health.memory:
        level = max(level, _DIMM_LEVELS.get(
            (dimm.status or '').strip().lower(), 0))
    return level


def _outcome(batch_, single, client, info, shared):
    """The blade's outcome from a batch (shared lock) or a single read."""
    outcome = batch_.outcome(client, info) if shared else None
    if outcome is not None:
        return outcome
    try:
        return _Outcome(single(info['blade_id']))
    except ocs_exc.CompletionCodeError as exc:
        return _Outcome(None, exc)


def _base_level(client, info, shared):
    """The level from the blade's power state and its power reading.

    The power state is what tells a BMC that does not answer (Timeout):
    the CM answers a power reading of such a blade with Failure, as it
    does a reading the BMC could not make. Under a shared lock both come
    from their chassis batch, the power state's being the one power sync
    has just fetched.
    """
    level = reading_level(_outcome(state_cache.POWER_STATES,
                                   client.get_blade_state, client, info,
                                   shared))
    if level is None or level == 2:
        return level
    reading = reading_level(_outcome(READINGS,
                                     client.get_blade_power_reading,
                                     client, info, shared))
    return None if reading is None else max(level, reading)


class _Outcome:
    """A single read shaped like a batch outcome."""

    def __init__(self, value, error=None):
        self.value, self.error = value, error

    def result(self):
        if self.error is not None:
            raise self.error
        return self.value


def _detail(client, info, shared):
    """The sensors' and DIMMs' level, or None when not read for health."""
    interval = CONF.msftocs.health_sensor_interval
    if interval <= 0:
        return None
    key = (client_cache.cache_key(info), info['blade_id'])
    now = time.monotonic()
    with _details_lock:
        known = _details.get(key)
    if shared and known is not None and now - known[0] < interval:
        return known[1]
    try:
        level = detail_level(client.get_blade_health(info['blade_id'],
                                                     sensors=True))
    except ocs_exc.CompletionCodeError:
        # The power reading already said what the BMC's state means.
        return None
    with _details_lock:
        _details[key] = (now, level)
    return level


def get_node_health(task):
    """Return the node's health.

    :param task: a TaskManager instance; under a shared lock (power sync)
        the chassis-wide batch answers, under an exclusive one the blade is
        read alone.
    :returns: a ``health_states.HealthState``, or None when the blade has
        no health to report (hard off, starting, JBOD) or, under a shared
        lock, while a console holds its CM v2.0 chassis' only serial
        session (see :mod:`~msftocs_driver.common.console_guard`).
    :raises: UnsupportedDriverExtension on an ironic without node health.
    :raises: the translated chassis-manager error of the read.
    """
    if health_states is None:
        raise exception.UnsupportedDriverExtension(
            driver=task.node.driver, extension='get_node_health')
    shared = task.shared
    with cm.client_for(task.node, 'read the node health') as (client, info):
        if shared and console_guard.console_holds_chassis(client, info):
            # A CM v2.0 console would be killed by the health reads.
            return None
        level = _base_level(client, info, shared)
        if level is not None and level < 2:
            detail = _detail(client, info, shared)
            if detail is not None:
                level = max(level, detail)
    if level is None:
        return None
    LOG.debug('Health of node %(node)s: %(level)s',
              {'node': task.node.uuid, 'level': _LEVELS[level]})
    return _state(level)


def clear():
    """Forget the sensor reads (for tests and benchmarks)."""
    with _details_lock:
        _details.clear()
