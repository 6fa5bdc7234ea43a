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

"""Unit tests of the ``msftocs-console`` bridge program."""

import io
import os
import queue
import stat
import tempfile
import termios
import threading
import unittest
from unittest import mock

from msftocs_driver.cmd import console as bridge
from msftocs_driver.ocs import constants
from msftocs_driver.ocs import exceptions as ocs_exc

BASE_ARGS = ['--base-url', 'https://cm01:8000', '--blade-id', '3',
             '--username', 'admin']


def _code_error(cls, code, description=''):
    return cls(code, description, operation='StartBladeSerialSession',
               blade_id=3)


class FakeSession(object):
    """Records writes and serves reads from a queue."""

    def __init__(self, read_error=None, write_error=None):
        self.written = []
        self.output = queue.Queue()
        self.read_error = read_error
        self.write_error = write_error
        self.reads = 0

    def read(self):
        self.reads += 1
        if self.read_error is not None:
            raise self.read_error
        try:
            return self.output.get_nowait()
        except queue.Empty:
            return b''

    def write(self, data):
        if self.write_error is not None:
            raise self.write_error
        self.written.append(data)


class ParserTestCase(unittest.TestCase):

    def parse(self, *extra):
        return bridge.build_parser().parse_args(BASE_ARGS + list(extra))

    def test_defaults(self):
        args = self.parse()
        self.assertEqual('https://cm01:8000', args.base_url)
        self.assertEqual(3, args.blade_id)
        self.assertEqual('basic', args.auth_type)
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
        args = bridge.build_parser().parse_args(
            ['--base-url', 'x', '--username', 'u', '--blade-id', '48'])
        self.assertEqual(48, args.blade_id)
        with mock.patch('sys.stderr', new_callable=io.StringIO) as err:
            with self.assertRaises(SystemExit):
                bridge.build_parser().parse_args(
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
                bridge.build_parser().parse_args(['--base-url', 'x',
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
        self.assertEqual('s3cret', bridge.read_password_file(self.path))

    def test_strips_one_trailing_newline(self):
        self.write(b' s3cret \r\n')
        self.assertEqual(' s3cret ', bridge.read_password_file(self.path))

    def test_stricter_mode_accepted(self):
        self.write(b's3cret', mode=0o400)
        self.assertEqual('s3cret', bridge.read_password_file(self.path))

    def test_group_readable_refused(self):
        self.write(b's3cret', mode=0o640)
        with self.assertRaisesRegex(bridge.UsageError, '0640.*0600'):
            bridge.read_password_file(self.path)

    def test_world_readable_refused(self):
        self.write(b's3cret', mode=0o604)
        self.assertRaises(bridge.UsageError, bridge.read_password_file,
                          self.path)

    def test_other_owner_refused(self):
        self.write(b's3cret')
        with mock.patch.object(os, 'geteuid', autospec=True,
                               return_value=os.geteuid() + 1):
            with self.assertRaisesRegex(bridge.UsageError, 'not owned'):
                bridge.read_password_file(self.path)

    def test_symlink_refused(self):
        self.write(b's3cret')
        link = os.path.join(self.tmp.name, 'link.pw')
        os.symlink(self.path, link)
        with self.assertRaisesRegex(bridge.UsageError, 'cannot open'):
            bridge.read_password_file(link)

    def test_fifo_refused(self):
        fifo = os.path.join(self.tmp.name, 'fifo')
        os.mkfifo(fifo, 0o600)
        with self.assertRaisesRegex(bridge.UsageError, 'not a regular'):
            bridge.read_password_file(fifo)

    def test_directory_refused(self):
        self.assertRaises(bridge.UsageError, bridge.read_password_file,
                          self.tmp.name)

    def test_missing_refused(self):
        with self.assertRaisesRegex(bridge.UsageError, 'cannot open'):
            bridge.read_password_file(self.path)

    def test_empty_refused(self):
        self.write(b'\n')
        with self.assertRaisesRegex(bridge.UsageError, 'empty'):
            bridge.read_password_file(self.path)

    def test_error_never_contains_the_password(self):
        self.write(b's3cret', mode=0o644)
        with self.assertRaises(bridge.UsageError) as ctx:
            bridge.read_password_file(self.path)
        self.assertNotIn('s3cret', str(ctx.exception))


class GetPasswordTestCase(unittest.TestCase):

    def args(self, password_file=None):
        return mock.Mock(password_file=password_file)

    def test_from_environment_and_removed(self):
        environ = {bridge.PASSWORD_ENV: 'envpw', 'OTHER': '1'}
        self.assertEqual('envpw', bridge.get_password(self.args(), environ))
        self.assertEqual({'OTHER': '1'}, environ)

    def test_file_takes_precedence(self):
        environ = {bridge.PASSWORD_ENV: 'envpw'}
        with mock.patch.object(bridge, 'read_password_file', autospec=True,
                               return_value='filepw') as reader:
            self.assertEqual('filepw',
                             bridge.get_password(self.args('/p'), environ))
        reader.assert_called_once_with('/p')
        self.assertNotIn(bridge.PASSWORD_ENV, environ)

    def test_no_password(self):
        with self.assertRaisesRegex(bridge.UsageError, 'MSFTOCS_PASSWORD'):
            bridge.get_password(self.args(), {})


class DescribeErrorTestCase(unittest.TestCase):

    def describe(self, exc):
        text = bridge.describe_error(exc, 3)
        self.assertNotIn('\n', text)
        return text

    def test_powered_off(self):
        exc = _code_error(ocs_exc.DevicePoweredOffError,
                          constants.CompletionCode.DevicePoweredOff)
        self.assertIn('blade 3 has no power', self.describe(exc))

    def test_decompressing(self):
        exc = _code_error(ocs_exc.FirmwareDecompressingError,
                          constants.CompletionCode.FirmwareDecompressing,
                          'Decompression Time Remaining: 17')
        self.assertIn('about 17 s left', self.describe(exc))

    def test_session_held(self):
        exc = _code_error(ocs_exc.SerialSessionActiveError,
                          constants.CompletionCode.SerialSessionActive)
        self.assertIn('another client holds', self.describe(exc))

    def test_max_sessions(self):
        exc = _code_error(ocs_exc.MaxSerialSessionReachedError,
                          constants.CompletionCode.MaxSerialSessionReached)
        self.assertIn('maximum of 12 serial sessions', self.describe(exc))

    def test_authentication(self):
        exc = ocs_exc.AuthenticationError('HTTP 401')
        self.assertIn('rejected the credentials', self.describe(exc))

    def test_connection_multiline_detail_flattened(self):
        exc = ocs_exc.ConnectionError('refused\nby peer')
        self.assertEqual('cannot reach the chassis manager: refused by peer',
                         self.describe(exc))

    def test_other(self):
        exc = _code_error(ocs_exc.CompletionCodeError,
                          constants.CompletionCode.Failure)
        self.assertIn('completion code Failure', self.describe(exc))


class RawTerminalTestCase(unittest.TestCase):

    def test_raw_then_restored(self):
        master, slave = os.openpty()
        self.addCleanup(os.close, master)
        self.addCleanup(os.close, slave)
        before = termios.tcgetattr(slave)
        self.assertTrue(before[3] & termios.ECHO)
        with bridge.raw_terminal(slave):
            lflag = termios.tcgetattr(slave)[3]
            self.assertFalse(lflag & (termios.ECHO | termios.ICANON
                                      | termios.ISIG))
        self.assertEqual(before, termios.tcgetattr(slave))

    def test_restored_on_error(self):
        master, slave = os.openpty()
        self.addCleanup(os.close, master)
        self.addCleanup(os.close, slave)
        before = termios.tcgetattr(slave)
        with self.assertRaises(RuntimeError):
            with bridge.raw_terminal(slave):
                raise RuntimeError()
        self.assertEqual(before, termios.tcgetattr(slave))

    def test_not_a_terminal(self):
        read_fd, write_fd = os.pipe()
        self.addCleanup(os.close, read_fd)
        self.addCleanup(os.close, write_fd)
        with bridge.raw_terminal(read_fd):
            pass


class BridgeTestCase(unittest.TestCase):

    def setUp(self):
        super().setUp()
        self.in_r, self.in_w = os.pipe()
        self.out_r, self.out_w = os.pipe()
        for fd in (self.in_r, self.out_r, self.out_w):
            self.addCleanup(os.close, fd)

    def start(self, session):
        self.bridge = bridge.Bridge(session, self.in_r, self.out_w, 0.01)
        self.result = {}

        def run():
            try:
                self.bridge.run()
            except Exception as exc:
                self.result['error'] = exc
        self.thread = threading.Thread(target=run, daemon=True)
        self.thread.start()

    def finish(self):
        self.thread.join(10)
        self.assertFalse(self.thread.is_alive())
        return self.result.get('error')

    def close_input(self):
        os.close(self.in_w)
        self.in_w = None

    def tearDown(self):
        if self.in_w is not None:
            os.close(self.in_w)
        super().tearDown()

    def test_copies_both_ways_until_eof(self):
        session = FakeSession()
        session.output.put(b'login: ')
        self.start(session)
        os.write(self.in_w, b'root\r')
        self.assertEqual(b'login: ', os.read(self.out_r, 100))
        session.output.put(b'\x00\xffraw')
        self.assertEqual(b'\x00\xffraw', os.read(self.out_r, 100))
        self.close_input()
        self.assertIsNone(self.finish())
        self.assertEqual(b'root\r', b''.join(session.written))

    def test_stop_ends_the_bridge(self):
        session = FakeSession()
        self.start(session)
        self.bridge.stop()
        self.assertIsNone(self.finish())
        self.assertEqual([], session.written)

    def test_read_error_is_raised(self):
        error = _code_error(ocs_exc.DevicePoweredOffError,
                            constants.CompletionCode.DevicePoweredOff)
        self.start(FakeSession(read_error=error))
        self.assertIs(error, self.finish())

    def test_write_error_is_raised(self):
        error = ocs_exc.ConnectionError('refused')
        self.start(FakeSession(write_error=error))
        os.write(self.in_w, b'x')
        self.assertIs(error, self.finish())

    def test_input_error_is_end_of_input(self):
        session = FakeSession()
        with mock.patch.object(os, 'read', autospec=True,
                               side_effect=OSError(5, 'EIO')):
            self.start(session)
            os.write(self.in_w, b'x')
            self.assertIsNone(self.finish())


class MainTestCase(unittest.TestCase):

    def setUp(self):
        super().setUp()
        self.in_r, self.in_w = os.pipe()
        self.out_r, self.out_w = os.pipe()
        os.close(self.in_w)  # end of input right away
        for fd in (self.in_r, self.out_r, self.out_w):
            self.addCleanup(os.close, fd)
        self.stdin = mock.Mock(fileno=mock.Mock(return_value=self.in_r))
        self.stdout = mock.Mock(fileno=mock.Mock(return_value=self.out_w))
        self.stderr = io.StringIO()
        for name, value in (('stdin', self.stdin), ('stdout', self.stdout),
                            ('stderr', self.stderr)):
            patcher = mock.patch.object(bridge.sys, name, value)
            patcher.start()
            self.addCleanup(patcher.stop)
        self.environ = {bridge.PASSWORD_ENV: 's3cret'}
        patcher = mock.patch.dict(os.environ, self.environ, clear=False)
        patcher.start()
        self.addCleanup(patcher.stop)
        self.client_cls = self.patch('msftocs_driver.ocs.client.'
                                     'ChassisManagerClient')
        self.session_cls = self.patch('msftocs_driver.ocs.serial.'
                                      'SerialSession')
        self.session = self.session_cls.return_value
        self.session.read.return_value = b''

    def patch(self, target):
        patcher = mock.patch(target, autospec=True)
        self.addCleanup(patcher.stop)
        return patcher.start()

    def test_clean_exit_on_end_of_input(self):
        status = bridge.main(BASE_ARGS + ['--auth-type', 'ntlm',
                                          '--verify-ca', 'false',
                                          '--session-timeout', '600',
                                          '--poll-interval', '0.05',
                                          '--force-takeover'])
        self.assertEqual(bridge.EXIT_OK, status)
        self.client_cls.assert_called_once_with(
            'https://cm01:8000', 'admin', 's3cret', auth='ntlm',
            verify=False, connect_timeout=10.0, read_timeout=60.0)
        self.session_cls.assert_called_once_with(
            self.client_cls.return_value, 3, session_timeout=600,
            poll_interval=0.05, force_takeover=True)
        self.session.open.assert_called_once_with()
        self.session.close.assert_called_once_with()
        self.client_cls.return_value.close.assert_called_once_with()
        self.assertEqual('', self.stderr.getvalue())
        self.assertNotIn(bridge.PASSWORD_ENV, os.environ)

    def test_open_error_one_line(self):
        self.session.open.side_effect = _code_error(
            ocs_exc.MaxSerialSessionReachedError,
            constants.CompletionCode.MaxSerialSessionReached)
        self.assertEqual(bridge.EXIT_CM_ERROR, bridge.main(BASE_ARGS))
        lines = self.stderr.getvalue().splitlines()
        self.assertEqual(1, len(lines))
        self.assertTrue(lines[0].startswith('msftocs-console: '))
        self.session.close.assert_called_once_with()
        self.client_cls.return_value.close.assert_called_once_with()

    def test_no_password(self):
        del os.environ[bridge.PASSWORD_ENV]
        self.assertEqual(bridge.EXIT_USAGE, bridge.main(BASE_ARGS))
        self.assertIn('no password', self.stderr.getvalue())
        self.client_cls.assert_not_called()

    def test_unsafe_password_file(self):
        with tempfile.NamedTemporaryFile() as pw_file:
            os.chmod(pw_file.name, stat.S_IRUSR | stat.S_IRGRP)
            status = bridge.main(BASE_ARGS + ['--password-file',
                                              pw_file.name])
        self.assertEqual(bridge.EXIT_USAGE, status)
        self.assertIn('0600', self.stderr.getvalue())
        self.client_cls.assert_not_called()
