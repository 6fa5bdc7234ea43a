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

"""Unit tests of the console settings file and the bridge's token file."""

import json
import os
import stat
import tempfile
from unittest import mock

import testtools

from msftocs_driver.cmd import console as bridge
from msftocs_driver.cmd import console_options as options
from msftocs_driver.common import console_settings
from msftocs_driver.common import private_files

PASSWORD = 'pa ss,w:o"rd\u00e9'


def _settings(**updates):
    settings = {'base_url': 'https://cm01:8000', 'blade_id': 3,
                'username': 'LAB\\John Smith', 'password': PASSWORD,
                'auth_type': 'ntlm', 'verify_ca': False,
                'connect_timeout': 5.0, 'read_timeout': 30.0,
                'session_timeout': 600, 'poll_interval': 0.5,
                'force_takeover': True, 'token_file': '/run/x.token',
                'node_uuid': 'abc'}
    settings.update(updates)
    return settings


class SettingsFileTestCase(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.tempdir = tempfile.TemporaryDirectory()
        self.addCleanup(self.tempdir.cleanup)
        self.path = os.path.join(self.tempdir.name, 'node.settings')

    def test_round_trip_private(self):
        console_settings.write(self.path, _settings())
        self.assertEqual(0o600, stat.S_IMODE(os.stat(self.path).st_mode))
        self.assertEqual(_settings(), console_settings.read(self.path))

    def test_link_replaced_not_followed(self):
        target = os.path.join(self.tempdir.name, 'target')
        with open(target, 'w') as target_file:
            target_file.write('untouched')
        os.symlink(target, self.path)
        console_settings.write(self.path, _settings())
        self.assertFalse(os.path.islink(self.path))
        with open(target) as target_file:
            self.assertEqual('untouched', target_file.read())

    def test_readable_by_others_refused(self):
        console_settings.write(self.path, _settings())
        os.chmod(self.path, 0o640)
        error = self.assertRaises(private_files.PrivateFileError,
                                  console_settings.read, self.path)
        self.assertIn('0600', str(error))

    def test_link_refused(self):
        real = os.path.join(self.tempdir.name, 'real')
        console_settings.write(real, _settings())
        os.symlink(real, self.path)
        self.assertRaises(private_files.PrivateFileError,
                          console_settings.read, self.path)

    def test_missing_and_unknown_named_without_values(self):
        settings = _settings(colour='blue')
        del settings['blade_id']
        private_files.write(self.path, json.dumps(settings).encode())
        error = self.assertRaises(private_files.PrivateFileError,
                                  console_settings.read, self.path)
        self.assertIn('blade_id', str(error))
        self.assertIn('colour', str(error))
        self.assertNotIn('blue', str(error))

    def test_not_json(self):
        private_files.write(self.path, b'password=' + PASSWORD.encode())
        error = self.assertRaises(private_files.PrivateFileError,
                                  console_settings.read, self.path)
        self.assertNotIn(PASSWORD, str(error))


class ParseTestCase(SettingsFileTestCase):

    def test_settings_from_the_environment(self):
        console_settings.write(self.path, _settings())
        environ = {console_settings.SETTINGS_ENV: self.path,
                   options.PASSWORD_ENV: 'other'}
        args, password = options.parse([], environ)
        self.assertEqual({}, environ)
        self.assertEqual(PASSWORD, password)
        self.assertEqual(('https://cm01:8000', 3, 'LAB\\John Smith', 'ntlm',
                          False, 5.0, 30.0, 600, 0.5, True, '/run/x.token'),
                         (args.base_url, args.blade_id, args.username,
                          args.auth_type, args.verify_ca,
                          args.connect_timeout, args.read_timeout,
                          args.session_timeout, args.poll_interval,
                          args.force_takeover, args.token_file))
        self.assertIsNone(args.cm_version)

    def test_invalid_setting_named_password_never_shown(self):
        console_settings.write(self.path, _settings(blade_id=99))
        error = self.assertRaises(
            options.UsageError, options.parse, [],
            {console_settings.SETTINGS_ENV: self.path})
        self.assertIn('blade_id', str(error))
        self.assertNotIn(PASSWORD, str(error))

    def test_bad_flag_type(self):
        console_settings.write(self.path, _settings(force_takeover='yes'))
        error = self.assertRaises(
            options.UsageError, options.parse, [],
            {console_settings.SETTINGS_ENV: self.path})
        self.assertIn('force_takeover', str(error))

    def test_arguments_win_over_a_settings_file(self):
        environ = {console_settings.SETTINGS_ENV: self.path,
                   options.PASSWORD_ENV: 's3cret'}
        args, password = options.parse(
            ['--base-url', 'https://cm02', '--blade-id', '4',
             '--username', 'admin'], environ)
        self.assertEqual(('https://cm02', 4, 's3cret', None),
                         (args.base_url, args.blade_id, password,
                          args.token_file))
        self.assertEqual({}, environ)


class TokenKeeperTestCase(SettingsFileTestCase):

    def test_kept_private_then_forgotten(self):
        keep = bridge.token_keeper(self.path)
        keep('AA-BB')
        self.assertEqual(0o600, stat.S_IMODE(os.stat(self.path).st_mode))
        self.assertEqual(b'AA-BB', private_files.read(self.path))
        keep('CC-DD')
        self.assertEqual(b'CC-DD', private_files.read(self.path))
        keep(None)
        self.assertFalse(os.path.lexists(self.path))
        keep(None)

    def test_failure_is_not_fatal(self):
        keep = bridge.token_keeper(os.path.join(self.path, 'missing', 'x'))
        with mock.patch.object(bridge, '_fail', autospec=True) as fail:
            keep('AA-BB')
        self.assertIn('cannot keep the session token', fail.call_args[0][0])
        self.assertNotIn('AA-BB', fail.call_args[0][0])

    def test_nothing_kept_without_a_path(self):
        bridge.token_keeper(None)('AA-BB')
