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

"""Node health and MAC addresses against the emulator, as power sync reads.

A 48-blade chassis with an empty slot (7) and a JBOD (12).
"""

import concurrent.futures
import unittest

from ironic.common import exception
from ironic.conductor import task_manager
from ironic.conductor import utils as cond_utils

from msftocs_driver.common import batch
from msftocs_driver.common import health
from msftocs_driver.common import prefetch
from tests.functional.driver import emulated

try:
    from ironic.common import health_states
except ImportError:  # ironic before 2026.1
    health_states = None

HS = health_states.HealthState if health_states else None
EMPTY_SLOT, JBOD_SLOT = 7, 12


@unittest.skipIf(health_states is None,
                 'this ironic release has no node health')
class NodeHealthTestCase(emulated.EmulatorTestCase):

    emulator_options = {'blades': 48}
    chassis_config = {'empty_slots': [EMPTY_SLOT], 'jbod_slots': [JBOD_SLOT]}

    def setUp(self):
        super().setUp()
        self.config(power_state_cache_ttl=30, health_cache_ttl=30,
                    group='msftocs')
        self.config(enable_health_monitoring=True, group='conductor')
        self.addCleanup(health.clear)
        for blade_id in (3, 4):
            self.emulator.set_blade(blade_id, switch_on=True, host_on=True)
        self.emulator.set_blade(5, switch_on=False)
        self.nodes = {b: self.create_emulated_node(b)
                      for b in range(1, 49)}
        self.emulator.reset_stats()

    def _pass(self):
        """Power state then health of every node, 8 threads, shared locks.

        :returns: ``{blade id: health}``.
        """
        def sync(task):
            try:
                task.driver.power.get_power_state(task)
            except exception.IronicException:
                pass  # the empty slot and the JBOD: power sync logs it
            return task.driver.management.get_node_health(task)

        # Tasks are taken in this thread (sqlite), then read from 8.
        tasks = [task_manager.acquire(self.context, node.uuid, shared=True)
                 for node in self.nodes.values()]
        try:
            with concurrent.futures.ThreadPoolExecutor(8) as pool:
                results = list(pool.map(sync, tasks))
        finally:
            for task in tasks:
                task.release_resources()
        return dict(zip(self.nodes, results))

    def test_one_request_per_chassis_and_pass(self):
        found = self._pass()
        self.assertEqual({'GetAllBladesState': 1,
                          'GetAllBladesPowerReading': 1}, self.operations())
        self.assertIs(HS.OK, found[3])
        self.assertIs(HS.OK, found[1])  # host off, BMC up
        self.assertIsNone(found[5])  # hard powered off: no BMC to judge
        self.assertIs(HS.CRITICAL, found[EMPTY_SLOT])  # nothing answers
        self.assertIsNone(found[JBOD_SLOT])  # not a server

    def test_failing_power_reading_is_a_warning(self):
        self.emulator.set_records(4, power_reading_failed=True)
        found = self._pass()
        self.assertIs(HS.WARNING, found[4])
        self.assertIs(HS.OK, found[3])

    def test_health_is_read_one_pass_ahead(self):
        self._pass()
        self.emulator.set_records(4, power_reading_failed=True)
        self.emulator.reset_stats()
        batch.expire()  # the next pass
        # Its first health read of the chassis gets the reading of the
        # pass before, and queues the renewal (which may end before the
        # rest of the pass reads it).
        with task_manager.acquire(self.context, self.nodes[4].uuid,
                                  shared=True) as task:
            task.driver.power.get_power_state(task)
            self.assertIs(HS.OK,
                          task.driver.management.get_node_health(task))
        found = self._pass()
        self.assertIs(HS.CRITICAL, found[EMPTY_SLOT])
        # Renewed behind the pass, once.
        self.assertTrue(prefetch.POOL.wait_idle(30))
        self.assertEqual({'GetAllBladesState': 1,
                          'GetAllBladesPowerReading': 1}, self.operations())
        batch.expire()
        found = self._pass()
        self.assertIs(HS.WARNING, found[4])
        self.assertIs(HS.OK, found[3])

    def test_sensor_faults_when_sensors_are_read(self):
        self.config(health_sensor_interval=600, group='msftocs')
        self.emulator.set_records(3, sensor_status={'2': 'cr'})
        self.emulator.set_records(4, dimm_status={'1': 'SingleBitError'})
        found = self._pass()
        self.assertIs(HS.CRITICAL, found[3])
        self.assertIs(HS.WARNING, found[4])
        self.assertIs(HS.OK, found[1])
        # The sensors cost one GetBladeHealth per blade whose BMC answers
        # (not the hard-off blade, the JBOD and the empty slot).
        self.assertEqual(48 - 3, self.operations()['GetBladeHealth'])
        # Within the interval, a pass reads them no more.
        self.emulator.reset_stats()
        health.READINGS.expire()
        self._pass()
        self.assertNotIn('GetBladeHealth', self.operations())

    def test_power_sync_records_the_health(self):
        self.emulator.set_records(3, power_reading_failed=True)
        node = self.nodes[3]
        with task_manager.acquire(self.context, node.uuid,
                                  shared=True) as task:
            cond_utils.node_cache_health(task)
        node.refresh()
        self.assertEqual('Warning', node.health)

    def test_mac_addresses(self):
        with task_manager.acquire(self.context, self.nodes[3].uuid,
                                  shared=True) as task:
            macs = task.driver.management.get_mac_addresses(task)
        blade = self.emulator.state()['blades']['3']
        self.assertEqual([mac.lower() for mac in blade['macs'] if mac], macs)
        self.assertEqual({'GetBladeInfo': 1}, self.operations())
