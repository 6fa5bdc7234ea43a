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

"""Tests of node health and MAC addresses of the management interface."""

import unittest
from unittest import mock

from ironic.common import exception

from msftocs_driver.common import cm
from msftocs_driver.common import health
from msftocs_driver.common import prefetch
from msftocs_driver.common import state_cache
from msftocs_driver import exception as msftocs_exc
from msftocs_driver.ocs import constants
from msftocs_driver.ocs import exceptions as ocs_exc
from msftocs_driver.ocs import models
from tests.unit.driver import fakes

try:
    from ironic.common import health_states
except ImportError:  # ironic before 2026.1
    health_states = None

CODE = constants.CompletionCode
HS = health_states.HealthState if health_states else None


def _error(cls, code, blade=3):
    return cls(code, code.name, operation='GetBladePowerReading',
               blade_id=blade)


def _outcomes(errors=None):
    """GetAllBladesPowerReading outcomes of 24 blades; ``errors`` by id."""
    errors = errors or {}
    return {b: models.BladeOutcome(
        b, None if b in errors else models.PowerReading(b, 187.5),
        errors.get(b)) for b in range(1, 25)}


def _health(sensors=(), dimms=()):
    return models.BladeHealth(
        3, None, None, None, None, None, None, (),
        tuple(models.MemoryInfo(i, 'DDR4', status, 2133, 16384, '1.2V')
              for i, status in enumerate(dimms, 1)), (),
        tuple(models.SensorInfo(i, 'Temperature', status, None, None, '40',
                                'S%d' % i)
              for i, status in enumerate(sensors, 1)))


@unittest.skipIf(health_states is None,
                 'this ironic release has no node health')
class NodeHealthTestCase(fakes.MockedClientTestCase):

    def setUp(self):
        super().setUp()
        self.config(health_cache_ttl=20, group='msftocs')
        self.client.get_all_blades_power_reading.return_value = _outcomes()
        self.addCleanup(health.clear)

    def _all_on(self):
        """Every blade ON in the power-state batch; its outcomes, to edit."""
        self.config(power_state_cache_ttl=20, group='msftocs')
        states = {b: models.BladeOutcome(b, constants.PowerState.ON)
                  for b in range(1, 25)}
        self.client.get_all_blades_state.return_value = states
        return states

    def _health(self, shared=True):
        with self.acquire(shared=shared) as task:
            return task.driver.management.get_node_health(task)

    def test_ok_from_the_chassis_batch(self):
        self.assertIs(HS.OK, self._health())
        self.assertIs(HS.OK, self._health())
        self.client.get_all_blades_power_reading.assert_called_once_with()
        self.client.get_blade_power_reading.assert_not_called()
        self.client.get_blade_health.assert_not_called()

    def test_mapping_of_the_power_reading(self):
        # Each case reads afresh (read ahead would answer from the last).
        self.config(health_read_ahead=False, group='msftocs')
        cases = (
            (ocs_exc.CompletionCodeError, CODE.Failure, HS.WARNING),
            (ocs_exc.CompletionCodeError, CODE.Unknown, HS.WARNING),
            (ocs_exc.BladeTimeoutError, CODE.Timeout, HS.CRITICAL),
            (ocs_exc.DevicePoweredOffError, CODE.DevicePoweredOff, None),
            (ocs_exc.FirmwareDecompressingError, CODE.FirmwareDecompressing,
             None),
            (ocs_exc.CommandNotValidForBladeError,
             CODE.CommandNotValidForBlade, None),
        )
        for cls, code, expected in cases:
            health.READINGS.expire()
            self.client.get_all_blades_power_reading.return_value = (
                _outcomes({3: _error(cls, code)}))
            self.assertIs(expected, self._health(), code)

    def test_power_state_tells_a_bmc_that_does_not_answer(self):
        # The CM answers the power reading of a dead BMC with Failure; the
        # power state of the same pass says Timeout.
        self.client.get_all_blades_power_reading.return_value = _outcomes(
            {3: _error(ocs_exc.CompletionCodeError, CODE.Failure)})
        states = self._all_on()
        states[3] = models.BladeOutcome(3, None, _error(
            ocs_exc.BladeTimeoutError, CODE.Timeout))
        self.assertIs(HS.CRITICAL, self._health())
        states[3] = models.BladeOutcome(3, None, _error(
            ocs_exc.DevicePoweredOffError, CODE.DevicePoweredOff))
        health.READINGS.expire()
        state_cache.POWER_STATES.expire()
        self.assertIsNone(self._health())
        states[3] = models.BladeOutcome(3, constants.PowerState.OFF)
        health.READINGS.expire()
        state_cache.POWER_STATES.expire()
        self.assertIs(HS.WARNING, self._health())
        self.assertEqual(3, self.client.get_all_blades_state.call_count)
        self.client.get_blade_state.assert_not_called()

    def test_a_reading_kept_over_several_passes(self):
        # health_cache_ttl longer than the power state's: the power state
        # of every pass still tells a dead BMC at once; a failed power
        # reading shows only once the reading is renewed.
        self.config(health_cache_ttl=300, health_read_ahead=False,
                    group='msftocs')
        states = self._all_on()
        self.assertIs(HS.OK, self._health())
        self.client.get_all_blades_power_reading.return_value = _outcomes(
            {3: _error(ocs_exc.CompletionCodeError, CODE.Failure)})
        state_cache.POWER_STATES.expire()  # the next pass
        self.assertIs(HS.OK, self._health())
        states[3] = models.BladeOutcome(3, None, _error(
            ocs_exc.BladeTimeoutError, CODE.Timeout))
        state_cache.POWER_STATES.expire()
        self.assertIs(HS.CRITICAL, self._health())
        self.client.get_all_blades_power_reading.assert_called_once_with()
        states[3] = models.BladeOutcome(3, constants.PowerState.ON)
        state_cache.POWER_STATES.expire()
        health.READINGS.expire()  # health_cache_ttl ran out
        self.assertIs(HS.WARNING, self._health())
        self.assertEqual(2,
                         self.client.get_all_blades_power_reading.call_count)
        self.assertEqual(4, self.client.get_all_blades_state.call_count)

    def test_blade_switched_on_outside_ironic_over_a_kept_reading(self):
        self.config(health_cache_ttl=300, health_read_ahead=False,
                    group='msftocs')
        off = _error(ocs_exc.DevicePoweredOffError, CODE.DevicePoweredOff)
        states = self._all_on()
        states[3] = models.BladeOutcome(3, None, off)
        self.client.get_all_blades_power_reading.return_value = _outcomes(
            {3: off})
        self.assertIsNone(self._health())
        # Another node of the chassis reads its health in the same pass.
        with self.acquire(shared=True) as task:
            with cm.client_for(task.node, 'read health') as (client, info):
                health.READINGS.outcome(client, dict(info, blade_id=4))
        # Switched on by someone else: the reading of the blade off is kept.
        states[3] = models.BladeOutcome(3, constants.PowerState.ON)
        self.client.get_all_blades_power_reading.return_value = _outcomes()
        state_cache.POWER_STATES.expire()
        self.assertIsNone(self._health())
        health.READINGS.expire()
        self.assertIs(HS.OK, self._health())

    def test_read_ahead_records_the_reading_of_the_previous_pass(self):
        # The default: a pass answers from the reading the previous pass
        # renewed and renews it for the next; the power state of the
        # pass itself still tells a dead BMC at once.
        states = self._all_on()
        self.assertIs(HS.OK, self._health())
        self.client.get_all_blades_power_reading.return_value = _outcomes(
            {3: _error(ocs_exc.CompletionCodeError, CODE.Failure)})
        state_cache.POWER_STATES.expire()
        health.READINGS.expire()  # the next pass
        self.assertIs(HS.OK, self._health())
        self.assertTrue(prefetch.POOL.wait_idle(10))
        self.assertEqual(2,
                         self.client.get_all_blades_power_reading.call_count)
        state_cache.POWER_STATES.expire()
        health.READINGS.expire()
        self.assertIs(HS.WARNING, self._health())
        states[3] = models.BladeOutcome(3, None, _error(
            ocs_exc.BladeTimeoutError, CODE.Timeout))
        state_cache.POWER_STATES.expire()
        health.READINGS.expire()
        self.assertIs(HS.CRITICAL, self._health())
        states[3] = models.BladeOutcome(3, None, _error(
            ocs_exc.DevicePoweredOffError, CODE.DevicePoweredOff))
        state_cache.POWER_STATES.expire()
        self.assertIsNone(self._health())
        self.assertTrue(prefetch.POOL.wait_idle(10))
        self.client.get_blade_power_reading.assert_not_called()

    def test_exclusive_lock_reads_the_blade_alone(self):
        self.client.get_blade_power_reading.return_value = (
            models.PowerReading(3, 12.0))
        self.assertIs(HS.OK, self._health(shared=False))
        self.client.get_all_blades_power_reading.assert_not_called()
        self.client.get_blade_power_reading.side_effect = _error(
            ocs_exc.BladeTimeoutError, CODE.Timeout)
        self.assertIs(HS.CRITICAL, self._health(shared=False))

    def test_a_write_drops_the_blade_from_the_batch(self):
        self.assertIs(HS.OK, self._health())
        with self.acquire() as task:
            task.driver.management.set_indicator_state(task, 'system', 'led',
                                                       'on')
        self.client.get_blade_power_reading.side_effect = _error(
            ocs_exc.CompletionCodeError, CODE.Failure)
        self.assertIs(HS.WARNING, self._health())
        self.client.get_all_blades_power_reading.assert_called_once_with()

    def test_sensors_and_dimms_when_configured(self):
        self.config(health_sensor_interval=300, group='msftocs')
        cases = ((('ok', 'ns'), ('Ok', 'NotPresent'), HS.OK),
                 (('ok', 'nc'), ('Ok',), HS.WARNING),
                 (('ok',), ('SingleBitError',), HS.WARNING),
                 (('cr',), ('Ok',), HS.CRITICAL),
                 (('ok', 'NR'), (), HS.CRITICAL),
                 (('ok',), ('MultiBitError',), HS.CRITICAL))
        for sensors, dimms, expected in cases:
            health.clear()
            self.client.get_blade_health.return_value = _health(sensors,
                                                                dimms)
            self.assertIs(expected, self._health(), (sensors, dimms))
        self.client.get_blade_health.assert_called_with(3, sensors=True)

    def test_sensors_read_at_most_once_per_interval(self):
        self.config(health_sensor_interval=300, group='msftocs')
        self.client.get_blade_health.return_value = _health(('nc',))
        for _ in range(3):
            self.assertIs(HS.WARNING, self._health())
        self.assertEqual(1, self.client.get_blade_health.call_count)
        # An exclusive lock reads it again.
        self.assertIs(HS.WARNING, self._health(shared=False))
        self.assertEqual(2, self.client.get_blade_health.call_count)

    def test_worst_of_reading_and_sensors(self):
        self.config(health_sensor_interval=300, group='msftocs')
        self.client.get_all_blades_power_reading.return_value = _outcomes(
            {3: _error(ocs_exc.BladeTimeoutError, CODE.Timeout)})
        self.client.get_blade_health.side_effect = _error(
            ocs_exc.BladeTimeoutError, CODE.Timeout)
        self.assertIs(HS.CRITICAL, self._health())

    def test_sensors_not_read_by_default(self):
        self.assertIs(HS.OK, self._health())
        self.client.get_blade_health.assert_not_called()

    def test_chassis_error_is_translated(self):
        self.client.get_all_blades_power_reading.side_effect = (
            ocs_exc.ConnectionError('connection refused', may_have_run=False))
        exc = self.assertRaises(msftocs_exc.MsftOcsConnectionError,
                                self._health)
        self.assertIn(self.node.uuid, str(exc))


class WithoutNodeHealthTestCase(fakes.MockedClientTestCase):

    def test_harmless_where_ironic_has_no_node_health(self):
        # Releases before 2026.1 never call it; called anyway, it is an
        # unsupported extension and costs no request.
        with mock.patch.object(health, 'health_states', None):
            with self.acquire(shared=True) as task:
                self.assertRaises(
                    exception.UnsupportedDriverExtension,
                    task.driver.management.get_node_health, task)
        self.build.assert_not_called()


class MacAddressesTestCase(fakes.MockedClientTestCase):

    def test_present_nics_lowercased(self):
        self.client.get_blade_info.return_value = models.BladeInfo(
            3, constants.BladeType.Server, 'SN', '', '', '', (
                models.NicInfo(1, '00:15:5D:0A:1B:2C'),
                models.NicInfo(2, None),
                models.NicInfo(3, '00:15:5D:0A:1B:2E')))
        with self.acquire(shared=True) as task:
            self.assertEqual(
                ['00:15:5d:0a:1b:2c', '00:15:5d:0a:1b:2e'],
                task.driver.management.get_mac_addresses(task))
        self.client.get_blade_info.assert_called_once_with(3)

    def test_error_is_translated(self):
        self.client.get_blade_info.side_effect = fakes.powered_off()
        with self.acquire(shared=True) as task:
            self.assertRaises(msftocs_exc.MsftOcsError,
                              task.driver.management.get_mac_addresses, task)
