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

"""Unit tests of the blade_log and post_code passthru methods."""

import datetime

from ironic.common import exception

from msftocs_driver import exception as msftocs_exc
from msftocs_driver.ocs import constants
from msftocs_driver.ocs import exceptions as ocs_exc
from msftocs_driver.ocs import maintenance_api
from msftocs_driver import vendor
from tests.unit.vendor import test_vendor

CODE = constants.CompletionCode


def _entries(count):
    return tuple(maintenance_api.LogEntry('2026-03-09T10:%02d:00' % (i % 60),
                                          'event %d' % i)
                 for i in range(count))


class BladeLogTestCase(test_vendor.MockedVendorTestCase):

    def test_blade_log(self):
        self.client.read_blade_log.return_value = _entries(2)
        result = self._assert_json(self._call('blade_log', shared=True))
        self.client.read_blade_log.assert_called_once_with(3, None, None)
        self.assertEqual({'blade_id': 3, 'total': 2, 'truncated': False,
                          'entries': [
                              {'time': '2026-03-09T10:00:00',
                               'description': 'event 0'},
                              {'time': '2026-03-09T10:01:00',
                               'description': 'event 1'}]}, result)

    def test_blade_log_keeps_the_newest_entries(self):
        count = vendor.MAX_LOG_ENTRIES + 50
        self.client.read_blade_log.return_value = (
            _entries(count - 1) + (maintenance_api.LogEntry(
                None, 'x' * (vendor.MAX_LOG_DESCRIPTION * 3)),))
        result = self._call('blade_log', shared=True)
        self.assertEqual(vendor.MAX_LOG_ENTRIES, len(result['entries']))
        self.assertTrue(result['truncated'])
        self.assertEqual(count, result['total'])
        self.assertEqual('event 50', result['entries'][0]['description'])
        self.assertEqual(vendor.MAX_LOG_DESCRIPTION,
                         len(result['entries'][-1]['description']))

    def test_blade_log_between_times(self):
        self.client.read_blade_log.return_value = ()
        self._call('blade_log', shared=True, start='2026-03-09T10:00:00',
                   end='2026-03-09T12:00:00+02:00')
        self.client.read_blade_log.assert_called_once_with(
            3, datetime.datetime(2026, 3, 9, 10),
            datetime.datetime(2026, 3, 9, 10))

    def test_blade_log_with_one_bound(self):
        self.client.read_blade_log.return_value = ()
        self._call('blade_log', shared=True, start='2026-03-09T10:00:00')
        self.client.read_blade_log.assert_called_once_with(
            3, datetime.datetime(2026, 3, 9, 10),
            datetime.datetime(9999, 12, 31, 23, 59, 59))

    def test_blade_log_bad_times_rejected_before_any_call(self):
        for kwargs in ({'start': 'yesterday'}, {'end': '10:00 tomorrow'},
                       {'start': '2026-03-09T12:00:00',
                        'end': '2026-03-09T10:00:00'}):
            exc = self.assertRaises(exception.InvalidParameterValue,
                                    self._call, 'blade_log', shared=True,
                                    **kwargs)
            self.assertIn(self.node.uuid, str(exc))
        self.assertRaises(exception.InvalidParameterValue, self._call,
                          'blade_log', shared=True, limit=5)
        self.client.read_blade_log.assert_not_called()

    def test_blade_log_of_a_jbod(self):
        self.client.read_blade_log.side_effect = (
            ocs_exc.CommandNotValidForBladeError(
                CODE.CommandNotValidForBlade, operation='ReadBladeLog',
                blade_id=3))
        exc = self.assertRaises(msftocs_exc.MsftOcsError, self._call,
                                'blade_log', shared=True)
        self.assertIn('JBOD', str(exc))

    def test_post_code(self):
        self.client.get_post_code.return_value = maintenance_api.PostCode(
            3, 'B2', 'AA')
        self.assertEqual({'blade_id': 3, 'post_code': 'B2',
                          'previous_post_code': 'AA'},
                         self._assert_json(self._call('post_code',
                                                      shared=True)))
        self.client.get_post_code.assert_called_once_with(3)

    def test_post_code_takes_no_argument(self):
        self.assertRaises(exception.InvalidParameterValue, self._call,
                          'post_code', shared=True, code='x')
        self.client.get_post_code.assert_not_called()
