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

"""Tests of the msftocs management interface."""

from unittest import mock

from ironic.common import boot_devices
from ironic.common import boot_modes
from ironic.common import components
from ironic.common import exception
from ironic.common import indicator_states

from msftocs_driver.common import driver_info
from msftocs_driver.common import state_cache
from msftocs_driver import exception as msftocs_exc
from msftocs_driver import management
from msftocs_driver.ocs import constants
from msftocs_driver.ocs import exceptions as ocs_exc
from msftocs_driver.ocs import models
from tests import base
from tests.unit.driver import fakes

BOOT = constants.BladeBootType
CODE = constants.CompletionCode


class BootDeviceTestCase(fakes.MockedClientTestCase):

    def test_properties_and_validate(self):
        with self.acquire(shared=True) as task:
            mgmt = task.driver.management
            self.assertEqual(driver_info.COMMON_PROPERTIES,
                             mgmt.get_properties())
            mgmt.validate(task)
            task.node.driver_info = dict(base.DRIVER_INFO,
                                         msftocs_blade_id=49)
            self.assertRaises(exception.InvalidParameterValue,
                              mgmt.validate, task)
        self.build.assert_not_called()

    def test_supported_boot_devices(self):
        with self.acquire(shared=True) as task:
            self.assertEqual(
                [boot_devices.PXE, boot_devices.DISK, boot_devices.BIOS,
                 boot_devices.FLOPPY],
                task.driver.management.get_supported_boot_devices(task))

    def test_set_boot_device(self):
        expected = {boot_devices.PXE: BOOT.ForcePxe,
                    boot_devices.DISK: BOOT.ForceDefaultHdd,
                    boot_devices.BIOS: BOOT.ForceIntoBiosSetup,
                    boot_devices.FLOPPY: BOOT.ForceFloppyOrRemovable}
        for device, boot_type in expected.items():
            for persistent in (False, True):
                self.client.set_next_boot.reset_mock()
                with self.acquire() as task:
                    task.driver.management.set_boot_device(
                        task, device, persistent=persistent)
                self.client.set_next_boot.assert_called_once_with(
                    3, boot_type, uefi=True, persistent=persistent)

    def test_set_boot_device_legacy_bios(self):
        self.node.properties = {'capabilities': 'boot_mode:bios'}
        self.node.save()
        with self.acquire() as task:
            task.driver.management.set_boot_device(task, boot_devices.PXE)
        self.client.set_next_boot.assert_called_once_with(
            3, BOOT.ForcePxe, uefi=False, persistent=False)

    def test_set_boot_device_unsupported(self):
        with self.acquire() as task:
            exc = self.assertRaises(
                exception.InvalidParameterValue,
                task.driver.management.set_boot_device, task,
                boot_devices.CDROM)
        self.assertIn('cdrom', str(exc))
        self.client.set_next_boot.assert_not_called()

    def test_set_boot_device_invalidates_power_state(self):
        with mock.patch.object(state_cache, 'invalidate',
                               autospec=True) as invalidate:
            with self.acquire() as task:
                task.driver.management.set_boot_device(task,
                                                       boot_devices.DISK)
        invalidate.assert_called_once_with(mock.ANY)
        self.assertEqual(3, invalidate.call_args[0][0]['blade_id'])

    def test_indicator_writes_invalidate_power_state(self):
        for component, calls in (('system', 1), ('chassis', 0)):
            with mock.patch.object(state_cache, 'invalidate',
                                   autospec=True) as invalidate:
                with self.acquire() as task:
                    task.driver.management.set_indicator_state(
                        task, component, 'led', 'on')
            self.assertEqual(calls, invalidate.call_count, component)

    def test_failed_boot_device_write_invalidates_power_state(self):
        self.client.set_next_boot.side_effect = ocs_exc.ReadTimeoutError(
            'no reply', blade_id=3)
        with mock.patch.object(state_cache, 'invalidate',
                               autospec=True) as invalidate:
            with self.acquire() as task:
                self.assertRaises(msftocs_exc.MsftOcsConnectionError,
                                  task.driver.management.set_boot_device,
                                  task, boot_devices.DISK)
        invalidate.assert_called_once_with(mock.ANY)

    def test_set_boot_device_hard_off_records_pending(self):
        for error in (ocs_exc.DevicePoweredOffError(CODE.DevicePoweredOff),
                      ocs_exc.FirmwareDecompressingError(
                          CODE.FirmwareDecompressing)):
            self.client.set_next_boot.side_effect = error
            with self.acquire() as task:
                task.driver.management.set_boot_device(
                    task, boot_devices.PXE, persistent=True)
            self.node.refresh()
            self.assertEqual(
                {'boot_device': boot_devices.PXE, 'persistent': True},
                self.node.driver_internal_info[
                    management.PENDING_BOOT_DEVICE])
        # A later successful set drops the pending device.
        self.client.set_next_boot.side_effect = None
        with self.acquire() as task:
            task.driver.management.set_boot_device(task, boot_devices.DISK)
        self.node.refresh()
        self.assertNotIn(management.PENDING_BOOT_DEVICE,
                         self.node.driver_internal_info)

    def test_set_boot_device_error(self):
        self.client.set_next_boot.side_effect = ocs_exc.CompletionCodeError(
            CODE.Failure, 'Failure', blade_id=3)
        with self.acquire() as task:
            exc = self.assertRaises(
                msftocs_exc.MsftOcsError,
                task.driver.management.set_boot_device, task,
                boot_devices.PXE)
        self.assertIn(self.node.uuid, str(exc))

    def test_set_boot_device_needs_exclusive_lock(self):
        with self.acquire(shared=True) as task:
            self.assertRaises(exception.ExclusiveLockRequired,
                              task.driver.management.set_boot_device, task,
                              boot_devices.PXE)

    def test_get_boot_device(self):
        cases = {BOOT.ForcePxe: boot_devices.PXE,
                 BOOT.ForceDefaultHdd: boot_devices.DISK,
                 BOOT.ForceIntoBiosSetup: boot_devices.BIOS,
                 BOOT.ForceFloppyOrRemovable: boot_devices.FLOPPY,
                 BOOT.NoOverride: None, BOOT.Unknown: None}
        for boot_type, device in cases.items():
            self.client.get_next_boot.return_value = boot_type
            with self.acquire(shared=True) as task:
                self.assertEqual(
                    {'boot_device': device, 'persistent': None},
                    task.driver.management.get_boot_device(task))
        self.client.get_next_boot.assert_called_with(3)

    def test_get_boot_device_hard_off(self):
        self.client.get_next_boot.side_effect = ocs_exc.DevicePoweredOffError(
            CODE.DevicePoweredOff, blade_id=3)
        with self.acquire(shared=True) as task:
            exc = self.assertRaises(msftocs_exc.MsftOcsError,
                                    task.driver.management.get_boot_device,
                                    task)
        self.assertIn('hard powered off', str(exc))
        self.node.set_driver_internal_info(
            management.PENDING_BOOT_DEVICE,
            {'boot_device': boot_devices.BIOS, 'persistent': False})
        self.node.save()
        # Whether the BMC answers or not, the pending device is the one the
        # next power on applies.
        self.client.get_next_boot.reset_mock()
        for error in (self.client.get_next_boot.side_effect, None):
            self.client.get_next_boot.side_effect = error
            self.client.get_next_boot.return_value = BOOT.NoOverride
            with self.acquire(shared=True) as task:
                self.assertEqual(
                    {'boot_device': boot_devices.BIOS, 'persistent': False},
                    task.driver.management.get_boot_device(task))
        self.client.get_next_boot.assert_not_called()


class BootModeTestCase(fakes.MockedClientTestCase):

    def test_supported_boot_modes(self):
        with self.acquire(shared=True) as task:
            self.assertEqual(
                [boot_modes.UEFI, boot_modes.LEGACY_BIOS],
                task.driver.management.get_supported_boot_modes(task))

    def test_get_boot_mode_is_unknown_whatever_is_configured(self):
        # The CM never reports the boot mode: the configured mode (the
        # capability, or [deploy]default_boot_mode) is not the current one.
        for capabilities in (None, 'boot_mode:bios', 'boot_mode:uefi'):
            self.node.properties = ({'capabilities': capabilities}
                                    if capabilities else {})
            self.node.save()
            with self.acquire(shared=True) as task:
                self.assertIsNone(
                    task.driver.management.get_boot_mode(task))
        self.build.assert_not_called()

    def test_set_boot_mode(self):
        with self.acquire() as task:
            task.driver.management.set_boot_mode(task, boot_modes.UEFI)
            exc = self.assertRaises(exception.InvalidParameterValue,
                                    task.driver.management.set_boot_mode,
                                    task, boot_modes.LEGACY_BIOS)
        self.assertIn('boot_mode capability', str(exc))
        self.build.assert_not_called()

    def test_vendor_constant_secure_boot_unsupported_without_cm_call(self):
        with self.acquire(shared=True) as task:
            self.assertEqual('microsoft',
                             task.driver.management.detect_vendor(task))
            self.assertRaises(
                exception.UnsupportedDriverExtension,
                task.driver.management.get_secure_boot_state, task)
        self.build.assert_not_called()


class SensorsTestCase(fakes.MockedClientTestCase):

    def _health(self, sensors):
        return models.BladeHealth(
            blade_id=3, serial_number='SN', asset_tag='', hardware_version='',
            product_type='', blade_type=constants.BladeType.Server,
            blade_state=constants.PowerState.ON, processors=(), memory=(),
            pcie=(), sensors=sensors)

    def test_get_sensors_data(self):
        self.client.get_blade_power_reading.return_value = (
            models.PowerReading(3, 187.5))
        self.client.get_blade_health.return_value = self._health((
            models.SensorInfo(1, 'Temperature', 'ok', 'Processor', '1',
                              '45', 'CPU0 Temp'),
            models.SensorInfo(0x30, 'Fan', 'ok', None, None, '4200', ''),
            models.SensorInfo(0x31, 'Fan', 'ns', None, None, None, 'Fan 2'),
            models.SensorInfo(0x40, 'Voltage', 'ns', None, None, '', 'P12V'),
        ))
        with self.acquire(shared=True) as task:
            data = task.driver.management.get_sensors_data(task)
        self.client.get_blade_health.assert_called_once_with(3, sensors=True)
        self.assertEqual({
            'Power': {'Blade Power': {'Sensor ID': 'Blade Power',
                                      'Sensor Reading': '187.5 Watts',
                                      'Status': 'ok'}},
            'Temperature': {'CPU0 Temp (0x1)': {
                'Sensor ID': 'CPU0 Temp (0x1)', 'Entity ID': 'Processor 1',
                'Sensor Reading': '45', 'Status': 'ok'}},
            'Fan': {'Sensor (0x30)': {
                'Sensor ID': 'Sensor (0x30)', 'Entity ID': None,
                'Sensor Reading': '4200', 'Status': 'ok'}},
        }, data)

    def test_get_sensors_data_failure(self):
        self.client.get_blade_power_reading.side_effect = (
            ocs_exc.DevicePoweredOffError(CODE.DevicePoweredOff, blade_id=3))
        with self.acquire(shared=True) as task:
            exc = self.assertRaises(exception.FailedToGetSensorData,
                                    task.driver.management.get_sensors_data,
                                    task)
        self.assertIn(self.node.uuid, str(exc))


class IndicatorTestCase(fakes.MockedClientTestCase):

    def test_supported_indicators(self):
        with self.acquire(shared=True) as task:
            mgmt = task.driver.management
            everything = mgmt.get_supported_indicators(task)
            self.assertEqual({components.SYSTEM, components.CHASSIS},
                             set(everything))
            for component in everything.values():
                self.assertEqual(
                    {'led': {'readonly': False, 'states': [
                        indicator_states.ON, indicator_states.OFF]}},
                    component)
            self.assertEqual(
                [components.CHASSIS],
                list(mgmt.get_supported_indicators(task, components.CHASSIS)))

    def test_blade_led(self):
        with self.acquire() as task:
            mgmt = task.driver.management
            mgmt.set_indicator_state(task, components.SYSTEM, 'led',
                                     indicator_states.ON)
            mgmt.set_indicator_state(task, components.SYSTEM, 'led',
                                     indicator_states.OFF)
            self.assertEqual(indicator_states.UNKNOWN,
                             mgmt.get_indicator_state(
                                 task, components.SYSTEM, 'led'))
        self.assertEqual([mock.call(3, True), mock.call(3, False)],
                         self.client.set_blade_attention_led.call_args_list)

    def test_chassis_led(self):
        self.client.get_chassis_attention_led_status.side_effect = [
            constants.LedState.ON, constants.LedState.OFF,
            constants.LedState.NA]
        with self.acquire() as task:
            mgmt = task.driver.management
            mgmt.set_indicator_state(task, components.CHASSIS, 'led',
                                     indicator_states.ON)
            for expected in (indicator_states.ON, indicator_states.OFF,
                             indicator_states.UNKNOWN):
                self.assertEqual(expected, mgmt.get_indicator_state(
                    task, components.CHASSIS, 'led'))
        self.client.set_chassis_attention_led.assert_called_once_with(True)
        self.client.set_blade_attention_led.assert_not_called()

    def test_bad_indicator_arguments(self):
        with self.acquire() as task:
            mgmt = task.driver.management
            for args in ((components.DISK, 'led', indicator_states.ON),
                         (components.SYSTEM, 'power',
                          indicator_states.ON),
                         (components.SYSTEM, 'led',
                          indicator_states.BLINKING)):
                self.assertRaises(exception.InvalidParameterValue,
                                  mgmt.set_indicator_state, task, *args)
            self.assertRaises(exception.InvalidParameterValue,
                              mgmt.get_indicator_state, task,
                              components.DISK, 'led')
        self.build.assert_not_called()

    def test_led_error(self):
        self.client.set_blade_attention_led.side_effect = (
            ocs_exc.ConnectionError('refused', blade_id=3))
        with self.acquire() as task:
            self.assertRaises(msftocs_exc.MsftOcsConnectionError,
                              task.driver.management.set_indicator_state,
                              task, components.SYSTEM, 'led',
                              indicator_states.ON)
