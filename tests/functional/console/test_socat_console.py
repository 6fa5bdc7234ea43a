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

"""The ``msftocs-socat`` interface with real socat, bridge and emulator."""

import logging
import os
import socket
import subprocess
from unittest import mock

import fixtures
from ironic.conductor import task_manager
from ironic.drivers.modules import console_utils
import psutil

from msftocs_driver.common import console_files
from msftocs_driver import console
from msftocs_driver import console_command
from msftocs_driver.emulator import runner
from msftocs_driver import exception as msftocs_exc
from tests import base
from tests import console_quoting
from tests.functional.console import helpers

BLADE = helpers.BLADE


def _connected_socket(port):
    """A socket connected to ``port`` on 127.0.0.1, None if refused."""
    try:
        return socket.create_connection(('127.0.0.1', port), timeout=5)
    except ConnectionRefusedError:
        return None


def _running(pid):
    """Whether a process runs (a zombie waiting to be reaped does not)."""
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


class SocatConsoleTestCase(helpers.SocatConsoleMixin,
                           base.MsftOcsTestCase):

    def setUp(self):
        super().setUp()
        self.addCleanup(self._stop_quietly)

    def _stop_quietly(self):
        with task_manager.acquire(self.context, self.node.uuid) as task:
            self.iface.stop_console(task)

    @property
    def pid_file(self):
        return os.path.join(self.tempdir, '%s.pid' % self.node.uuid)

    def start(self):
        with task_manager.acquire(self.context, self.node.uuid) as task:
            self.iface.start_console(task)
            task.node.console_enabled = True
            task.node.save()
            info = self.iface.get_console(task)
        self.assertEqual('socat', info['type'])
        host, port = info['url'][len('tcp://'):].rsplit(':', 1)
        self.assertEqual('127.0.0.1', host)
        return int(port)

    def connect(self, port, emulator=None):
        emulator = emulator or self.emulator
        # ironic sees socat started once its lock (pid) file exists, which
        # socat writes just before it listens.
        sock = helpers.wait_for(lambda: _connected_socket(port),
                                'socat to listen on port %d' % port)
        self.addCleanup(sock.close)
        helpers.wait_for(lambda: helpers.session_open(emulator),
                         'the serial session')
        return sock

    def socket_reader(self, sock):
        def read():
            try:
                return sock.recv(4096)
            except socket.timeout:
                return None
        sock.settimeout(0.2)
        return read

    def console_processes(self):
        with open(self.pid_file) as pid_data:
            listener = psutil.Process(int(pid_data.read()))
        return [listener] + listener.children(recursive=True)

    def test_console_session(self):
        logs = self.useFixture(fixtures.FakeLogger(level=logging.DEBUG))
        # The test database setup (alembic's fileConfig) disables the
        # loggers that existed then, ironic's console_utils among them.
        ironic_logger = logging.getLogger(console_utils.__name__)
        self.addCleanup(setattr, ironic_logger, 'disabled',
                        ironic_logger.disabled)
        ironic_logger.disabled = False
        port = self.start()
        sock = self.connect(port)
        processes = self.console_processes()
        # socat listener, socat for this connection, bridge.
        self.assertEqual(3, len(processes))
        for process in processes:
            self.assertNotIn(self.password, ' '.join(process.cmdline()))

        self.emulator.set_blade(BLADE, host_on=True)
        read = self.socket_reader(sock)
        banner = helpers.read_until(read, helpers.PROMPT)
        self.assertIn(b'OCS emulated blade 3', banner)
        sock.sendall(b'root\r')
        self.assertEqual(b'root\r\n' + helpers.PROMPT,
                         helpers.read_until(read, b'\n' + helpers.PROMPT))

        with task_manager.acquire(self.context, self.node.uuid) as task:
            self.iface.stop_console(task)
            self.assertNotIn(console.ALLOCATED_PORT_KEY,
                             task.node.driver_internal_info)
        # The user is disconnected, nothing is left running or open.
        sock.settimeout(helpers.TIMEOUT)
        self.assertEqual(b'', sock.recv(4096))
        for process in processes:
            helpers.wait_for(lambda: not _running(process.pid),
                             'process %d to end' % process.pid)
        self.assertEqual(0, self.emulator.state()['sessions'])
        self.assertNothingLeft()
        # ironic logs the socat command line: the bridge's path alone.
        self.assertIn('EXEC:"%s",pty' % console_command.bridge_command(),
                      logs.output)
        self.assertNotIn(self.password, logs.output)

    def assertNothingLeft(self):
        # This conductor's console directory (if made) stays, empty.
        directory = console_files.directory()
        self.assertLessEqual(set(os.listdir(self.tempdir)),
                             {os.path.basename(directory)})
        if os.path.exists(directory):
            self.assertEqual([], os.listdir(directory))

    def test_every_way_ironic_passes_the_command(self):
        # Ironic releases quote the console command whole (32.0.1, 35.0.1,
        # 36-38), split it (32.0.0, 35.0.0) or escape it (32.1.0, 35.1.0,
        # 39); socat, really run with each, gets a working command.
        command = console_command.bridge_command()
        real_popen = subprocess.Popen
        self.emulator.set_blade(BLADE, host_on=True)
        for name, transform in console_quoting.BEHAVIOURS.items():
            def popen(args, **kwargs):
                args = ['EXEC:"%s",pty,stderr' % transform(command)
                        if arg.startswith('EXEC:') else arg for arg in args]
                return real_popen(args, **kwargs)
            with mock.patch.object(console_utils.subprocess, 'Popen',
                                   autospec=True, side_effect=popen):
                sock = self.connect(self.start())
            read = self.socket_reader(sock)
            sock.sendall(b'\r')
            self.assertIn(helpers.PROMPT, helpers.read_until(
                read, helpers.PROMPT), name)
            self._stop_quietly()
            sock.close()
            helpers.wait_for(lambda: not helpers.session_open(self.emulator),
                             'the session to end (%s)' % name)

    def test_start_again_while_connected(self):
        port = self.start()
        sock = self.connect(port)
        old_processes = self.console_processes()
        # What the conductor does for enabled consoles when it starts.
        new_port = self.start()
        sock.settimeout(helpers.TIMEOUT)
        self.assertEqual(b'', sock.recv(4096))
        for process in old_processes:
            helpers.wait_for(lambda: not _running(process.pid),
                             'process %d to end' % process.pid)
        # The new console works.
        self.connect(new_port)

    def test_socat_special_characters(self):
        # The URL's ":" and the "\\" of a domain user name are special to
        # socat; ironic escapes them, and the bridge gets them intact.
        username = 'LAB\\ops'
        original = self.node.driver_info
        with runner.EmulatorProcess(username=username,
                                    password=self.password) as emulator:
            self.node.driver_info = dict(self.node.driver_info,
                                         msftocs_base_url=emulator.url,
                                         msftocs_username=username)
            self.node.save()
            sock = self.connect(self.start(), emulator)
            emulator.set_blade(BLADE, host_on=True)
            helpers.read_until(self.socket_reader(sock), helpers.PROMPT)
            self._stop_quietly()
            self.assertEqual(0, emulator.state()['sessions'])
        self.node.driver_info = original
        self.node.save()

    def test_blade_powered_off(self):
        self.emulator.set_blade(BLADE, switch_on=False)
        with task_manager.acquire(self.context, self.node.uuid) as task:
            error = self.assertRaises(msftocs_exc.MsftOcsError,
                                      self.iface.start_console, task)
            self.assertNotIn(console.ALLOCATED_PORT_KEY,
                             task.node.driver_internal_info)
        self.assertIn('DevicePoweredOff', str(error))
        self.assertNotIn(self.password, str(error))
        self.assertNothingLeft()
