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

"""The ``msftocs-console`` program against the emulator, on a pty or pipes."""

import os
import pty
import secrets
import signal
import subprocess
import sys
import tempfile
import unittest

from msftocs_driver.emulator import runner
from msftocs_driver.ocs import client as ocs_client
from msftocs_driver.ocs import exceptions as ocs_exc
from tests.functional.console import helpers
from tests.functional.ocs import helpers as ocs_helpers

BLADE = helpers.BLADE


class BridgeTestCase(helpers.EmulatorMixin, unittest.TestCase):

    def setUp(self):
        super().setUp()
        self.emulator.reset()
        self.base_url = self.emulator.url.rstrip('/')
        self.process = None

    def tearDown(self):
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        super().tearDown()

    def client(self):
        client = ocs_client.ChassisManagerClient(
            self.base_url, self.emulator.username, self.password)
        self.addCleanup(client.close)
        return client

    def start_bridge(self, *extra, stdin=subprocess.PIPE,
                     stdout=subprocess.PIPE, blade=BLADE, env_password=True):
        env = dict(os.environ)
        env.pop('MSFTOCS_PASSWORD', None)
        if env_password:
            env['MSFTOCS_PASSWORD'] = self.password
        args = [sys.executable, '-m', 'msftocs_driver.cmd.console',
                '--base-url', self.base_url, '--blade-id', str(blade),
                '--username', self.emulator.username,
                '--poll-interval', '0.05'] + list(extra)
        self.process = subprocess.Popen(args, stdin=stdin, stdout=stdout,
                                        stderr=subprocess.PIPE, env=env)
        return self.process

    def finish(self, process):
        """Wait for the bridge to exit; return its status and stderr."""
        try:
            status = process.wait(timeout=helpers.TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
            raise AssertionError('the bridge did not exit')
        with process.stderr:
            err = process.stderr.read().decode()
        for pipe in (process.stdin, process.stdout):
            if pipe is not None:
                pipe.close()
        return status, err

    def assertNoSession(self):
        helpers.wait_for(lambda: self.emulator.state()['sessions'] == 0,
                         'the serial session to be stopped')

    def assertOneLineError(self, process, expected):
        status, err = self.finish(process)
        self.assertEqual(1, status)
        lines = err.splitlines()
        self.assertEqual(1, len(lines), err)
        self.assertTrue(lines[0].startswith('msftocs-console: '), err)
        self.assertIn(expected, lines[0])
        self.assertNotIn(self.password, err)

    def start_on_pty(self):
        """Start the bridge on a pty and read the blade's first prompt.

        :returns: the bridge process, the pty master and a reader of it.
        """
        master, slave = pty.openpty()
        self.addCleanup(os.close, master)
        process = self.start_bridge(stdin=slave, stdout=slave)
        os.close(slave)
        helpers.wait_for(lambda: helpers.session_open(self.emulator),
                         'the serial session')
        self.emulator.set_blade(BLADE, host_on=True)
        read = helpers.fd_reader(master)
        banner = helpers.read_until(read, helpers.PROMPT)
        self.assertIn(b'OCS emulated blade 3', banner)
        return process, master, read

    def test_pty_console(self):
        process, master, read = self.start_on_pty()
        with open('/proc/%d/cmdline' % process.pid, 'rb') as cmdline:
            self.assertNotIn(self.password.encode(), cmdline.read())
        # The pty is raw: no local echo, CR reaches the blade unchanged and
        # the blade's own echo comes back.
        os.write(master, b'root\r')
        self.assertEqual(b'root\r\n' + helpers.PROMPT,
                         helpers.read_until(read, b'\n' + helpers.PROMPT))

        process.send_signal(signal.SIGHUP)
        self.assertEqual((0, ''), self.finish(process))
        self.assertNoSession()

    def test_session_dropped_by_the_chassis_manager(self):
        process, master, read = self.start_on_pty()
        # As after a chassis-manager restart or its inactivity timeout.
        self.client().stop_blade_serial_session(BLADE, force=True)
        # The next keystrokes reach the blade through a new session.
        os.write(master, b'root\r')
        helpers.read_until(read, b'root\r\n' + helpers.PROMPT)
        self.assertTrue(helpers.session_open(self.emulator))
        process.send_signal(signal.SIGTERM)
        self.assertEqual((0, ''), self.finish(process))
        self.assertNoSession()

    def test_end_of_input_stops_the_session(self):
        process = self.start_bridge()
        helpers.wait_for(lambda: helpers.session_open(self.emulator),
                         'the serial session')
        process.stdin.close()
        self.assertEqual((0, ''), self.finish(process))
        self.assertNoSession()

    def test_sigterm_stops_the_session(self):
        process = self.start_bridge()
        helpers.wait_for(lambda: helpers.session_open(self.emulator),
                         'the serial session')
        process.send_signal(signal.SIGTERM)
        self.assertEqual((0, ''), self.finish(process))
        self.assertNoSession()

    def test_password_file(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, 'node.pw')
            fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o600)
            os.write(fd, self.password.encode())
            os.close(fd)
            process = self.start_bridge('--password-file', path,
                                        env_password=False)
            helpers.wait_for(lambda: helpers.session_open(self.emulator),
                             'the serial session')
            process.stdin.close()
            self.assertEqual((0, ''), self.finish(process))

    def test_readable_password_file_refused(self):
        self.emulator.reset_stats()
        with tempfile.NamedTemporaryFile() as pw_file:
            pw_file.write(self.password.encode())
            pw_file.flush()
            os.chmod(pw_file.name, 0o644)
            process = self.start_bridge('--password-file', pw_file.name,
                                        env_password=False)
            status, err = self.finish(process)
        self.assertEqual(2, status)
        self.assertIn('0600', err)
        self.assertEqual(0, self.emulator.stats()['total'])

    def test_blade_powered_off(self):
        self.emulator.set_blade(BLADE, switch_on=False)
        self.assertOneLineError(self.start_bridge(), 'blade 3 has no power')

    def test_wrong_password(self):
        self.password, right = 'wrong', self.password
        try:
            process = self.start_bridge()
        finally:
            self.password = right
        self.assertOneLineError(process, 'rejected the credentials')

    def test_session_held_elsewhere(self):
        client = self.client()
        client.start_blade_serial_session(BLADE)
        self.assertOneLineError(self.start_bridge(), 'another client holds')
        # The other client's session was left alone.
        self.assertTrue(helpers.session_open(self.emulator))

    def test_session_taken_over(self):
        client = self.client()
        other = client.start_blade_serial_session(BLADE)
        process = self.start_bridge('--force-takeover')
        helpers.wait_for(
            lambda: self.emulator.stats()['operations'].get(
                'ReceiveBladeSerialData'), 'the bridge to poll')
        # The previous holder lost the session.
        self.assertRaises(ocs_exc.SerialSessionActiveError,
                          client.send_blade_serial_data, BLADE, other, b'x')
        process.stdin.close()
        self.assertEqual((0, ''), self.finish(process))
        self.assertNoSession()

    def test_chassis_full(self):
        client = self.client()
        for blade in range(4, 16):
            client.start_blade_serial_session(blade)
        self.assertOneLineError(self.start_bridge(), 'maximum of 12')

    def test_blade_loses_power_while_connected(self):
        process = self.start_bridge()
        helpers.wait_for(lambda: helpers.session_open(self.emulator),
                         'the serial session')
        self.emulator.set_blade(BLADE, switch_on=False)
        self.assertOneLineError(process, 'blade 3 has no power')


class BridgeTlsNtlmTestCase(unittest.TestCase):
    """The bridge against an HTTPS, NTLM-only chassis manager."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.tmp = tempfile.TemporaryDirectory()
        cls.tls = ocs_helpers.make_tls_files(cls.tmp.name)
        cls.password = secrets.token_urlsafe(12)
        cls.emulator = runner.EmulatorProcess(
            auth='ntlm', password=cls.password, tls_cert=cls.tls['cert'],
            tls_key=cls.tls['key'])
        cls.emulator.start()

    @classmethod
    def tearDownClass(cls):
        cls.emulator.stop()
        cls.tmp.cleanup()
        super().tearDownClass()

    def run_bridge(self, verify_ca):
        env = dict(os.environ, MSFTOCS_PASSWORD=self.password)
        process = subprocess.Popen(
            [sys.executable, '-m', 'msftocs_driver.cmd.console',
             '--base-url', self.emulator.url.rstrip('/'),
             '--blade-id', str(BLADE), '--username', self.emulator.username,
             '--auth-type', 'ntlm', '--verify-ca', verify_ca],
            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE, env=env)
        self.addCleanup(process.stderr.close)
        return process

    def test_ca_bundle(self):
        process = self.run_bridge(self.tls['ca'])
        helpers.wait_for(lambda: helpers.session_open(self.emulator),
                         'the serial session')
        process.stdin.close()
        self.assertEqual(0, process.wait(helpers.TIMEOUT))
        self.assertEqual(b'', process.stderr.read())
        helpers.wait_for(lambda: self.emulator.state()['sessions'] == 0,
                         'the serial session to be stopped')

    def test_untrusted_certificate(self):
        process = self.run_bridge('true')
        process.stdin.close()
        self.assertEqual(1, process.wait(helpers.TIMEOUT))
        lines = process.stderr.read().decode().splitlines()
        self.assertEqual(1, len(lines))
        self.assertIn('cannot reach the chassis manager', lines[0])
        self.assertNotIn(self.password, lines[0])
