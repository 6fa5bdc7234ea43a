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

"""Tests of driver_info parsing."""

import tempfile
from unittest import mock

from ironic.common import exception

from msftocs_driver.common import driver_info
from msftocs_driver import hardware
from tests import base


class ParseDriverInfoTestCase(base.MsftOcsTestCase):

    def _parse(self, **changes):
        node = self.create_node(**changes)
        return node, driver_info.parse_driver_info(node)

    def test_valid(self):
        node, info = self._parse()
        self.assertEqual({'base_url': 'https://cm01:8000', 'blade_id': 3,
                          'username': 'admin', 'password': 's3cret',
                          'verify_ca': True, 'auth_type': 'auto',
                          'terminal_port': None, 'node_uuid': node.uuid},
                         info)

    def test_blade_id_as_string(self):
        _, info = self._parse(msftocs_blade_id=' 48 ')
        self.assertEqual(48, info['blade_id'])

    def test_blade_id_bounds(self):
        _, info = self._parse(msftocs_blade_id='1')
        self.assertEqual(1, info['blade_id'])
        for bad in (0, 49, '0', '49', -1, 'three', 3.5, True, '0x3'):
            node = self.create_node(msftocs_blade_id=bad)
            exc = self.assertRaises(exception.InvalidParameterValue,
                                    driver_info.parse_driver_info, node)
            self.assertIn('msftocs_blade_id', str(exc))
            self.assertIn(node.uuid, str(exc))

    def test_all_missing_reported_at_once(self):
        node = self.create_node()
        node.driver_info = {'msftocs_blade_id': 3, 'msftocs_password': ''}
        exc = self.assertRaises(exception.MissingParameterValue,
                                driver_info.parse_driver_info, node)
        for key in ('msftocs_base_url', 'msftocs_username',
                    'msftocs_password'):
            self.assertIn(key, str(exc))
        self.assertNotIn('msftocs_blade_id', str(exc))
        self.assertIn(node.uuid, str(exc))

    def test_urls_accepted(self):
        cases = {
            'https://cm01:8000': 'https://cm01:8000',
            'http://cm01': 'http://cm01',
            'https://CM01.example.com:8000/': 'https://cm01.example.com:8000',
            'http://[fd00::1]:8000': 'http://[fd00::1]:8000',
            'fd00::1': 'https://[fd00::1]',
            'cm01:8000': 'https://cm01:8000',
            '192.0.2.7': 'https://192.0.2.7',
        }
        for url, expected in cases.items():
            _, info = self._parse(msftocs_base_url=url)
            self.assertEqual(expected, info['base_url'], url)

    def test_urls_rejected(self):
        for url in ('ftp://cm01', 'https://cm01:8000/path',
                    'https://cm01?x=1', 'https://cm01#frag',
                    'https://cm01:99999', 'https://cm01:0',
                    'https://cm01:port', 'https://', 'https://cm 01', 42):
            node = self.create_node(msftocs_base_url=url)
            exc = self.assertRaises(exception.InvalidParameterValue,
                                    driver_info.parse_driver_info, node)
            self.assertIn('msftocs_base_url', str(exc))
            self.assertIn(node.uuid, str(exc))

    def test_url_with_credentials_rejected_without_echo(self):
        node = self.create_node(
            msftocs_base_url='https://admin:hunter2@cm01')
        exc = self.assertRaises(exception.InvalidParameterValue,
                                driver_info.parse_driver_info, node)
        self.assertIn('msftocs_base_url', str(exc))
        self.assertNotIn('hunter2', str(exc))

    def test_url_normalisation_memoised(self):
        driver_info._normalise_base_url.cache_clear()
        self.addCleanup(driver_info._normalise_base_url.cache_clear)
        with mock.patch.object(
                driver_info.encoding, 'validate_base_url', autospec=True,
                side_effect=driver_info.encoding.validate_base_url
        ) as validate:
            for blade_id in (1, 2, 3):
                _, info = self._parse(msftocs_blade_id=blade_id)
                self.assertEqual('https://cm01:8000', info['base_url'])
        validate.assert_called_once_with('https://cm01:8000')

    def test_url_errors_name_each_node(self):
        # Rejections are not memoised with a node in them: each node's
        # error names that node, and credentials never stay in the cache.
        driver_info._normalise_base_url.cache_clear()
        for _ in range(2):
            node = self.create_node(msftocs_base_url='https://u:hunter2@cm01')
            exc = self.assertRaises(exception.InvalidParameterValue,
                                    driver_info.parse_driver_info, node)
            self.assertIn(node.uuid, str(exc))
            self.assertNotIn('hunter2', str(exc))
        self.assertEqual(0, driver_info._normalise_base_url.cache_info()
                         .currsize)

    def test_verify_ca(self):
        for value, expected in ((False, False), ('false', False),
                                ('True', True), ('no', False)):
            _, info = self._parse(msftocs_verify_ca=value)
            self.assertEqual(expected, info['verify_ca'])
        with tempfile.NamedTemporaryFile() as ca:
            _, info = self._parse(msftocs_verify_ca=ca.name)
            self.assertEqual(ca.name, info['verify_ca'])
        for bad in ('/no/such/ca.pem', 7, ['x']):
            node = self.create_node(msftocs_verify_ca=bad)
            exc = self.assertRaises(exception.InvalidParameterValue,
                                    driver_info.parse_driver_info, node)
            self.assertIn('msftocs_verify_ca', str(exc))

    def test_verify_ca_config_default(self):
        self.config(verify_ca='false', group='msftocs')
        _, info = self._parse()
        self.assertFalse(info['verify_ca'])
        _, info = self._parse(msftocs_verify_ca=False)
        self.assertFalse(info['verify_ca'])

    def test_verify_ca_config_missing_file_blames_the_option(self):
        self.config(verify_ca='/no/such/ca.pem', group='msftocs')
        node = self.create_node()
        exc = self.assertRaises(exception.InvalidParameterValue,
                                driver_info.parse_driver_info, node)
        self.assertTrue(str(exc).startswith(
            "Invalid value '/no/such/ca.pem' of [msftocs]verify_ca"), exc)
        self.assertIn(node.uuid, str(exc))
        # A node's own setting and plain http never use the default.
        _, info = self._parse(msftocs_verify_ca=False)
        self.assertFalse(info['verify_ca'])
        _, info = self._parse(msftocs_base_url='http://cm01:8000')
        self.assertTrue(info['verify_ca'])

    def test_check_config_names_a_bad_verify_ca(self):
        self.config(verify_ca='/no/such/ca.pem', group='msftocs')
        with mock.patch.object(driver_info.LOG, 'error',
                               autospec=True) as error:
            hardware.MsftOcsHardware()
        error.assert_called_once()
        message = error.call_args[0][0] % error.call_args[0][1]
        self.assertIn('[msftocs]verify_ca', message)
        self.assertIn('/no/such/ca.pem', message)

    def test_check_config_quiet_when_usable(self):
        with tempfile.NamedTemporaryFile() as ca:
            for value in (None, 'false', ca.name):
                self.config(verify_ca=value, group='msftocs')
                with mock.patch.object(driver_info.LOG, 'error',
                                       autospec=True) as error:
                    driver_info.check_config()
                error.assert_not_called()

    def test_auth_type(self):
        _, info = self._parse(msftocs_auth_type='basic')
        self.assertEqual('basic', info['auth_type'])
        _, info = self._parse(msftocs_auth_type='Auto')
        self.assertEqual('auto', info['auth_type'])
        _, info = self._parse(msftocs_auth_type='NTLM')
        self.assertEqual('ntlm', info['auth_type'])
        self.config(auth_type='ntlm', group='msftocs')
        _, info = self._parse()
        self.assertEqual('ntlm', info['auth_type'])
        _, info = self._parse(msftocs_auth_type='auto')
        self.assertEqual('auto', info['auth_type'])
        node = self.create_node(msftocs_auth_type='digest')
        exc = self.assertRaises(exception.InvalidParameterValue,
                                driver_info.parse_driver_info, node)
        self.assertIn('msftocs_auth_type', str(exc))

    def test_terminal_port(self):
        _, info = self._parse(msftocs_terminal_port='10022')
        self.assertEqual(10022, info['terminal_port'])
        for bad in ('0', 70000, 'ssh'):
            node = self.create_node(msftocs_terminal_port=bad)
            exc = self.assertRaises(exception.InvalidParameterValue,
                                    driver_info.parse_driver_info, node)
            self.assertIn('msftocs_terminal_port', str(exc))

    def test_credentials_must_be_strings(self):
        node = self.create_node(msftocs_password=12345678)
        exc = self.assertRaises(exception.InvalidParameterValue,
                                driver_info.parse_driver_info, node)
        self.assertIn('msftocs_password', str(exc))
        self.assertNotIn('12345678', str(exc))

    def test_properties(self):
        self.assertEqual(set(driver_info.REQUIRED_PROPERTIES)
                         | set(driver_info.OPTIONAL_PROPERTIES),
                         set(driver_info.COMMON_PROPERTIES))
        self.assertIn('msftocs_terminal_port',
                      driver_info.CONSOLE_PROPERTIES)
