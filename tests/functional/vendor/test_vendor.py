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

"""Vendor passthru through ironic's task manager and the emulator."""

import json
import time

from ironic.common import exception
from oslo_messaging import opts as oslo_messaging_opts

from msftocs_driver.common import rpc_budget
from msftocs_driver.emulator import inventory
from msftocs_driver import exception as msftocs_exc
from tests.functional.inspect import emulated


class VendorTestCase(emulated.EmulatedChassisTestCase):

    def _call(self, method, **kwargs):
        """Validate and run a passthru method the way the conductor does.

        Reads run under a shared lock, writes under an exclusive one.
        :returns: the method's result, checked to be JSON without secrets.
        """
        with self.acquire() as probe:
            route = probe.driver.vendor.vendor_routes[method]
        with self.acquire(shared=not route['require_exclusive_lock']) as task:
            http_method = route['http_methods'][0]
            task.driver.vendor.validate(task, method=method,
                                        http_method=http_method, **kwargs)
            result = route['func'](task, http_method=http_method, **kwargs)
        self.assertNotIn(emulated.PASSWORD, json.dumps(result))
        return result

    def test_blade_info(self):
        result = self._call('blade_info')

        self.assertEqual(3, result['blade_id'])
        self.assertEqual('Server', result['blade_type'])
        self.assertEqual(inventory.blade_serial(3), result['serial_number'])
        self.assertEqual(inventory.BLADE_FIRMWARE,
                         result['firmware_version'])
        self.assertEqual([{'device_id': 1,
                           'mac_address': emulated.MAC.lower()},
                          {'device_id': 2, 'mac_address': None}],
                         result['nics'])
        self.assertEqual({'GetBladeInfo': 1}, self.operations())

    def test_chassis_info(self):
        result = self._call('chassis_info')

        self.assertEqual(inventory.CHASSIS_SERIAL, result['serial_number'])
        self.assertEqual(24, len(result['blades']))
        blade = [b for b in result['blades'] if b['blade_id'] == 3][0]
        self.assertIn(emulated.MAC.lower(), blade['mac_addresses'])

    def test_power_reading(self):
        self.emulator.set_blade(3, host_on=True)

        result = self._call('power_reading')

        self.assertEqual(3, result['blade_id'])
        self.assertGreater(result['watts'], 0)
        self.assertEqual({'GetBladePowerReading': 1}, self.operations())

    def test_set_power_limit_and_read_it_back(self):
        self.assertIsNone(self._call('set_power_limit', watts='450'))

        blade = self.emulator.blade(3)
        self.assertEqual(450, blade['power_limit'])
        self.assertFalse(blade['power_limit_active'])
        self.assertEqual({'blade_id': 3, 'watts': 450, 'active': False},
                         self._call('power_limit'))

    def test_power_limit_on_and_off(self):
        self._call('power_limit_on')
        self.assertTrue(self.emulator.blade(3)['power_limit_active'])
        self.assertTrue(self._call('power_limit')['active'])

        self._call('power_limit_off')
        self.assertFalse(self.emulator.blade(3)['power_limit_active'])
        self.assertFalse(self._call('power_limit')['active'])

    def test_out_of_range_limit_never_reaches_the_chassis(self):
        for watts in (119, 1001):
            exc = self.assertRaises(exception.InvalidParameterValue,
                                    self._call, 'set_power_limit',
                                    watts=watts)
            self.assertIn('"watts"', str(exc))
        self.assertEqual(0, self.emulator.stats()['total'])
        self.assertEqual(400, self.emulator.blade(3)['power_limit'])

    def test_hard_powered_off_blade(self):
        self.emulator.set_blade(3, switch_on=False)

        exc = self.assertRaises(msftocs_exc.MsftOcsError,
                                self._call, 'power_reading')

        self.assertIn(self.node.uuid, str(exc))
        self.assertIn('DevicePoweredOff', str(exc))

    def test_jbod_power_limit(self):
        self.node = self.create_emulated_node(emulated.JBOD_SLOT)

        exc = self.assertRaises(msftocs_exc.MsftOcsError,
                                self._call, 'power_limit_on')

        self.assertIn('CommandNotValidForBlade', str(exc))

    def test_slow_chassis_info_ends_before_the_rpc_call_gives_up(self):
        # The API waits rpc_response_timeout (10 s) for the reply; a chassis
        # manager answering after 20 s, with a 60 s read timeout and two
        # retries, would hold the conductor thread for minutes after that.
        for group, options in oslo_messaging_opts.list_opts():
            if group is None:
                rpc_budget.CONF.register_opts(options)
        self.config(rpc_response_timeout=10)
        self.config(read_timeout=60, retries=2, group='msftocs')
        self.emulator.add_fault(kind='delay', seconds=20,
                                operations=['GetChassisInfo'])
        start = time.monotonic()

        exc = self.assertRaises(msftocs_exc.MsftOcsConnectionError,
                                self._call, 'chassis_info')

        # The budget is 10 s less a 5 s margin; 1 s of slack.
        self.assertLess(time.monotonic() - start, 5 + 1)
        self.assertIn('time limit', str(exc))
        self.assertIn(self.node.uuid, str(exc))
        self.assertEqual({'GetChassisInfo': 1}, self.operations())
