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

"""Unit tests of the command line and password of ``msftocs-console``."""

import io
import os
import tempfile
import unittest
from unittest import mock

from msftocs_driver.cmd import console_options as options

BASE_ARGS = ['--base-url', 'https://cm01:8000', '--blade-id', '3',
             '--username', 'admin']


class ParserTestCase(unittest.TestCase):

    def parse(self, *extra):
        return options.build_parser().parse_args(BASE_ARGS + list(extra))

    def test_defaults(self):
        args = self.parse()
        self.assertEqual('https://cm01:8000', args.base_url)
        self.assertEqual(3, args.blade_id)
        self.assertEqual('auto', args.auth_type)
        self.assertIs(True, args.verify_ca)
        self.assertEqual(3600, args.session_timeout)
        self.assertEqual(0.2, args.poll_interval)
        self.assertFalse(args.force_takeover)
        self.assertIsNone(args.password_file)

    def test_verify_ca_values(self):
        self.assertIs(False, self.parse('--verify-ca', 'False').verify_ca)
        self.assertIs(True, self.parse('--verify-ca', 'true').verify_ca)
        with tempfile.NamedTemporaryFile() as bundle:
            self.assertEqual(bundle.name,
                             self.parse('--verify-ca', bundle.name).verify_ca)

    def assertRejected(self, *extra):
        with mock.patch('sys.stderr', new_callable=io.StringIO) as err:
            with self.assertRaises(SystemExit) as ctx:
                self.parse(*extra)
        self.assertEqual(2, ctx.exception.code)
        return err.getvalue()

    def test_verify_ca_missing_path(self):
        err = self.assertRejected('--verify-ca', '/nonexistent/ca.pem')
        self.assertIn('/nonexistent/ca.pem', err)

    def test_session_timeout_range(self):
        self.assertEqual(0, self.parse('--session-timeout', '0')
                         .session_timeout)
        self.assertIn('3600', self.assertRejected('--session-timeout',
                                                  '3601'))
        self.assertRejected('--session-timeout', '-1')

    def test_blade_id_range(self):
        args = options.build_parser().parse_args(
            ['--base-url', 'x', '--username', 'u', '--blade-id', '48'])
        self.assertEqual(48, args.blade_id)
        with mock.patch('sys.stderr', new_callable=io.StringIO) as err:
            with self.assertRaises(SystemExit):
                options.build_parser().parse_args(
                    ['--base-url', 'x', '--username', 'u',
                     '--blade-id', '49'])
        self.assertIn('between 1 and 48', err.getvalue())

    def test_poll_interval_positive(self):
        self.assertRejected('--poll-interval', '0')

    def test_no_password_argument(self):
        # The password must never be accepted on the command line.
        self.assertRejected('--password', 'secret')

    def test_blade_id_required(self):
        with mock.patch('sys.stderr', new_callable=io.StringIO):
            with self.assertRaises(SystemExit):
                options.build_parser().parse_args(['--base-url', 'x',
                                                  '--username', 'u'])


class PasswordFileTestCase(unittest.TestCase):

    def setUp(self):
        super().setUp()
        self.tmp = tempfile.TemporaryDirectory()
        self.addCleanup(self.tmp.cleanup)
        self.path = os.path.join(self.tmp.name, 'node.pw')

    def write(self, content, mode=0o600):
        with open(self.path, 'wb') as pw_file:
            pw_file.write(content)
        os.chmod(self.path, mode)

    def test_reads_password(self):
        self.write(b's3cret')
        self.assertEqual('s3cret', options.read_password_file(self.path))

    def test_strips_one_trailing_newline(self):
        self.write(b' s3cret \r\n')
        self.assertEqual(' s3cret ', options.read_password_file(self.path))

    def test_stricter_mode_accepted(self):
        self.write(b's3cret', mode=0o400)
        self.assertEqual('s3cret', options.read_password_file(self.path))

    def test_group_readable_refused(self):
        self.write(b's3cret', mode=0o640)
        with self.assertRaisesRegex(options.UsageError, '0640.*0600'):
            options.read_password_file(self.path)

    def test_world_readable_refused(self):
        self.write(b's3cret', mode=0o604)
        self.assertRaises(options.UsageError, options.read_password_file,
                          self.path)

    def test_other_owner_refused(self):
        self.write(b's3cret')
        with mock.patch.object(os, 'geteuid', autospec=True,
                               return_value=os.geteuid() + 1):
            with self.assertRaisesRegex(options.UsageError, 'not owned'):
                options.read_password_file(self.path)

    def test_symlink_refused(self):
        self.write(b's3cret')
        link = os.path.join(self.tmp.name, 'link.pw')
        os.symlink(self.path, link)
        with self.assertRaisesRegex(options.UsageError, 'cannot open'):
            options.read_password_file(link)

    def test_fifo_refused(self):
        fifo = os.path.join(self.tmp.name, 'fifo')
        os.mkfifo(fifo, 0o600)
        with self.assertRaisesRegex(options.UsageError, 'not a regular'):
            options.read_password_file(fifo)

    def test_directory_refused(self):
        self.assertRaises(options.UsageError, options.read_password_file,
                          self.tmp.name)

    def test_missing_refused(self):
        with self.assertRaisesRegex(options.UsageError, 'cannot open'):
            options.read_password_file(self.path)

    def test_empty_refused(self):
        self.write(b'\n')
        with self.assertRaisesRegex(options.UsageError, 'empty'):
            options.read_password_file(self.path)

    def test_error_never_contains_the_password(self):
        self.write(b's3cret', mode=0o644)
        with self.assertRaises(options.UsageError) as ctx:
            options.read_password_file(self.path)
        self.assertNotIn('s3cret', str(ctx.exception))


class GetPasswordTestCase(unittest.TestCase):

    def args(self, password_file=None):
        return mock.Mock(password_file=password_file)

    def test_from_environment_and_removed(self):
        environ = {options.PASSWORD_ENV: 'envpw', 'OTHER': '1'}
        self.assertEqual('envpw', options.get_password(self.args(), environ))
        self.assertEqual({'OTHER': '1'}, environ)

    def test_file_takes_precedence(self):
        environ = {options.PASSWORD_ENV: 'envpw'}
        with mock.patch.object(options, 'read_password_file', autospec=True,
                               return_value='filepw') as reader:
            self.assertEqual('filepw',
                             options.get_password(self.args('/p'), environ))
        reader.assert_called_once_with('/p')
        self.assertNotIn(options.PASSWORD_ENV, environ)

    def test_no_password(self):
        with self.assertRaisesRegex(options.UsageError, 'MSFTOCS_PASSWORD'):
            options.get_password(self.args(), {})
