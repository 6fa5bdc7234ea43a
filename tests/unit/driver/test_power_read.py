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

"""Tests of power-state reads of the msftocs power interface."""

from ironic.common import exception
from ironic.common import states

from msftocs_driver.common import driver_info
from msftocs_driver import exception as msftocs_exc
from msftocs_driver.ocs import constants
from msftocs_driver.ocs import exceptions as ocs_exc
from msftocs_driver.ocs import models
from tests import base
from tests.unit.driver import fakes

ON = constants.PowerState.ON
OFF = constants.PowerState.OFF
CODE = constants.CompletionCode


class GetPowerStateTestCase(fakes.MockedClientTestCase):

    def _get(self):
        with self.acquire(shared=True) as task:
            return task.driver.power.get_power_state(task)

    def test_interfaces_and_properties(self):
        with self.acquire(shared=True) as task:
            self.assertEqual('msftocs', task.node.power_interface)
            self.assertEqual('msftocs', task.node.management_interface)
            props = task.driver.power.get_properties()
            self.assertEqual(driver_info.COMMON_PROPERTIES, props)
            self.assertEqual(
                [states.POWER_ON, states.POWER_OFF, states.REBOOT],
                task.driver.power.get_supported_power_states(task))

    def test_validate(self):
        with self.acquire(shared=True) as task:
            task.driver.power.validate(task)
            task.node.driver_info = {}
            self.assertRaises(exception.MissingParameterValue,
                              task.driver.power.validate, task)
        self.build.assert_not_called()

    def test_shared_lock_reads_the_chassis_batch(self):
        self.config(power_state_cache_ttl=10, group='msftocs')
        self.client.get_all_blades_state.return_value = {
            3: models.BladeOutcome(3, ON)}
        for _ in range(2):
            self.assertEqual(states.POWER_ON, self._get())
        self.client.get_all_blades_state.assert_called_once_with()
        self.client.get_blade_state.assert_not_called()

    def test_exclusive_lock_reads_the_blade_fresh(self):
        # e.g. node_power_action's "already in that state?" check.
        self.config(power_state_cache_ttl=10, group='msftocs')
        self.client.get_all_blades_state.return_value = {
            3: models.BladeOutcome(3, ON)}
        self.assertEqual(states.POWER_ON, self._get())
        self.client.get_blade_state.return_value = OFF
        with self.acquire(shared=False) as task:
            self.assertEqual(states.POWER_OFF,
                             task.driver.power.get_power_state(task))
        self.client.get_blade_state.assert_called_once_with(3)
        self.client.get_all_blades_state.assert_called_once_with()

    def test_on_and_off(self):
        self.client.get_blade_state.side_effect = [ON, OFF]
        self.assertEqual(states.POWER_ON, self._get())
        self.assertEqual(states.POWER_OFF, self._get())
        self.client.get_blade_state.assert_called_with(3)

    def test_string_blade_id(self):
        self.node.driver_info = dict(base.DRIVER_INFO, msftocs_blade_id='17')
        self.node.save()
        self.client.get_blade_state.return_value = ON
        self.assertEqual(states.POWER_ON, self._get())
        self.client.get_blade_state.assert_called_once_with(17)

    def test_hard_off_is_power_off(self):
        self.client.get_blade_state.side_effect = fakes.powered_off()
        self.assertEqual(states.POWER_OFF, self._get())

    def test_decompressing_is_power_off(self):
        self.client.get_blade_state.side_effect = fakes.decompressing()
        self.assertEqual(states.POWER_OFF, self._get())
        self.client.get_blade_state.side_effect = None
        self.client.get_blade_state.return_value = (
            constants.PowerState.OnFwDecompress)
        self.assertEqual(states.POWER_OFF, self._get())

    def test_na_is_an_error(self):
        self.client.get_blade_state.return_value = constants.PowerState.NA
        exc = self.assertRaises(msftocs_exc.MsftOcsError, self._get)
        self.assertIn('NA', str(exc))
        self.assertIn(self.node.uuid, str(exc))

    def test_empty_slot(self):
        self.client.get_blade_state.side_effect = ocs_exc.BladeTimeoutError(
            CODE.Timeout, 'Timeout', blade_id=3)
        exc = self.assertRaises(msftocs_exc.MsftOcsError, self._get)
        self.assertIn('Timeout', str(exc))

    def test_jbod(self):
        self.client.get_blade_state.side_effect = (
            ocs_exc.CommandNotValidForBladeError(
                CODE.CommandNotValidForBlade, blade_id=3))
        exc = self.assertRaises(msftocs_exc.MsftOcsError, self._get)
        self.assertIn('CommandNotValidForBlade', str(exc))

    def test_blade_beyond_population(self):
        self.client.get_blade_state.side_effect = (
            ocs_exc.ParameterOutOfRangeError(CODE.ParameterOutOfRange,
                                             'ParameterOutOfRange',
                                             blade_id=3))
        exc = self.assertRaises(exception.InvalidParameterValue, self._get)
        self.assertIn('msftocs_blade_id', str(exc))

    def test_hung_chassis_manager(self):
        self.client.get_blade_state.side_effect = ocs_exc.ReadTimeoutError(
            'read timed out after 60 s', operation='GetBladeState',
            blade_id=3)
        exc = self.assertRaises(msftocs_exc.MsftOcsConnectionError,
                                self._get)
        self.assertIn('read_timeout', str(exc))
        self.assertIn(self.node.uuid, str(exc))

    def test_wrong_password(self):
        self.client.get_blade_state.side_effect = (
            ocs_exc.AuthenticationError('HTTP 401',
                                        operation='GetBladeState'))
        exc = self.assertRaises(msftocs_exc.MsftOcsAuthenticationError,
                                self._get)
        self.assertNotIn('s3cret', str(exc))
        # The client was dropped: the next call builds a new one.
        self.client.get_blade_state.side_effect = None
        self.client.get_blade_state.return_value = ON
        self._get()
        self.assertEqual(2, self.build.call_count)

    def test_batch_cache_used_for_reads(self):
        self.config(power_state_cache_ttl=10, group='msftocs')
        self.client.get_all_blades_state.return_value = {
            3: models.BladeOutcome(3, None, fakes.powered_off())}
        self.assertEqual(states.POWER_OFF, self._get())
        self.assertEqual(states.POWER_OFF, self._get())
        self.client.get_all_blades_state.assert_called_once_with()
        self.client.get_blade_state.assert_not_called()
