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

"""Out-of-band inspection through ironic's task manager and the emulator."""

from ironic.common import exception
from ironic.common import states
from ironic import objects

from msftocs_driver.emulator import inventory
from tests.functional.inspect import emulated


class InspectTestCase(emulated.EmulatedChassisTestCase):

    def _inspect(self, node=None):
        with self.acquire(node) as task:
            return task.driver.inspect.inspect_hardware(task)

    def _ports(self, node=None):
        node = node or self.node
        return sorted(port.address for port in
                      objects.Port.list_by_node_id(self.context, node.id))

    def test_inspect_blade(self):
        self.assertTrue(self.emulator.url.startswith('https://127.0.0.1:'))

        self.assertEqual(states.MANAGEABLE, self._inspect())

        self.node.refresh()
        properties = self.node.properties
        self.assertEqual('x86_64', properties['cpu_arch'])
        self.assertEqual(inventory.CPU_COUNT, properties['cpus'])
        self.assertEqual(inventory.DIMM_COUNT * inventory.DIMM_MB,
                         properties['memory_mb'])
        self.assertEqual(0, properties['local_gb'])
        self.assertEqual(inventory.blade_serial(3),
                         properties['msftocs_serial_number'])
        self.assertEqual(inventory.BLADE_FIRMWARE,
                         properties['msftocs_bmc_firmware_version'])
        self.assertEqual(inventory.BLADE_HARDWARE,
                         properties['msftocs_hardware_version'])
        self.assertEqual(inventory.PRODUCT_TYPE,
                         properties['msftocs_product_type'])
        # The emulated blades have no asset tag: none is recorded.
        self.assertNotIn('msftocs_asset_tag', properties)
        # Only the present NIC of blade 3 gets a port, lowercased.
        self.assertEqual([emulated.MAC.lower()], self._ports())
        self.assertEqual([emulated.MAC, None],
                         self.emulator.blade(3)['macs'])
        # Exactly the two calls inspection needs.
        self.assertEqual({'GetBladeInfo': 1, 'GetBladeHealth': 1},
                         self.operations())

    def test_inspect_twice_creates_no_duplicate_port(self):
        self._inspect()
        self._inspect()

        self.assertEqual([emulated.MAC.lower()], self._ports())

    def test_inspect_default_macs(self):
        node = self.create_emulated_node(4)

        self._inspect(node)

        expected = sorted(mac.lower()
                          for mac in self.emulator.blade(4)['macs'])
        self.assertEqual(2, len(expected))
        self.assertEqual(expected, self._ports(node))

    def _assert_fails(self, node, *fragments):
        exc = self.assertRaises(exception.HardwareInspectionFailure,
                                self._inspect, node)
        for fragment in (node.uuid,) + fragments:
            self.assertIn(fragment, str(exc))
        self.assertEqual([], self._ports(node))
        node.refresh()
        self.assertEqual({}, node.properties)

    def test_empty_slot(self):
        self._assert_fails(self.create_emulated_node(emulated.EMPTY_SLOT),
                           'slot is empty')

    def test_jbod(self):
        self._assert_fails(self.create_emulated_node(emulated.JBOD_SLOT),
                           'not a server')
        self.assertNotIn('GetBladeHealth', self.operations())

    def test_hard_powered_off_blade(self):
        self.emulator.set_blade(3, switch_on=False)

        self._assert_fails(self.node, 'hard powered off',
                           'Power the node on')
