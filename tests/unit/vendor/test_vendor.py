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

"""Unit tests of MsftOcsVendorPassthru with a mocked chassis client."""

import json
from unittest import mock

import fixtures
from ironic.common import exception
from ironic.conductor import task_manager
from ironic.tests.unit.objects import utils as obj_utils
from oslo_config import cfg
from oslo_messaging import opts as oslo_messaging_opts

from msftocs_driver.common import client_cache
from msftocs_driver.common import driver_info
from msftocs_driver.common import rpc_budget
from msftocs_driver.common import state_cache
from msftocs_driver import exception as msftocs_exc
from msftocs_driver.ocs import client as ocs_client
from msftocs_driver.ocs import constants
from msftocs_driver.ocs import exceptions as ocs_exc
from msftocs_driver.ocs import failures as ocs_failures
from msftocs_driver.ocs import models
from msftocs_driver.ocs import version
from msftocs_driver import vendor
from tests import base
from tests.unit.inspect import fakes

READS = ('chassis_info', 'blade_info', 'power_reading', 'power_limit',
         'blade_log', 'post_code')
WRITES = ('set_power_limit', 'power_limit_on', 'power_limit_off')


class MockedVendorTestCase(base.MsftOcsTestCase):
    """A node with the msftocs vendor interface and a mocked client."""

    def setUp(self):
        super().setUp()
        self.node = obj_utils.create_test_node(
            self.context, driver='msftocs', driver_info=fakes.DRIVER_INFO,
            vendor_interface='msftocs')
        self.client = mock.create_autospec(ocs_client.ChassisManagerClient,
                                           instance=True)
        borrowed = mock.patch.object(client_cache, 'borrowed_client',
                                     autospec=True).start()
        borrowed.return_value.__enter__.return_value = self.client
        self.addCleanup(mock.patch.stopall)

    def _call(self, method, shared=False, **kwargs):
        """Validate and call a passthru method as the conductor does."""
        with task_manager.acquire(self.context, self.node.uuid,
                                  shared=shared) as task:
            iface = task.driver.vendor
            route = iface.vendor_routes[method]
            http_method = route['http_methods'][0]
            iface.validate(task, method=method, http_method=http_method,
                           **kwargs)
            return route['func'](task, http_method=http_method, **kwargs)

    def _validate(self, method, **kwargs):
        with task_manager.acquire(self.context, self.node.uuid) as task:
            task.driver.vendor.validate(task, method=method,
                                        http_method='POST', **kwargs)

    def _assert_json(self, result):
        text = json.dumps(result)
        self.assertNotIn(fakes.PASSWORD, text)
        self.assertNotIn('cm01.example.org', text)
        return json.loads(text)


class VendorTestCase(MockedVendorTestCase):

    def test_interface_is_loaded(self):
        with task_manager.acquire(self.context, self.node.uuid,
                                  shared=True) as task:
            self.assertIsInstance(task.driver.vendor,
                                  vendor.MsftOcsVendorPassthru)

    def test_get_properties(self):
        self.assertEqual(driver_info.COMMON_PROPERTIES,
                         vendor.MsftOcsVendorPassthru().get_properties())

    def test_routes(self):
        routes = vendor.MsftOcsVendorPassthru().vendor_routes
        self.assertEqual(set(READS + WRITES), set(routes))
        for method in READS:
            self.assertEqual(['GET'], routes[method]['http_methods'])
            self.assertFalse(routes[method]['async'], method)
            self.assertFalse(routes[method]['require_exclusive_lock'],
                             method)
        for method in WRITES:
            self.assertEqual(['POST'], routes[method]['http_methods'])
            self.assertTrue(routes[method]['async'], method)
            self.assertTrue(routes[method]['require_exclusive_lock'],
                            method)
        for method, route in routes.items():
            self.assertGreater(len(route['description']), 40, method)
            self.assertFalse(route['attach'], method)
        self.assertIn('120', routes['set_power_limit']['description'])
        self.assertIn('1000', routes['set_power_limit']['description'])

    def test_validate_without_method_checks_driver_info(self):
        self.node.driver_info = {'msftocs_blade_id': 3}
        self.node.save()
        with task_manager.acquire(self.context, self.node.uuid,
                                  shared=True) as task:
            self.assertRaises(exception.MissingParameterValue,
                              task.driver.vendor.validate, task)

    def test_validate_accepts_limits_in_range(self):
        for watts in (120, 1000, '400', ' 450 ', 600.0):
            self._validate('set_power_limit', watts=watts)
        self.assertEqual([], self.client.mock_calls)

    def test_validate_rejects_bad_watts_before_any_call(self):
        for watts in (119, 1001, '0', '-5', 'abc', '400.5', 400.5, True,
                      [400], {'w': 400}):
            exc = self.assertRaises(exception.InvalidParameterValue,
                                    self._validate, 'set_power_limit',
                                    watts=watts)
            self.assertIn('"watts"', str(exc))
            self.assertIn(self.node.uuid, str(exc))
        self.assertEqual([], self.client.mock_calls)

    def test_validate_requires_watts(self):
        for kwargs in ({}, {'watts': None}, {'watts': ''}):
            exc = self.assertRaises(exception.MissingParameterValue,
                                    self._validate, 'set_power_limit',
                                    **kwargs)
            self.assertIn('"watts"', str(exc))
        self.assertEqual([], self.client.mock_calls)

    def test_validate_rejects_unexpected_arguments(self):
        exc = self.assertRaises(exception.InvalidParameterValue,
                                self._validate, 'power_limit_on', watts=400)
        self.assertIn('watts', str(exc))
        exc = self.assertRaises(exception.InvalidParameterValue,
                                self._validate, 'set_power_limit',
                                watts=400, force=True)
        self.assertIn('force', str(exc))
        self.assertEqual([], self.client.mock_calls)

    def test_validate_rejects_unknown_method(self):
        self.assertRaises(exception.InvalidParameterValue,
                          self._validate, 'reformat_disks')

    def test_chassis_info(self):
        self.client.get_chassis_info.return_value = models.ChassisInfo(
            serial_number='CM-SN-1', asset_tag='', firmware_version='2.5',
            hardware_version='A1', software_version='2.5.0.0',
            system_uptime='12:00:00',
            blades=(models.ChassisBladeInfo(
                blade_id=1, guid='4c4c4544-0000', name='BLADE1',
                power_state=constants.PowerState.ON,
                mac_addresses=(fakes.MAC_1, '')),))
        self.client.cm_version.return_value = version.parse('2.0.1.3')

        result = self._assert_json(self._call('chassis_info', shared=True))

        self.assertEqual('2.0.1.3', result['cm_version'])
        self.assertEqual('CM-SN-1', result['serial_number'])
        self.assertEqual('2.5.0.0', result['software_version'])
        self.assertEqual([{'blade_id': 1, 'guid': '4c4c4544-0000',
                           'name': 'BLADE1', 'power_state': 'ON',
                           'mac_addresses': [fakes.MAC_1.lower()]}],
                         result['blades'])
        self.client.get_chassis_info.assert_called_once_with()

    def test_blade_info(self):
        self.client.get_blade_info.return_value = fakes.blade_info()

        result = self._assert_json(self._call('blade_info', shared=True))

        self.assertEqual({'blade_id': 3, 'blade_type': 'Server',
                          'serial_number': 'QTFCTM3230105',
                          'asset_tag': 'RACK7-U12',
                          'firmware_version': '03.05.09',
                          'hardware_version': 'C1030Q',
                          'nics': [{'device_id': 1,
                                    'mac_address': fakes.MAC_1.lower()},
                                   {'device_id': 2, 'mac_address': None}]},
                         result)
        self.client.get_blade_info.assert_called_once_with(3)

    def test_power_reading(self):
        self.client.get_blade_power_reading.return_value = (
            models.PowerReading(blade_id=3, watts=187.0))

        result = self._assert_json(self._call('power_reading', shared=True))

        self.assertEqual({'blade_id': 3, 'watts': 187.0}, result)
        self.client.get_blade_power_reading.assert_called_once_with(3)

    def test_power_limit(self):
        self.client.get_blade_power_limit.return_value = models.PowerLimit(
            blade_id=3, watts=400.0, active=None)

        result = self._assert_json(self._call('power_limit', shared=True))

        self.assertEqual({'blade_id': 3, 'watts': 400.0, 'active': None},
                         result)
        self.client.get_blade_power_limit.assert_called_once_with(3)

    def test_set_power_limit(self):
        self.assertIsNone(self._call('set_power_limit', watts='450'))

        self.client.set_blade_power_limit.assert_called_once_with(3, 450)

    def test_power_limit_on(self):
        self.assertIsNone(self._call('power_limit_on'))

        self.client.set_blade_power_limit_active.assert_called_once_with(
            3, True)

    def test_power_limit_off(self):
        self.assertIsNone(self._call('power_limit_off'))

        self.client.set_blade_power_limit_active.assert_called_once_with(
            3, False)

    def test_writes_invalidate_the_cached_power_state(self):
        for method, kwargs in (('set_power_limit', {'watts': 300}),
                               ('power_limit_on', {}),
                               ('power_limit_off', {})):
            with mock.patch.object(state_cache, 'invalidate',
                                   autospec=True) as invalidate:
                self._call(method, **kwargs)
            invalidate.assert_called_once_with(mock.ANY)
            self.assertEqual(self.node.uuid,
                             invalidate.call_args[0][0]['node_uuid'])

    def test_failed_write_invalidates_too(self):
        self.client.set_blade_power_limit_active.side_effect = (
            ocs_exc.ReadTimeoutError('no reply', blade_id=1))
        with mock.patch.object(state_cache, 'invalidate',
                               autospec=True) as invalidate:
            self.assertRaises(msftocs_exc.MsftOcsConnectionError,
                              self._call, 'power_limit_on')
        invalidate.assert_called_once_with(mock.ANY)

    def test_reads_leave_the_cached_power_state(self):
        self.client.get_blade_power_reading.return_value = (
            models.PowerReading(1, 100.0))
        with mock.patch.object(state_cache, 'invalidate',
                               autospec=True) as invalidate:
            self._call('power_reading', shared=True)
        invalidate.assert_not_called()

    def test_read_error_is_translated(self):
        self.client.get_blade_power_reading.side_effect = (
            ocs_exc.DevicePoweredOffError(
                constants.CompletionCode.DevicePoweredOff,
                'DevicePoweredOff', operation='GetBladePowerReading',
                blade_id=3))

        exc = self.assertRaises(msftocs_exc.MsftOcsError, self._call,
                                'power_reading', shared=True)

        self.assertIn(self.node.uuid, str(exc))
        self.assertIn('DevicePoweredOff', str(exc))

    def test_jbod_error_is_translated(self):
        self.client.set_blade_power_limit_active.side_effect = (
            ocs_exc.CommandNotValidForBladeError(
                constants.CompletionCode.CommandNotValidForBlade,
                'CommandNotValidForBlade', operation='SetBladePowerLimitOn',
                blade_id=3))

        exc = self.assertRaises(msftocs_exc.MsftOcsError, self._call,
                                'power_limit_on')

        self.assertIn('not a server', str(exc))

    def test_authentication_error_is_translated(self):
        self.client.set_blade_power_limit.side_effect = (
            ocs_exc.AuthenticationError('HTTP 401',
                                        operation='SetBladePowerLimit',
                                        blade_id=3))

        exc = self.assertRaises(msftocs_exc.MsftOcsAuthenticationError,
                                self._call, 'set_power_limit', watts=300)

        self.assertIn(self.node.uuid, str(exc))
        self.assertNotIn(fakes.PASSWORD, str(exc))


class SynchronousBudgetTestCase(MockedVendorTestCase):
    """Every synchronous passthru ends before the API stops waiting."""

    def _time_left_during(self, method):
        seen = []

        def recorder(value):
            def record(*args, **kwargs):
                seen.append(ocs_failures.time_left())
                return value
            return record

        reply = mock.MagicMock(blades=(), nics=(), watts=1.0, blade_id=3,
                               active=True)
        for name in ('get_chassis_info', 'get_blade_info',
                     'get_blade_power_reading', 'get_blade_power_limit',
                     'get_post_code'):
            getattr(self.client, name).side_effect = recorder(reply)
        self.client.read_blade_log.side_effect = recorder(())
        self._call(method, shared=True)
        self.assertEqual(1, len(seen), method)
        return seen[0]

    def test_every_synchronous_read_is_bounded_by_the_rpc_timeout(self):
        self._register_rpc_options()
        self.config(rpc_response_timeout=30)
        routes = vendor.MsftOcsVendorPassthru().vendor_routes
        synchronous = [m for m, r in routes.items() if not r['async']]
        self.assertEqual(set(READS), set(synchronous))
        for method in synchronous:
            left = self._time_left_during(method)
            self.assertIsNotNone(left, method)
            # 30 s less the 20 % margin (at least 5 s).
            self.assertLessEqual(left, 24.0, method)
            self.assertGreater(left, 20.0, method)

    def test_json_rpc_timeout_applies_with_json_rpc(self):
        self._register_rpc_options()
        self.config(rpc_response_timeout=30)
        self.config(rpc_transport='json-rpc')
        self.config(timeout=100, group='json_rpc')
        left = self._time_left_during('chassis_info')
        self.assertLessEqual(left, 80.0)
        self.assertGreater(left, 70.0)

    def test_unregistered_rpc_timeout_uses_oslo_messaging_default(self):
        self.useFixture(fixtures.MonkeyPatch(
            'msftocs_driver.common.rpc_budget.CONF', cfg.ConfigOpts()))
        self.assertEqual(60.0, rpc_budget.rpc_timeout())
        self.assertEqual(48.0, rpc_budget.synchronous_budget())

    def test_tiny_rpc_timeout_keeps_a_minimum_budget(self):
        self._register_rpc_options()
        self.config(rpc_response_timeout=3)
        self.assertEqual(rpc_budget.MIN_BUDGET,
                         rpc_budget.synchronous_budget())

    def test_writes_are_asynchronous_and_not_bounded(self):
        seen = []
        self.client.set_blade_power_limit.side_effect = (
            lambda *a: seen.append(ocs_failures.time_left()))
        self._call('set_power_limit', watts=300)
        self.assertEqual([None], seen)

    @staticmethod
    def _register_rpc_options():
        # As oslo.messaging does in a conductor (equal options may be
        # registered again).
        for group, options in oslo_messaging_opts.list_opts():
            if group is None:
                rpc_budget.CONF.register_opts(options)
