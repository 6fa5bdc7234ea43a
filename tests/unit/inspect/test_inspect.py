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

"""Unit tests of MsftOcsInspect, with a mocked chassis-manager client."""

from unittest import mock

from ironic.common import exception
from ironic.common import states
from ironic.conductor import inspection
from ironic.conductor import task_manager
from ironic import objects
from ironic.tests.unit.objects import utils as obj_utils

from msftocs_driver.common import client_cache
from msftocs_driver.common import driver_info
from msftocs_driver import exception as msftocs_exc
from msftocs_driver import inspect as msftocs_inspect
from msftocs_driver.ocs import client as ocs_client
from msftocs_driver.ocs import constants
from msftocs_driver.ocs import exceptions as ocs_exc
from tests import base
from tests.unit.inspect import fakes


class InspectTestCase(base.MsftOcsTestCase):

    def setUp(self):
        super().setUp()
        self.node = obj_utils.create_test_node(
            self.context, driver='msftocs', driver_info=fakes.DRIVER_INFO,
            inspect_interface='msftocs', provision_state=states.INSPECTING,
            properties={})
        self.client = mock.create_autospec(ocs_client.ChassisManagerClient,
                                           instance=True)
        self.client.get_blade_info.return_value = fakes.blade_info()
        self.client.get_blade_health.return_value = fakes.blade_health()
        borrowed = mock.patch.object(client_cache, 'borrowed_client',
                                     autospec=True).start()
        borrowed.return_value.__enter__.return_value = self.client
        self.addCleanup(mock.patch.stopall)

    def _inspect(self):
        with task_manager.acquire(self.context, self.node.uuid) as task:
            return task.driver.inspect.inspect_hardware(task)

    def _ports(self):
        return sorted(port.address for port in
                      objects.Port.list_by_node_id(self.context,
                                                   self.node.id))

    def _properties(self):
        self.node.refresh()
        return self.node.properties

    def test_interface_is_loaded(self):
        with task_manager.acquire(self.context, self.node.uuid,
                                  shared=True) as task:
            self.assertIsInstance(task.driver.inspect,
                                  msftocs_inspect.MsftOcsInspect)

    def test_get_properties(self):
        self.assertEqual(driver_info.COMMON_PROPERTIES,
                         msftocs_inspect.MsftOcsInspect().get_properties())

    def test_validate_does_not_contact_the_chassis(self):
        with task_manager.acquire(self.context, self.node.uuid,
                                  shared=True) as task:
            task.driver.inspect.validate(task)
        self.assertEqual([], self.client.mock_calls)

    def test_validate_missing_driver_info(self):
        self.node.driver_info = {'msftocs_blade_id': 3}
        self.node.save()
        with task_manager.acquire(self.context, self.node.uuid,
                                  shared=True) as task:
            self.assertRaises(exception.MissingParameterValue,
                              task.driver.inspect.validate, task)

    def test_inspect_sets_essential_properties(self):
        self.assertEqual(states.MANAGEABLE, self._inspect())

        properties = self._properties()
        self.assertEqual(2, properties['cpus'])
        # The DIMM with a single-bit error is present and counts; the empty
        # socket does not.
        self.assertEqual(32768, properties['memory_mb'])
        self.assertEqual('x86_64', properties['cpu_arch'])
        self.assertEqual(0, properties['local_gb'])
        self.client.get_blade_info.assert_called_once_with(3)
        self.client.get_blade_health.assert_called_once_with(3, sensors=False)

    def test_inspect_counts_present_processors_only(self):
        self.client.get_blade_health.return_value = fakes.blade_health(
            processor_states=('Present', 'NotPresent'))

        self._inspect()

        self.assertEqual(1, self._properties()['cpus'])

    def test_inspect_keeps_operator_local_gb(self):
        self.node.properties = {'local_gb': 440, 'capabilities': 'a:b'}
        self.node.save()

        self._inspect()

        properties = self._properties()
        self.assertEqual(440, properties['local_gb'])
        self.assertEqual('a:b', properties['capabilities'])

    def test_inspect_records_identity(self):
        self._inspect()

        properties = self._properties()
        self.assertEqual('QTFCTM3230105',
                         properties['msftocs_serial_number'])
        self.assertEqual('RACK7-U12', properties['msftocs_asset_tag'])
        self.assertEqual('C2010', properties['msftocs_product_type'])
        self.assertEqual('C1030Q', properties['msftocs_hardware_version'])
        self.assertEqual('03.05.09',
                         properties['msftocs_bmc_firmware_version'])
        self.node.refresh()
        self.assertEqual({}, self.node.extra)

    def test_inspect_drops_identity_no_longer_reported(self):
        self.node.properties = {'msftocs_asset_tag': 'OLD-TAG'}
        self.node.save()
        self.client.get_blade_info.return_value = fakes.blade_info(
            asset_tag='')
        self.client.get_blade_health.return_value = fakes.blade_health(
            asset_tag=None)

        self._inspect()

        self.assertNotIn('msftocs_asset_tag', self._properties())

    def test_inspect_creates_ports_for_present_nics_lowercased(self):
        self._inspect()

        self.assertEqual([fakes.MAC_1.lower()], self._ports())

    def test_inspect_twice_creates_no_duplicate_port(self):
        self.client.get_blade_info.return_value = fakes.blade_info(
            macs=(fakes.MAC_1, fakes.MAC_2))

        self._inspect()
        self._inspect()

        self.assertEqual([fakes.MAC_1.lower(), fakes.MAC_2.lower()],
                         self._ports())

    def test_inspect_keeps_existing_port(self):
        port = obj_utils.create_test_port(
            self.context, node_id=self.node.id,
            address=fakes.MAC_1.lower(), extra={'kept': True})

        self._inspect()

        self.assertEqual([fakes.MAC_1.lower()], self._ports())
        port.refresh()
        self.assertEqual({'kept': True}, port.extra)

    def test_inspect_without_nics_creates_no_port(self):
        self.client.get_blade_info.return_value = fakes.blade_info(
            macs=(None, None))

        self.assertEqual(states.MANAGEABLE, self._inspect())

        self.assertEqual([], self._ports())

    def test_inspect_stores_inventory(self):
        self._inspect()

        inventory = objects.NodeInventory.get_by_node_id(
            self.context, self.node.id).inventory_data
        self.assertEqual({'count': 2, 'architecture': 'x86_64',
                          'model_name': 'IntelHaswell',
                          'frequency': '2300'}, inventory['cpu'])
        self.assertEqual({'physical_mb': 32768}, inventory['memory'])
        self.assertEqual([{'name': 'nic1',
                           'mac_address': fakes.MAC_1.lower()}],
                         inventory['interfaces'])
        self.assertEqual({'serial_number': 'QTFCTM3230105',
                          'product_name': 'C2010'},
                         inventory['system_vendor'])
        self.assertNotIn('disks', inventory)

    def test_inspection_rules_see_the_inventory(self):
        obj_utils.create_test_inspection_rule(
            self.context, phase='main',
            # one-of formats its "value" with the inventory in every
            # supported release (eq formats its "values" only in some).
            conditions=[{'op': 'one-of',
                         'args': {'value': '{inventory[memory][physical_mb]}',
                                  'values': ['32768']}}],
            actions=[{'op': 'add-trait', 'args': ['CUSTOM_OCS_32G']}])

        self._inspect()

        self.node.refresh()
        self.assertEqual(['CUSTOM_OCS_32G'],
                         self.node.traits.get_trait_names())
        self.assertEqual(32768, self.node.properties['memory_mb'])

    def test_conductor_inspection_ends_manageable(self):
        with task_manager.acquire(self.context, self.node.uuid) as task:
            inspection.inspect_hardware(task)

        self.node.refresh()
        self.assertEqual(states.MANAGEABLE, self.node.provision_state)
        self.assertEqual(32768, self.node.properties['memory_mb'])

    def test_conductor_inspection_failure_names_the_cause(self):
        self.client.get_blade_info.side_effect = (
            ocs_exc.DevicePoweredOffError(
                constants.CompletionCode.DevicePoweredOff,
                'DevicePoweredOff', operation='GetBladeInfo', blade_id=3))

        with task_manager.acquire(self.context, self.node.uuid) as task:
            self.assertRaises(exception.HardwareInspectionFailure,
                              inspection.inspect_hardware, task)

        self.node.refresh()
        self.assertEqual(states.INSPECTFAIL, self.node.provision_state)
        self.assertIn('Power the node on', self.node.last_error)

    def _assert_inspection_fails(self, *fragments):
        self.node.properties = {'local_gb': 10}
        self.node.save()
        exc = self.assertRaises(exception.HardwareInspectionFailure,
                                self._inspect)
        message = str(exc)
        for fragment in (self.node.uuid,) + fragments:
            self.assertIn(fragment, message)
        self.assertEqual({'local_gb': 10}, self._properties())
        self.assertEqual([], self._ports())
        return message

    def test_empty_slot(self):
        self.client.get_blade_info.side_effect = ocs_exc.BladeTimeoutError(
            constants.CompletionCode.Timeout, 'Timeout',
            operation='GetBladeInfo', blade_id=3)

        self._assert_inspection_fails('slot is empty', 'msftocs_blade_id')
        self.client.get_blade_health.assert_not_called()

    def test_jbod_is_not_a_server(self):
        self.client.get_blade_info.return_value = fakes.blade_info(
            blade_type=constants.BladeType.Jbod, macs=())

        self._assert_inspection_fails('Jbod', 'not a server')
        self.client.get_blade_health.assert_not_called()

    def test_hard_powered_off_blade(self):
        self.client.get_blade_info.side_effect = (
            ocs_exc.DevicePoweredOffError(
                constants.CompletionCode.DevicePoweredOff,
                'DevicePoweredOff', operation='GetBladeInfo', blade_id=3))

        self._assert_inspection_fails('hard powered off',
                                      'Power the node on')

    def test_hard_powered_off_between_calls(self):
        self.client.get_blade_health.side_effect = (
            ocs_exc.DevicePoweredOffError(
                constants.CompletionCode.DevicePoweredOff,
                'DevicePoweredOff', operation='GetBladeHealth', blade_id=3))

        self._assert_inspection_fails('Power the node on')

    def test_bmc_still_decompressing(self):
        self.client.get_blade_info.side_effect = (
            ocs_exc.FirmwareDecompressingError(
                constants.CompletionCode.FirmwareDecompressing,
                'Decompression Time Remaining 21',
                operation='GetBladeInfo', blade_id=3))

        self._assert_inspection_fails('still starting', '21 seconds')

    def test_no_memory_reported(self):
        self.client.get_blade_health.return_value = fakes.blade_health(
            dimms=(('NotPresent', 0),))

        self._assert_inspection_fails('no memory')

    def test_other_chassis_error_is_translated(self):
        self.client.get_blade_health.side_effect = (
            ocs_exc.CompletionCodeError(
                constants.CompletionCode.Failure, 'IPMI error',
                operation='GetBladeHealth', blade_id=3))

        exc = self.assertRaises(msftocs_exc.MsftOcsError, self._inspect)

        self.assertIn(self.node.uuid, str(exc))
        self.assertIn('Failure', str(exc))
        self.assertEqual([], self._ports())

    def test_connection_error_is_translated(self):
        self.client.get_blade_info.side_effect = ocs_exc.ConnectionError(
            'connection refused', operation='GetBladeInfo', blade_id=3)

        exc = self.assertRaises(msftocs_exc.MsftOcsConnectionError,
                                self._inspect)

        self.assertIn(self.node.uuid, str(exc))
        self.assertNotIn(fakes.PASSWORD, str(exc))
