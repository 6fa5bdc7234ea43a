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

"""Tests of the msftocs power interface."""

import itertools
import time
from unittest import mock

from ironic.common import boot_devices
from ironic.common import exception
from ironic.common import states
from ironic.conductor import task_manager
from oslo_service import loopingcall

from msftocs_driver.common import client_cache
from msftocs_driver.common import driver_info
from msftocs_driver import exception as msftocs_exc
from msftocs_driver import management
from msftocs_driver.ocs import client as ocs_client
from msftocs_driver.ocs import constants
from msftocs_driver.ocs import exceptions as ocs_exc
from msftocs_driver.ocs import models
from tests import base

ON = constants.PowerState.ON
OFF = constants.PowerState.OFF
CODE = constants.CompletionCode


def powered_off(blade=3):
    return ocs_exc.DevicePoweredOffError(CODE.DevicePoweredOff,
                                         operation='GetBladeState',
                                         blade_id=blade)


def decompressing(seconds=20, blade=3):
    return ocs_exc.FirmwareDecompressingError(
        CODE.FirmwareDecompressing,
        'Decompression Time Remaining %d' % seconds, blade_id=blade)


def switch(state, seconds=0, blade=3):
    return models.PowerStateInfo(blade, state, seconds, '')


class PowerTestBase(base.MsftOcsTestCase):

    def setUp(self):
        super().setUp()
        self.config(power_state_cache_ttl=0, group='msftocs')
        self.client = mock.create_autospec(ocs_client.ChassisManagerClient,
                                           instance=True)
        build = mock.patch.object(client_cache, '_build_client',
                                  autospec=True, return_value=self.client)
        self.build = build.start()
        self.addCleanup(build.stop)
        for target, name in ((time, 'sleep'),
                             (loopingcall.BackOffLoopingCall, '_sleep')):
            patcher = mock.patch.object(target, name, autospec=True)
            patcher.start()
            self.addCleanup(patcher.stop)
        self.node = self.create_node()

    def acquire(self, shared=False):
        return task_manager.acquire(self.context, self.node.uuid,
                                    shared=shared)


class GetPowerStateTestCase(PowerTestBase):

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
        self.client.get_blade_state.side_effect = powered_off()
        self.assertEqual(states.POWER_OFF, self._get())

    def test_decompressing_is_power_off(self):
        self.client.get_blade_state.side_effect = decompressing()
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
            3: models.BladeOutcome(3, None, powered_off())}
        self.assertEqual(states.POWER_OFF, self._get())
        self.assertEqual(states.POWER_OFF, self._get())
        self.client.get_all_blades_state.assert_called_once_with()
        self.client.get_blade_state.assert_not_called()


class SetPowerStateTestCase(PowerTestBase):

    def _set(self, state, timeout=None):
        with self.acquire() as task:
            task.driver.power.set_power_state(task, state, timeout=timeout)

    def test_power_on(self):
        self.client.get_blade_state.side_effect = [OFF, ON]
        self._set(states.POWER_ON)
        self.client.set_blade_on.assert_called_once_with(3)
        self.client.set_power_on.assert_not_called()
        self.assertEqual(2, self.client.get_blade_state.call_count)

    def test_power_on_from_hard_off(self):
        self.config(power_poll_interval=0.5, group='msftocs')
        self.client.set_blade_on.side_effect = [powered_off(), None]
        self.client.get_power_state.side_effect = [
            switch(constants.PowerState.OnFwDecompress, 28),
            switch(ON, 12), switch(ON, 0)]
        self.client.get_blade_state.return_value = ON
        self._set(states.POWER_ON)
        self.client.set_power_on.assert_called_once_with(3)
        self.assertEqual(2, self.client.set_blade_on.call_count)
        self.assertEqual(3, self.client.get_power_state.call_count)
        time.sleep.assert_has_calls([mock.call(0.5), mock.call(0.5)])

    def test_power_on_while_decompressing(self):
        self.client.set_blade_on.side_effect = [decompressing(3), None]
        self.client.get_power_state.return_value = switch(ON, 0)
        self.client.get_blade_state.return_value = ON
        self._set(states.POWER_ON)
        self.client.set_power_on.assert_not_called()
        self.assertEqual(2, self.client.set_blade_on.call_count)

    def test_power_on_firmware_never_ready(self):
        self.client.set_blade_on.side_effect = powered_off()
        self.client.get_power_state.return_value = switch(
            constants.PowerState.OnFwDecompress, 28)
        with mock.patch.object(time, 'monotonic', autospec=True,
                               side_effect=itertools.count(0, 7)):
            exc = self.assertRaises(exception.PowerStateFailure, self._set,
                                    states.POWER_ON, timeout=30)
        self.assertIn('decompression', str(exc))
        self.assertIn(self.node.uuid, str(exc))

    def test_power_on_applies_pending_boot_device(self):
        self.node.set_driver_internal_info(
            management.PENDING_BOOT_DEVICE,
            {'boot_device': boot_devices.PXE, 'persistent': True})
        self.node.save()
        self.client.set_next_boot.side_effect = [powered_off(),
                                                 constants.BladeBootType.
                                                 ForcePxe]
        self.client.get_power_state.return_value = switch(ON, 0)
        self.client.get_blade_state.return_value = ON
        self._set(states.POWER_ON)
        self.client.set_power_on.assert_called_once_with(3)
        self.client.set_next_boot.assert_called_with(
            3, constants.BladeBootType.ForcePxe, uefi=True, persistent=True)
        self.client.set_blade_on.assert_called_once_with(3)
        self.node.refresh()
        self.assertNotIn(management.PENDING_BOOT_DEVICE,
                         self.node.driver_internal_info)

    def test_power_on_timeout(self):
        self.client.get_blade_state.return_value = OFF
        self.assertRaises(exception.PowerStateFailure, self._set,
                          states.POWER_ON, timeout=5)
        self.client.set_blade_on.assert_called_once_with(3)

    def test_power_on_failure(self):
        self.client.set_blade_on.side_effect = ocs_exc.CompletionCodeError(
            CODE.Failure, 'Failure', operation='SetBladeOn', blade_id=3)
        exc = self.assertRaises(exception.PowerStateFailure, self._set,
                                states.POWER_ON)
        self.assertIn('Failure', str(exc))
        self.assertIn(self.node.uuid, str(exc))

    def test_power_on_hung(self):
        self.client.set_blade_on.side_effect = ocs_exc.ReadTimeoutError(
            'read timed out', operation='SetBladeOn', blade_id=3)
        self.assertRaises(msftocs_exc.MsftOcsConnectionError, self._set,
                          states.POWER_ON)

    def test_power_off(self):
        self.client.get_blade_state.side_effect = [ON, OFF]
        self._set(states.POWER_OFF)
        self.client.set_blade_off.assert_called_once_with(3)
        self.client.set_power_off.assert_not_called()

    def test_power_off_hard_off_blade(self):
        self.client.set_blade_off.side_effect = powered_off()
        self.client.get_blade_state.side_effect = powered_off()
        self._set(states.POWER_OFF)
        self.client.set_power_on.assert_not_called()

    def test_power_off_while_decompressing(self):
        self.client.set_blade_off.side_effect = [decompressing(), None]
        self.client.get_power_state.return_value = switch(ON, 0)
        self.client.get_blade_state.return_value = OFF
        self._set(states.POWER_OFF)
        self.assertEqual(2, self.client.set_blade_off.call_count)

    def test_power_off_refused_with_disable_power_off(self):
        self.node.disable_power_off = True
        self.node.save()
        self.assertRaises(exception.PowerStateFailure, self._set,
                          states.POWER_OFF)
        self.client.set_blade_off.assert_not_called()

    def test_soft_states_refused(self):
        for state in (states.SOFT_POWER_OFF, states.SOFT_REBOOT):
            exc = self.assertRaises(exception.InvalidParameterValue,
                                    self._set, state)
            self.assertIn('graceful', str(exc))
        self.build.assert_not_called()

    def test_reboot_state_delegates(self):
        self.client.get_blade_state.return_value = ON
        self._set(states.REBOOT)
        self.client.set_blade_active_power_cycle.assert_called_once_with(
            3, off_time=0)

    def test_needs_exclusive_lock(self):
        with self.acquire(shared=True) as task:
            self.assertRaises(exception.ExclusiveLockRequired,
                              task.driver.power.set_power_state, task,
                              states.POWER_ON)
            self.assertRaises(exception.ExclusiveLockRequired,
                              task.driver.power.reboot, task)

    def test_wait_reads_fresh_state(self):
        self.config(power_state_cache_ttl=10, group='msftocs')
        self.client.get_all_blades_state.return_value = {
            3: models.BladeOutcome(3, OFF)}
        with self.acquire() as task:
            self.assertEqual(states.POWER_OFF,
                             task.driver.power.get_power_state(task))
            self.client.get_blade_state.side_effect = [OFF, OFF, ON]
            task.driver.power.set_power_state(task, states.POWER_ON)
            self.assertEqual(3, self.client.get_blade_state.call_count)
            self.client.get_all_blades_state.assert_called_once_with()
            # The write invalidated the cached OFF.
            self.client.get_blade_state.side_effect = None
            self.client.get_blade_state.return_value = ON
            self.assertEqual(states.POWER_ON,
                             task.driver.power.get_power_state(task))
        self.client.get_all_blades_state.assert_called_once_with()


class RebootTestCase(PowerTestBase):

    def _reboot(self, timeout=None):
        with self.acquire() as task:
            task.driver.power.reboot(task, timeout=timeout)

    def test_reboot(self):
        self.client.get_blade_state.return_value = ON
        self._reboot()
        self.client.set_blade_active_power_cycle.assert_called_once_with(
            3, off_time=0)
        self.client.set_blade_off.assert_not_called()

    def test_reboot_hard_off_blade(self):
        self.client.set_blade_active_power_cycle.side_effect = [
            powered_off(), None]
        self.client.get_power_state.return_value = switch(ON, 0)
        self.client.get_blade_state.return_value = ON
        self._reboot()
        self.client.set_power_on.assert_called_once_with(3)
        self.assertEqual(
            2, self.client.set_blade_active_power_cycle.call_count)

    def test_reboot_refused_with_disable_power_off(self):
        self.node.disable_power_off = True
        self.node.save()
        self.client.get_blade_state.return_value = ON
        exc = self.assertRaises(exception.PowerStateFailure, self._reboot)
        self.assertIn('disable_power_off', str(exc))
        self.client.set_blade_active_power_cycle.assert_not_called()

    def test_reboot_from_off_with_disable_power_off(self):
        self.node.disable_power_off = True
        self.node.save()
        self.client.get_blade_state.side_effect = [OFF, ON]
        self._reboot()
        self.client.set_blade_active_power_cycle.assert_called_once_with(
            3, off_time=0)

    def test_reboot_failure(self):
        self.client.set_blade_active_power_cycle.side_effect = (
            ocs_exc.CompletionCodeError(CODE.Failure, 'Failure', blade_id=3))
        self.assertRaises(exception.PowerStateFailure, self._reboot)
