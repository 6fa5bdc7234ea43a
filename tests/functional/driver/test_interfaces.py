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

"""The msftocs interfaces, run by ironic's task manager, against the emulator.

Every call goes over real HTTP to an emulator process on 127.0.0.1.
"""

import concurrent.futures
import time

from ironic.common import boot_devices
from ironic.common import components
from ironic.common import exception
from ironic.common import indicator_states
from ironic.common import states
from ironic.conductor import task_manager
from ironic.conductor import utils as cond_utils
import requests

from msftocs_driver.common import power_change
from msftocs_driver import exception as msftocs_exc
from tests.functional.driver import emulated

DECOMPRESSION_SECONDS = 1.5


class EmulatorTestCase(emulated.EmulatorTestCase):
    """A 48-blade chassis; the node of blade 3 is ``self.node``."""

    emulator_options = {'blades': 48,
                        'decompression_seconds': DECOMPRESSION_SECONDS}

    def setUp(self):
        super().setUp()
        self.node = self.create_emulated_node(3)
        self.emulator.reset_stats()

    def blade(self, blade_id=3):
        return self.emulator.state()['blades'][str(blade_id)]


class PowerTestCase(EmulatorTestCase):

    def test_power_on_from_hard_off(self):
        self.emulator.set_blade(3, switch_on=False, host_on=False)
        with self.acquire() as task:
            self.assertEqual(states.POWER_OFF,
                             task.driver.power.get_power_state(task))
            task.driver.power.set_power_state(task, states.POWER_ON,
                                              timeout=30)
            self.assertEqual(states.POWER_ON,
                             task.driver.power.get_power_state(task))
        blade = self.blade()
        self.assertTrue(blade['switch_on'])
        self.assertTrue(blade['host_on'])
        ops = self.operations()
        self.assertEqual(1, ops['SetPowerOn'])
        self.assertGreaterEqual(ops['GetPowerState'], 2)

    def test_power_off_keeps_the_bmc_up(self):
        self.emulator.set_blade(3, switch_on=True, host_on=True)
        with self.acquire() as task:
            task.driver.power.set_power_state(task, states.POWER_OFF)
            self.assertEqual(states.POWER_OFF,
                             task.driver.power.get_power_state(task))
        blade = self.blade()
        self.assertFalse(blade['host_on'])
        self.assertTrue(blade['switch_on'])
        self.assertNotIn('SetPowerOff', self.operations())

    def test_already_in_state(self):
        self.emulator.set_blade(3, switch_on=True, host_on=True)
        with self.acquire() as task:
            task.driver.power.set_power_state(task, states.POWER_ON)
        self.assertTrue(self.blade()['host_on'])

    def test_reboot(self):
        self.emulator.set_blade(3, switch_on=True, host_on=True)
        with self.acquire() as task:
            task.driver.power.reboot(task)
        self.assertTrue(self.blade()['host_on'])
        self.assertEqual(1, self.operations()['SetBladeActivePowerCycle'])

    def test_reboot_hard_off_blade(self):
        self.emulator.set_blade(3, switch_on=False, host_on=False)
        with self.acquire() as task:
            task.driver.power.reboot(task, timeout=30)
        blade = self.blade()
        self.assertTrue(blade['switch_on'])
        self.assertTrue(blade['host_on'])

    def test_firmware_decompressing(self):
        self.emulator.set_blade(3, switch_on=False)
        self.emulator.set_blade(3, decompression_seconds=3600)
        self.emulator.set_blade(3, switch_on=True)
        with self.acquire() as task:
            self.assertEqual(states.POWER_OFF,
                             task.driver.power.get_power_state(task))
            exc = self.assertRaises(exception.PowerStateFailure,
                                    task.driver.power.set_power_state,
                                    task, states.POWER_ON, timeout=2)
        self.assertIn('decompression', str(exc))
        self.assertFalse(self.blade()['host_on'])

    def test_empty_slot(self):
        self.emulator.set_blade(3, present=False)
        with self.acquire() as task:
            exc = self.assertRaises(msftocs_exc.MsftOcsError,
                                    task.driver.power.get_power_state, task)
        self.assertIn('Timeout', str(exc))

    def test_wrong_password(self):
        node = self.create_emulated_node(4, msftocs_password='wrong')
        with self.acquire(node) as task:
            exc = self.assertRaises(msftocs_exc.MsftOcsAuthenticationError,
                                    task.driver.power.get_power_state, task)
        self.assertNotIn('wrong', str(exc))
        self.assertIn(node.uuid, str(exc))

    def test_hung_chassis_manager(self):
        self.config(read_timeout=1.0, power_state_cache_ttl=0,
                    group='msftocs')
        self.emulator.add_fault(kind='delay', seconds=5,
                                operations=['GetBladeState'])
        with self.acquire() as task:
            exc = self.assertRaises(msftocs_exc.MsftOcsConnectionError,
                                    task.driver.power.get_power_state, task)
        self.assertIn('read_timeout', str(exc))

    def test_hung_chassis_manager_during_power_change(self):
        # The read timeout alone would hold the thread for a minute.
        self.config(read_timeout=60, retries=2, group='msftocs')
        # A blade no other test uses: the delayed call still runs later.
        node = self.create_emulated_node(41)
        self.emulator.set_blade(41, switch_on=True, host_on=False)
        self.emulator.add_fault(kind='delay', seconds=15, count=1,
                                operations=['SetBladeOn'])
        start = time.monotonic()
        with self.acquire(node) as task:
            exc = self.assertRaises(exception.PowerStateFailure,
                                    task.driver.power.set_power_state, task,
                                    states.POWER_ON, timeout=2)
        # timeout + power_change.CALL_GRACE, not 3 read timeouts of 60 s.
        self.assertLess(time.monotonic() - start,
                        2 + power_change.CALL_GRACE + 2)
        self.assertIn('no reply to SetBladeOn', str(exc))
        self.assertIn('time limit', str(exc))
        self.assertIn(node.uuid, str(exc))


class ManagementTestCase(EmulatorTestCase):

    def test_boot_device_uefi(self):
        with self.acquire() as task:
            task.driver.management.set_boot_device(task, boot_devices.PXE,
                                                   persistent=True)
            self.assertEqual({'boot_device': boot_devices.PXE,
                              'persistent': None},
                             task.driver.management.get_boot_device(task))
        blade = self.blade()
        self.assertEqual('ForcePxe', blade['next_boot'])
        self.assertTrue(blade['next_boot_persistent'])
        self.assertTrue(blade['next_boot_uefi'])

    def test_boot_device_legacy_bios(self):
        self.node.properties = {'capabilities': 'boot_mode:bios'}
        self.node.save()
        with self.acquire() as task:
            task.driver.management.set_boot_device(task, boot_devices.DISK)
        blade = self.blade()
        self.assertEqual('ForceDefaultHdd', blade['next_boot'])
        self.assertFalse(blade['next_boot_persistent'])
        self.assertFalse(blade['next_boot_uefi'])

    def test_boot_device_of_hard_off_blade_applied_at_power_on(self):
        self.emulator.set_blade(3, switch_on=False, host_on=False)
        with self.acquire() as task:
            task.driver.management.set_boot_device(task, boot_devices.BIOS,
                                                   persistent=True)
            self.assertEqual('NoOverride', self.blade()['next_boot'])
            task.driver.power.set_power_state(task, states.POWER_ON,
                                              timeout=30)
        blade = self.blade()
        self.assertTrue(blade['host_on'])
        self.assertEqual('ForceIntoBiosSetup', blade['next_boot'])
        self.assertTrue(blade['next_boot_persistent'])

    def test_pending_boot_device_wins_over_the_restore_policy(self):
        # With "always power up", the BMC starts the host as soon as its
        # firmware is up, before the driver can set the boot device.
        reply = requests.get(
            '%s/SetBladeDefaultPowerStateOn' % self.emulator.url.rstrip('/'),
            params={'bladeId': 3}, auth=('admin', self.password), timeout=10)
        self.assertIn(b'Success', reply.content)
        self.emulator.set_blade(3, switch_on=False, host_on=False)
        with self.acquire() as task:
            task.driver.management.set_boot_device(task, boot_devices.PXE)
            task.driver.power.set_power_state(task, states.POWER_ON,
                                              timeout=30)
        blade = self.blade()
        self.assertTrue(blade['host_on'])
        # The one-time device was consumed by the boot the driver started.
        self.assertEqual('NoOverride', blade['next_boot'])
        self.assertEqual(1, self.operations()['SetBladeActivePowerCycle'])

    def test_sensors(self):
        self.emulator.set_blade(3, switch_on=True, host_on=True)
        with self.acquire(shared=True) as task:
            data = task.driver.management.get_sensors_data(task)
        reading = data['Power']['Blade Power']['Sensor Reading']
        self.assertTrue(reading.endswith(' Watts'))
        self.assertGreater(float(reading.split()[0]), 0)

    def test_sensors_of_hard_off_blade(self):
        self.emulator.set_blade(3, switch_on=False)
        with self.acquire(shared=True) as task:
            self.assertRaises(exception.FailedToGetSensorData,
                              task.driver.management.get_sensors_data, task)

    def test_indicators(self):
        with self.acquire() as task:
            mgmt = task.driver.management
            mgmt.set_indicator_state(task, components.SYSTEM, 'led',
                                     indicator_states.ON)
            self.assertTrue(self.blade()['led_on'])
            self.assertEqual(indicator_states.UNKNOWN,
                             mgmt.get_indicator_state(
                                 task, components.SYSTEM, 'led'))
            mgmt.set_indicator_state(task, components.SYSTEM, 'led',
                                     indicator_states.OFF)
            self.assertFalse(self.blade()['led_on'])

            mgmt.set_indicator_state(task, components.CHASSIS, 'led',
                                     indicator_states.ON)
            self.assertTrue(self.emulator.state()['chassis_led_on'])
            self.assertEqual(indicator_states.ON, mgmt.get_indicator_state(
                task, components.CHASSIS, 'led'))
            mgmt.set_indicator_state(task, components.CHASSIS, 'led',
                                     indicator_states.OFF)
            self.assertEqual(indicator_states.OFF, mgmt.get_indicator_state(
                task, components.CHASSIS, 'led'))


class PowerSyncTestCase(EmulatorTestCase):

    def _sync_all(self, nodes):
        """Read every node's power state from 8 threads, like power sync."""
        tasks = [task_manager.acquire(self.context, node.uuid, shared=True)
                 for node in nodes]
        try:
            with concurrent.futures.ThreadPoolExecutor(8) as pool:
                return list(pool.map(
                    lambda t: t.driver.power.get_power_state(t), tasks))
        finally:
            for task in tasks:
                task.release_resources()

    def _chassis_nodes(self):
        nodes = [self.node]
        for blade_id in range(1, 49):
            if blade_id != 3:
                nodes.append(self.create_emulated_node(blade_id))
        return nodes

    def test_one_request_per_chassis(self):
        self.config(power_state_cache_ttl=30, group='msftocs')
        self.emulator.set_blade(3, switch_on=True, host_on=True)
        self.emulator.set_blade(5, switch_on=False)
        nodes = self._chassis_nodes()
        self.emulator.reset_stats()
        results = self._sync_all(nodes)
        self.assertEqual(1, self.emulator.stats()['total'])
        self.assertEqual({'GetAllBladesState': 1}, self.operations())
        by_blade = {n.driver_info['msftocs_blade_id']: r
                    for n, r in zip(nodes, results)}
        self.assertEqual(states.POWER_ON, by_blade[3])
        self.assertEqual(states.POWER_OFF, by_blade[5])

        # A power change invalidates its blade only, and its wait reads the
        # blade alone.
        self.emulator.reset_stats()
        with self.acquire() as task:
            task.driver.power.set_power_state(task, states.POWER_OFF)
        self.assertNotIn('GetAllBladesState', self.operations())
        self.assertEqual(1, self.operations()['SetBladeOff'])
        self.emulator.reset_stats()
        results = self._sync_all(nodes)
        by_blade = {n.driver_info['msftocs_blade_id']: r
                    for n, r in zip(nodes, results)}
        self.assertEqual(states.POWER_OFF, by_blade[3])
        self.assertEqual({'GetBladeState': 1}, self.operations())

    def test_exclusive_lock_reads_the_blade_alone(self):
        self.config(power_state_cache_ttl=30, group='msftocs')
        nodes = self._chassis_nodes()
        self._sync_all(nodes)
        # The host is started behind ironic's back: the batch still says
        # off, and power sync would see the change when the batch expires.
        self.emulator.set_blade(3, switch_on=True, host_on=True)
        self.emulator.reset_stats()
        self.assertEqual([states.POWER_OFF], self._sync_all([self.node]))
        self.assertEqual({}, self.operations())
        # node_power_action's own "already in that state?" check holds an
        # exclusive lock: it reads the blade itself and sends no command.
        with self.acquire() as task:
            cond_utils.node_power_action(task, states.POWER_ON)
        self.assertEqual({'GetBladeState': 1}, self.operations())
        self.node.refresh()
        self.assertEqual(states.POWER_ON, self.node.power_state)

    def test_every_write_to_a_blade_invalidates_it(self):
        self.config(power_state_cache_ttl=30, group='msftocs')
        nodes = self._chassis_nodes()
        writes = (
            lambda task: task.driver.management.set_boot_device(
                task, boot_devices.DISK),
            lambda task: task.driver.management.set_indicator_state(
                task, components.SYSTEM, 'led', indicator_states.ON),
            lambda task: task.driver.vendor.set_power_limit(
                task, http_method='POST', watts=300),
            lambda task: task.driver.vendor.power_limit_on(
                task, http_method='POST'),
        )
        for write in writes:
            self._sync_all(nodes)
            with self.acquire() as task:
                write(task)
            self.emulator.reset_stats()
            self._sync_all(nodes)
            # Blade 3 is read alone, the others still from the batch.
            self.assertEqual({'GetBladeState': 1}, self.operations())

    def test_sync_pass_hooks_add_no_request(self):
        # After get_power_state, power sync caches the vendor, boot mode
        # and secure boot state of every node on every pass. (Its health,
        # where the release has that hook, costs one request per chassis
        # and pass: tests/functional/driver/test_node_health.py.)
        hooks = [cond_utils.node_cache_vendor,
                 cond_utils.node_cache_boot_mode]
        with self.acquire() as task:
            self.emulator.reset_stats()
            for hook in hooks:
                hook(task)
        self.assertEqual({}, self.operations())
        self.node.refresh()
        # The CM never reports the boot mode: unknown, not the configured
        # one; the vendor is a constant.
        self.assertIsNone(self.node.boot_mode)
        self.assertEqual('microsoft', self.node.properties['vendor'])

    def test_ttl_zero_reads_each_blade(self):
        self.config(power_state_cache_ttl=0, group='msftocs')
        nodes = self._chassis_nodes()
        self.emulator.reset_stats()
        self._sync_all(nodes)
        self.assertEqual({'GetBladeState': 48}, self.operations())

    def test_second_chassis_credentials_are_separate(self):
        self.config(power_state_cache_ttl=30, group='msftocs')
        wrong = self.create_emulated_node(4, msftocs_password='wrong')
        self._sync_all([self.node])
        with self.acquire(wrong, shared=True) as task:
            self.assertRaises(msftocs_exc.MsftOcsAuthenticationError,
                              task.driver.power.get_power_state, task)
