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

"""Consoles on a CM v2.0 chassis: real socat, bridge and v2.0 emulator.

A v2.0 chassis manager has one serial session per chassis, and almost every
blade API of the chassis force-stops it (``ApiGreenSignalling``), or, with
``KillSerialConsoleSession=0``, is refused while it is open.
"""

import secrets
import socket

import fixtures
from ironic.common import states
from ironic.conductor import manager
from ironic.conductor import task_manager

from msftocs_driver.common import client_cache
from msftocs_driver.common import console_guard
from msftocs_driver import console
from msftocs_driver.emulator import runner
from msftocs_driver import exception as msftocs_exc
from msftocs_driver.ocs import client as ocs_client
from tests import base
from tests.functional.console import helpers

BLADE = helpers.BLADE
OTHER_BLADE = 5
#: Power-sync passes that must leave the console up.
SYNC_PASSES = 4


class V20ConsoleTestCase(base.MsftOcsTestCase):

    block_execute = False

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.password = secrets.token_urlsafe(12)
        cls.emulator = runner.EmulatorProcess(
            password=cls.password, decompression_seconds=1,
            cm_version='2.0')
        cls.emulator.start()

    @classmethod
    def tearDownClass(cls):
        cls.emulator.stop()
        super().tearDownClass()

    def setUp(self):
        helpers.require_socat()
        super().setUp()
        self.emulator.reset()
        self.emulator.reset_stats()
        console_guard.forget()
        self.addCleanup(console_guard.forget)
        self.addCleanup(client_cache.clear)
        self.tempdir = self.useFixture(fixtures.TempDir()).path
        self.config(tempdir=self.tempdir)
        self.config(socat_address='127.0.0.1',
                    port_range=base.console_port_range(
                        helpers.console_port_range()),
                    terminal_timeout=0, group='console')
        self.config(console_poll_interval=0.05, read_timeout=5.0,
                    group='msftocs')
        self.iface = console.MsftOcsSocatConsole()
        self.node = self.make_node(BLADE)
        self.other = self.make_node(OTHER_BLADE)
        for blade in (BLADE, OTHER_BLADE):
            self.emulator.set_blade(blade, host_on=True)

    def make_node(self, blade):
        node = self.create_node(
            msftocs_base_url=self.emulator.url, msftocs_blade_id=blade,
            msftocs_username=self.emulator.username,
            msftocs_password=self.password)
        node.power_state = states.POWER_ON
        node.save()
        self.addCleanup(self._stop_quietly, node)
        return node

    def _stop_quietly(self, node):
        with task_manager.acquire(self.context, node.uuid) as task:
            self.iface.stop_console(task)

    def start(self, node):
        with task_manager.acquire(self.context, node.uuid) as task:
            self.iface.start_console(task)
            task.node.console_enabled = True
            task.node.save()
            url = self.iface.get_console(task)['url']
        return int(url.rsplit(':', 1)[1])

    def connect(self, node):
        port = self.start(node)
        sock = helpers.wait_for(lambda: _connected_socket(port),
                                'socat to listen on port %d' % port)
        self.addCleanup(sock.close)
        helpers.wait_for(lambda: helpers.session_open(self.emulator),
                         'the serial session')
        sock.settimeout(0.2)
        return sock

    def prompt_after_enter(self, sock):
        sock.sendall(b'\r')
        return helpers.read_until(_reader(sock), b'blade3 login: ')

    def power_sync(self, node):
        """One pass of ironic's power sync for a node (shared lock)."""
        with task_manager.acquire(self.context, node.uuid,
                                  shared=True) as task:
            manager.do_sync_power_state(task, 0)
        node.refresh()
        return node

    def test_console_stays_up_across_power_sync(self):
        # The first pass of a node caches its vendor under an exclusive
        # lock; enrolled nodes did that long before a console opens.
        for node in (self.node, self.other):
            self.power_sync(node)
        sock = self.connect(self.node)
        self.prompt_after_enter(sock)
        self.emulator.reset_stats()
        for _pass in range(SYNC_PASSES):
            for node in (self.node, self.other):
                synced = self.power_sync(node)
                self.assertEqual(states.POWER_ON, synced.power_state)
                self.assertIsNone(synced.last_error)
        operations = self.emulator.stats()['operations']
        self.assertEqual(2 * SYNC_PASSES, operations['GetPowerState'])
        self.assertNotIn('GetBladeState', operations)
        self.assertNotIn('GetAllBladesState', operations)
        self.assertEqual(0, self.emulator.serial_sessions_killed())
        # The console still answers.
        self.prompt_after_enter(sock)
        # A blade switched off reads as power off, still without a kill
        # (ironic records the change rather than power the blade back on).
        self.config(force_power_state_during_sync=False, group='conductor')
        self.emulator.set_blade(OTHER_BLADE, switch_on=False)
        self.assertEqual(states.POWER_OFF,
                         self.power_sync(self.other).power_state)
        self.assertEqual(0, self.emulator.serial_sessions_killed())

    def test_power_cycle_of_its_blade_reopens(self):
        sock = self.connect(self.node)
        self.prompt_after_enter(sock)
        with task_manager.acquire(self.context, self.node.uuid) as task:
            task.driver.power.reboot(task)
        # The reboot killed the session (as the CM does); the bridge opened
        # a new one, and what the blade prints now reaches the client.
        self.assertGreater(self.emulator.serial_sessions_killed(), 0)
        helpers.wait_for(lambda: helpers.session_open(self.emulator),
                         'the reopened serial session')
        self.prompt_after_enter(sock)

    def test_pasted_line_arrives_whole(self):
        # 75 ms a byte: 100 bytes take 7.5 s, longer than the read timeout.
        sock = self.connect(self.node)
        line = b'x' * 100
        sock.sendall(line + b'\r')
        echoed = helpers.read_until(_reader(sock), line + b'\r\n',
                                    timeout=helpers.TIMEOUT + 10)
        self.assertIn(line, echoed)

    def test_second_console_of_the_chassis_refused(self):
        self.start(self.node)
        with task_manager.acquire(self.context, self.other.uuid) as task:
            error = self.assertRaises(msftocs_exc.MsftOcsError,
                                      self.iface.start_console, task)
        self.assertIn('one serial console per chassis', str(error))
        self.assertIn(self.node.uuid, str(error))
        self.assertNotIn(self.password, str(error))

    def test_sync_without_kill_serial_session(self):
        self.emulator.cm(kill_serial_session=False)
        sock = self.connect(self.node)
        for node in (self.node, self.other):
            self.assertEqual(states.POWER_ON,
                             self.power_sync(node).power_state)
        self.prompt_after_enter(sock)
        self._stop_quietly(self.node)
        # Another client's session: the chassis manager refuses GetBladeState,
        # and the node's error says why.
        other_client = ocs_client.ChassisManagerClient(
            self.emulator.url, self.emulator.username, self.password)
        self.addCleanup(other_client.close)
        token = other_client.start_blade_serial_session(BLADE, timeout=60)
        self.addCleanup(other_client.stop_blade_serial_session, BLADE, token)
        with task_manager.acquire(self.context, self.other.uuid,
                                  shared=True) as task:
            error = self.assertRaises(
                msftocs_exc.MsftOcsError,
                task.driver.power.get_power_state, task)
        self.assertIn('SerialSessionActive', str(error))
        self.assertIn('a serial console session is open on the chassis',
                      str(error))
        self.assertIn('KillSerialConsoleSession=0', str(error))


def _connected_socket(port):
    try:
        return socket.create_connection(('127.0.0.1', port), timeout=5)
    except ConnectionRefusedError:
        return None


def _reader(sock):
    def read():
        try:
            return sock.recv(4096)
        except socket.timeout:
            return None
    return read
