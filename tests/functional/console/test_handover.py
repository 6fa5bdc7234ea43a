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

"""A console moving between two conductors: real socat, bridges, emulator.

Two conductors on one machine differ in ``[DEFAULT]host`` and
``[console]terminal_pid_dir`` (as ironic requires); here one process plays
both by switching those options. Conductor A serves the console, dies (its
socat and bridge are killed, as the service manager of a dead conductor
kills its processes, leaving its files and the bridge's session behind);
conductor B takes the node over; A comes back and stops what it left.
"""

import os
import signal

from ironic.conductor import task_manager
import psutil

from msftocs_driver.common import console_files
from msftocs_driver import console
from tests import base
from tests.functional.console import helpers
from tests.functional.console import test_socat_console as socat_tests


class HandoverTestCase(helpers.SocatConsoleMixin, base.MsftOcsTestCase):

    def setUp(self):
        super().setUp()
        self.emulator.set_blade(helpers.BLADE, host_on=True)
        self.addCleanup(self._stop_everywhere)

    def be(self, host):
        pid_dir = os.path.join(self.tempdir, host)
        os.makedirs(pid_dir, exist_ok=True)
        self.config(host=host)
        self.config(terminal_pid_dir=pid_dir, group='console')

    def _stop_everywhere(self):
        for host in ('conductor-a', 'conductor-b'):
            self.be(host)
            console.stop_local_console(self.node.uuid)

    def start(self):
        with task_manager.acquire(self.context, self.node.uuid) as task:
            self.iface.start_console(task)
            task.node.console_enabled = True
            task.node.save()
            return task.node.driver_internal_info.get(
                console.ALLOCATED_PORT_KEY)

    def connect_and_read_prompt(self, port):
        sock = helpers.wait_for(lambda: socat_tests._connected_socket(port),
                                'socat to listen on port %d' % port)
        self.addCleanup(sock.close)
        sock.settimeout(0.2)
        helpers.wait_for(lambda: helpers.session_open(self.emulator),
                         'the serial session')

        def read():
            try:
                return sock.recv(4096)
            except OSError:
                return None
        sock.sendall(b'\r')
        helpers.read_until(read, helpers.PROMPT)
        return sock

    def processes(self):
        pid_file = os.path.join(self.tempdir, 'conductor-a',
                                '%s.pid' % self.node.uuid)
        with open(pid_file) as pid_data:
            listener = psutil.Process(int(pid_data.read()))
        return [listener] + listener.children(recursive=True)

    def test_console_moves_and_the_old_conductor_cleans_up(self):
        self.be('conductor-a')
        port_a = self.start()
        self.connect_and_read_prompt(port_a)
        a_files = set(os.listdir(console_files.directory()))
        self.assertEqual({'%s.settings' % self.node.uuid,
                          '%s.token' % self.node.uuid}, a_files)
        # Conductor A dies: its processes go (the bridge first, before it
        # could see its terminal close), its bridge's session stays.
        processes = self.processes()
        for process in reversed(processes):
            process.send_signal(signal.SIGKILL)
        psutil.wait_procs(processes, timeout=5)
        self.assertTrue(helpers.session_open(self.emulator))

        # Conductor B takes the node over (ironic's _do_takeover).
        self.be('conductor-b')
        port_b = self.start()
        self.node.refresh()
        self.assertEqual('conductor-b', self.node.driver_internal_info[
            console.CONSOLE_HOST_KEY])
        self.connect_and_read_prompt(port_b)
        b_directory = console_files.directory()

        # Conductor A comes back: its check stops what it left, and only
        # that; B's console and session carry on.
        self.be('conductor-a')
        self.iface.stop_moved_consoles(None, self.context)
        self.assertEqual([], os.listdir(console_files.directory()))
        self.assertEqual({'%s.settings' % self.node.uuid,
                          '%s.token' % self.node.uuid},
                         set(os.listdir(b_directory)))
        self.assertTrue(helpers.session_open(self.emulator))
        self.be('conductor-b')
        self.iface.stop_moved_consoles(None, self.context)
        self.assertTrue(os.path.exists(console_files.settings_path(
            self.node.uuid)))
