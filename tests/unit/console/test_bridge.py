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
import signal
import stat
import tempfile
import termios
import threading
import unittest
from unittest import mock

from msftocs_driver.cmd import console as bridge
from msftocs_driver.cmd import console_options as options
from msftocs_driver.common import serial_errors
from msftocs_driver.ocs import constants
from msftocs_driver.ocs import exceptions as ocs_exc
from msftocs_driver.ocs import serial as ocs_serial

BASE_ARGS = ['--base-url', 'https://cm01:8000', '--blade-id', '3',
             '--username', 'admin']


def _code_error(cls, code, description=''):
    return cls(code, description, operation='StartBladeSerialSession',
               blade_id=3)


class FakeSession(ocs_serial.SerialSession):
    """Records writes and serves reads from a queue, without a client."""

    def __init__(self, read_error=None, write_error=None):
        super().__init__(None, 3, poll_interval=0.01)
        self.written = []
        self.output = queue.Queue()
        self.read_error = read_error
        self.write_error = write_error

    def read(self):
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


class DescribeErrorTestCase(unittest.TestCase):

    def describe(self, exc):
        text = serial_errors.describe_error(exc, 3)
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
        self.addCleanup(lambda: os.close(self.out_r))
        for fd in (self.in_r, self.out_w):
            self.addCleanup(os.close, fd)

    def start(self, session):
        self.bridge = bridge.Bridge(session, self.in_r, self.out_w)
        self.addCleanup(self.bridge.close)
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

    def test_stop_only_wakes_the_input_loop(self):
        # A signal handler interrupting the main thread inside Event.set()
        # would wait forever for the lock that thread holds.
        session = FakeSession()
        self.bridge = bridge.Bridge(session, self.in_r, self.out_w)
        self.addCleanup(self.bridge.close)
        self.bridge._stopping = mock.Mock(spec=threading.Event)
        self.bridge.stop()
        self.bridge._stopping.set.assert_not_called()
        self.assertEqual(b'x', os.read(self.bridge._wake_r, 10))

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

    def test_closed_output_ends_the_bridge(self):
        # Python ignores SIGPIPE: the write fails with EPIPE instead.
        session = FakeSession()
        os.close(self.out_r)
        self.out_r = os.open(os.devnull, os.O_RDONLY)
        session.output.put(b'login: ')
        self.start(session)
        self.assertIsNone(self.finish())
        self.assertTrue(session.output.empty())

    def test_error_after_stop_is_not_reported(self):
        # A poll still running when the user left fails once the session
        # is closed; that is no error of the console.
        session = FakeSession()
        polling = threading.Event()
        release = threading.Event()

        def read():
            polling.set()
            release.wait(10)
            raise ocs_exc.OCSError('the serial session is closed')
        session.read = read
        patcher = mock.patch.object(bridge, '_READER_JOIN_TIMEOUT', 10)
        patcher.start()
        self.addCleanup(patcher.stop)
        self.start(session)
        polling.wait(10)
        self.bridge.stop()
        self.assertTrue(self.bridge._stopping.wait(10))
        release.set()
        self.assertIsNone(self.finish())
        self.assertFalse(self.bridge._reader.is_alive())

    def test_close_leaves_the_pipe_to_a_blocked_reader(self):
        session = FakeSession()
        release = threading.Event()
        session.read = lambda: release.wait(10) and b''
        self.start(session)
        with mock.patch.object(bridge, '_READER_JOIN_TIMEOUT', 0.05):
            self.close_input()
            self.assertIsNone(self.finish())
        real_close = os.close
        with mock.patch.object(os, 'close', autospec=True,
                               side_effect=real_close) as close:
            self.bridge.close()
            close.assert_not_called()
            release.set()
            self.bridge._reader.join(10)
            self.bridge.close()
            self.bridge.close()
        self.assertEqual([mock.call(self.bridge._wake_r),
                          mock.call(self.bridge._wake_w)],
                         close.call_args_list)


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
        self.environ = {options.PASSWORD_ENV: 's3cret'}
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
            poll_interval=0.05, force_takeover=True, on_token=mock.ANY)
        self.session.open.assert_called_once_with()
        self.session.close.assert_called_once_with()
        self.client_cls.return_value.close.assert_called_once_with()
        self.assertEqual('', self.stderr.getvalue())
        self.assertNotIn(options.PASSWORD_ENV, os.environ)

    def test_signal_during_close_writes_nowhere_else(self):
        # A stop signal while the session is being closed must not write
        # the wake-up byte into a descriptor opened meanwhile.
        received = []

        def close():
            other_r, other_w = os.pipe()
            try:
                signal.getsignal(signal.SIGTERM)(signal.SIGTERM, None)
                os.set_blocking(other_r, False)
                try:
                    received.append(os.read(other_r, 10))
                except BlockingIOError:
                    received.append(b'')
            finally:
                os.close(other_r)
                os.close(other_w)
        self.session.close.side_effect = close
        self.assertEqual(bridge.EXIT_OK, bridge.main(BASE_ARGS))
        self.assertEqual([b''], received)

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

    def test_malformed_base_url(self):
        self.client_cls.side_effect = ValueError('base_url must be http(s)')
        self.assertEqual(bridge.EXIT_USAGE, bridge.main(BASE_ARGS))
        self.assertEqual('msftocs-console: base_url must be http(s)\n',
                         self.stderr.getvalue())
        self.session_cls.assert_not_called()

    def test_no_password(self):
        del os.environ[options.PASSWORD_ENV]
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
