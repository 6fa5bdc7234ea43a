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

"""Unit tests of finding and ending the processes of console connections."""

import os
from unittest import mock

import fixtures
from oslo_utils import uuidutils
import psutil

from msftocs_driver import console_connections
from tests import base

NODE = uuidutils.generate_uuid()
GRACE = console_connections.BRIDGE_EXIT_GRACE


class ConnectionsTestCase(base.MsftOcsTestCase):

    def setUp(self):
        super().setUp()
        self.tempdir = self.useFixture(fixtures.TempDir()).path
        self.config(tempdir=self.tempdir)
        self.pid_file = os.path.join(self.tempdir, '%s.pid' % NODE)

    def write_pid_file(self, pid):
        with open(self.pid_file, 'w') as pid_data:
            pid_data.write('%d\n' % pid)

    def test_pid_file_path(self):
        self.assertEqual(self.pid_file,
                         console_connections.pid_file_path(NODE))
        self.config(terminal_pid_dir='/run/ironic', group='console')
        self.assertEqual('/run/ironic/%s.pid' % NODE,
                         console_connections.pid_file_path(NODE))

    def test_find_children_of_the_listener(self):
        listener = mock.Mock(spec=psutil.Process)
        listener.cmdline.return_value = [
            'socat', '-L%s' % self.pid_file, 'TCP4-LISTEN:10000']
        listener.children.return_value = ['handler', 'bridge']
        self.write_pid_file(4242)
        with mock.patch.object(psutil, 'Process', autospec=True,
                               return_value=listener) as process:
            self.assertEqual(['handler', 'bridge'],
                             console_connections.find(NODE))
        process.assert_called_once_with(4242)
        listener.children.assert_called_once_with(recursive=True)

    def test_find_without_pid_file(self):
        self.assertEqual([], console_connections.find(NODE))

    def test_find_spares_a_reused_pid(self):
        # The pid file names a live process that is not this socat.
        self.write_pid_file(os.getpid())
        self.assertEqual([], console_connections.find(NODE))

    def test_find_gone_listener(self):
        self.write_pid_file(4242)
        with mock.patch.object(psutil, 'Process', autospec=True,
                               side_effect=psutil.NoSuchProcess(4242)):
            self.assertEqual([], console_connections.find(NODE))

    def test_bridges_first_then_handlers(self):
        handler = mock.Mock(pid=101, **{'ppid.return_value': 100})
        bridge = mock.Mock(pid=102, **{'ppid.return_value': 101})
        stubborn = mock.Mock(pid=103, **{'ppid.return_value': 101})
        wait = self.useFixture(fixtures.MockPatchObject(
            console_connections.psutil, 'wait_procs', autospec=True,
            side_effect=[([bridge], [stubborn]), ([stubborn], []),
                         ([handler], []), ([], [])])).mock
        console_connections.end(NODE, [handler, bridge, stubborn])
        for process in (handler, bridge, stubborn):
            process.terminate.assert_called_once_with()
        stubborn.kill.assert_called_once_with()
        bridge.kill.assert_not_called()
        handler.kill.assert_not_called()
        self.assertEqual(
            [mock.call([bridge, stubborn], timeout=GRACE),
             mock.call([stubborn], timeout=1),
             mock.call([handler], timeout=1),
             mock.call([], timeout=1)], wait.call_args_list)
