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

"""Tests of the msftocs hardware type and its entry points."""

from ironic.common import exception
from ironic.conductor import task_manager
from ironic.drivers.modules import noop
from ironic.drivers.modules import noop_mgmt
import stevedore

from msftocs_driver.common import driver_info
from msftocs_driver import console
from msftocs_driver import hardware
from msftocs_driver import inspect
from msftocs_driver import management
from msftocs_driver import power
from msftocs_driver import vendor
from tests import base


class HardwareTypeTestCase(base.MsftOcsTestCase):

    def test_entry_point(self):
        manager = stevedore.driver.DriverManager('ironic.hardware.types',
                                                 'msftocs',
                                                 invoke_on_load=True)
        self.assertIsInstance(manager.driver, hardware.MsftOcsHardware)

    def test_interface_entry_points(self):
        for group, name, cls in (
                ('power', 'msftocs', power.MsftOcsPower),
                ('management', 'msftocs', management.MsftOcsManagement),
                ('inspect', 'msftocs', inspect.MsftOcsInspect),
                ('vendor', 'msftocs', vendor.MsftOcsVendorPassthru),
                ('console', 'msftocs-socat', console.MsftOcsSocatConsole)):
            manager = stevedore.driver.DriverManager(
                'ironic.hardware.interfaces.%s' % group, name,
                invoke_on_load=True)
            self.assertIsInstance(manager.driver, cls)

    def test_supported_interfaces(self):
        hw = hardware.MsftOcsHardware()
        self.assertEqual([power.MsftOcsPower], hw.supported_power_interfaces)
        self.assertEqual([management.MsftOcsManagement,
                          noop_mgmt.NoopManagement],
                         hw.supported_management_interfaces)
        self.assertEqual([vendor.MsftOcsVendorPassthru, noop.NoVendor],
                         hw.supported_vendor_interfaces)
        self.assertEqual(inspect.MsftOcsInspect,
                         hw.supported_inspect_interfaces[0])
        self.assertIn(noop.NoInspect, hw.supported_inspect_interfaces)
        self.assertEqual(console.MsftOcsSocatConsole,
                         hw.supported_console_interfaces[0])
        self.assertIn(noop.NoConsole, hw.supported_console_interfaces)

    def test_node_defaults(self):
        node = self.create_node()
        with task_manager.acquire(self.context, node.uuid,
                                  shared=True) as task:
            self.assertIsInstance(task.driver.power, power.MsftOcsPower)
            self.assertIsInstance(task.driver.management,
                                  management.MsftOcsManagement)
            self.assertIsInstance(task.driver.inspect,
                                  inspect.MsftOcsInspect)
            self.assertIsInstance(task.driver.vendor,
                                  vendor.MsftOcsVendorPassthru)
            self.assertIsInstance(task.driver.console,
                                  console.MsftOcsSocatConsole)
            for prop in driver_info.COMMON_PROPERTIES:
                self.assertIn(prop, task.driver.get_properties())

    def test_interfaces_shared_by_nodes(self):
        first, second = self.create_node(), self.create_node()
        with task_manager.acquire(self.context, first.uuid,
                                  shared=True) as one:
            with task_manager.acquire(self.context, second.uuid,
                                      shared=True) as two:
                self.assertIs(one.driver.power, two.driver.power)

    def test_fake_power_incompatible(self):
        node = self.create_node()
        node.power_interface = 'fake'
        node.save()
        self.assertRaises(exception.IncompatibleInterface,
                          task_manager.acquire, self.context, node.uuid,
                          shared=True)
