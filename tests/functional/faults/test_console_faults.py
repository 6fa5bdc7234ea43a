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

"""Every fault against the blade serial console.

The console bridge that socat runs (``msftocs-console``) copies between a
terminal and a :class:`~msftocs_driver.ocs.serial.SerialSession`. Here a
session is opened, read and written, alone and inside the bridge's
:class:`~msftocs_driver.cmd.console.Bridge` (with pipes for the terminal),
while the emulator breaks the matching chassis-manager call. Errors are the
library's (the bridge prints them) and must name the operation and the
blade; the bridge's reader thread must be gone when it returns. The
session token and the console data are secrets, like the password.
"""

import base64
import collections
import os
import threading
from unittest import mock

import fixtures
from ironic.conductor import task_manager
from ironic.drivers.modules import console_utils

from msftocs_driver.cmd import console
from msftocs_driver.common import console_files
from msftocs_driver.common import private_files
from msftocs_driver import console as msftocs_console
from msftocs_driver import exception as msftocs_exc
from msftocs_driver.ocs import client as ocs_client
from msftocs_driver.ocs import exceptions as ocs_exc
from msftocs_driver.ocs import serial
from tests import base as tests_base
from tests.functional.faults import base
from tests.functional.faults import cases

#: What the test types on the console: must never be logged.
TYPED = b'typed-secret-0d9f'

ConsoleOperation = collections.namedtuple('ConsoleOperation', [
    'name', 'run', 'target', 'opened_first'])

_ERRORS = {
    'connection': ocs_exc.ConnectionError,
    'auth': ocs_exc.AuthenticationError,
    'reply': (ocs_exc.ResponseError, ocs_exc.HTTPError),
    'blade': ocs_exc.CompletionCodeError,
}


def _open(session):
    session.open()


def _read(session):
    session.read()


def _write(session):
    session.write(TYPED)


def _run_bridge(session, typed):
    """Run the bridge between two pipes until it ends.

    A bridge that does not fail is stopped after a few seconds, as socat
    does when the user disconnects, so that the test fails instead of
    hanging.
    """
    in_r, in_w = os.pipe()
    out_r, out_w = os.pipe()
    bridge = console.Bridge(session, in_r, out_w)
    hang_up = threading.Timer(base.call_budget() + base.SLACK + 2,
                              bridge.stop)
    try:
        if typed:
            os.write(in_w, typed)
        hang_up.start()
        bridge.run()
    finally:
        hang_up.cancel()
        if hang_up.is_alive():
            hang_up.join()
        bridge.close()
        for fd in (in_r, in_w, out_r, out_w):
            os.close(fd)


def _bridge_output(session):
    _run_bridge(session, b'')


def _bridge_input(session):
    _run_bridge(session, TYPED)


OPERATIONS = (
    ConsoleOperation('console_open', _open, 'StartBladeSerialSession',
                     False),
    ConsoleOperation('console_read', _read, 'ReceiveBladeSerialData', True),
    ConsoleOperation('console_write', _write, 'SendBladeSerialData', True),
    ConsoleOperation('bridge_output', _bridge_output,
                     'ReceiveBladeSerialData', True),
    ConsoleOperation('bridge_input', _bridge_input, 'SendBladeSerialData',
                     True),
)
#: Serial replies carry no blade number; an empty slot only matters to
#: Start (Send/Receive need a session, which an empty slot never has); a
#: session's client is bound to its URL, so refusal is a matter for Start.
_NOT_APPLICABLE = {(op, fault)
                   for op in ('console_open', 'console_read', 'console_write',
                              'bridge_output', 'bridge_input')
                   for fault in ('wrong_blade', 'empty_slot',
                                 'connection_refused')
                   if op != 'console_open' or fault == 'wrong_blade'}


class ConsoleFaultTestCase(base.FaultTestCase):
    """The (console operation x fault) matrix, generated below."""

    def setUp(self):
        super().setUp()
        self.secrets += [TYPED.decode(), base64.b64encode(TYPED).decode()]

    def _session(self):
        """A session on a client built like the driver builds it."""
        info = self.node.driver_info
        opts = self.options
        client = ocs_client.ChassisManagerClient(
            info['msftocs_base_url'], info['msftocs_username'],
            info['msftocs_password'],
            connect_timeout=opts['connect_timeout'],
            read_timeout=opts['read_timeout'], retries=opts['retries'],
            retry_interval=opts['retry_interval'])
        self.addCleanup(client.close)
        start = client.start_blade_serial_session

        def start_and_remember(*args, **kwargs):
            # The real call; its token joins the secrets to look for.
            token = start(*args, **kwargs)
            self.secrets.append(token)
            return token

        client.start_blade_serial_session = start_and_remember
        session = serial.SerialSession(client, base.BLADE,
                                       session_timeout=60,
                                       poll_interval=0.05)
        self.addCleanup(session.close)
        return session

    def check(self, op, fault):
        if op.opened_first:
            session = self._session()
            session.open()
        self.emulator.reset_stats()
        fault.inject(self, [op.target])
        if not op.opened_first:
            session = self._session()
        expected = tuple(_ERRORS[family] for family in fault.families)
        error = self.assert_fails_in_time(base.call_budget(self.options),
                                          expected, op.run, session)
        self.assertEqual(base.BLADE, error.blade_id)
        self.assertEqual(op.target, error.operation)
        self.assertIn('blade %d' % base.BLADE, str(error))
        self.assert_sent_at_most_once([op.target])
        session.close()

        fault.heal(self)
        # A failed Start may still open a session on the CM: its reply was
        # lost, or it was slow and runs after the client gave up (wait for
        # it, or it would open a session after this test ends). The new
        # session must not be refused because of it: stop it the way an
        # operator would, by force.
        self.emulator.wait_until_idle()
        session = self._session()
        session.force_takeover = True
        session.open()
        session.write(TYPED)
        session.read()
        session.close()
        self.assertFalse(self.emulator.blade(base.BLADE)['serial_session'])
        self.assert_no_secret_logged()
        self.assert_nothing_left_behind()


base.add_fault_tests(
    ConsoleFaultTestCase, OPERATIONS, cases.FAULTS,
    lambda op, fault: (op.name, fault.name) not in _NOT_APPLICABLE)


class ConsoleRestartTestCase(base.FaultTestCase):
    """Re-enabling a console (a conductor start) and sessions on its blade.

    ironic calls ``start_console`` for every enabled console when a
    conductor starts; a session somebody else holds on the blade (an
    operator's WcsCli) must survive that unless takeover is configured,
    while a session a killed bridge of this driver left is still stopped.
    """

    def setUp(self):
        super().setUp()
        self.tempdir = self.useFixture(fixtures.TempDir()).path
        self.config(tempdir=self.tempdir)
        self.config(socat_address='127.0.0.1',
                    port_range=tests_base.console_port_range('10000:10010'),
                    group='console')
        self.iface = msftocs_console.MsftOcsSocatConsole()
        self.node.console_enabled = True
        self.node.save()
        self.other = self._client()

    def _client(self):
        client = ocs_client.ChassisManagerClient(
            self.emulator.url, self.node.driver_info['msftocs_username'],
            self.password)
        self.addCleanup(client.close)
        return client

    def _restart(self):
        with task_manager.acquire(self.context, self.node.uuid) as task:
            return self.assertRaises(msftocs_exc.MsftOcsError,
                                     self.iface.start_console, task)

    def test_foreign_session_survives_a_restart(self):
        token = self.other.start_blade_serial_session(base.BLADE, timeout=60)
        self.secrets.append(token)
        error = self._restart()
        self.assertIn('another client holds the serial session', str(error))
        # The other client's session is intact: its token still works.
        self.other.send_blade_serial_data(base.BLADE, token, b'\r')
        self.other.receive_blade_serial_data(base.BLADE, token)
        self.other.stop_blade_serial_session(base.BLADE, token)
        self.assert_no_secret_logged()

    def test_session_of_a_killed_bridge_is_recovered(self):
        # What a bridge killed with SIGKILL leaves: its session on the CM
        # and its token in the conductor's console directory.
        token = self.other.start_blade_serial_session(base.BLADE, timeout=60)
        self.secrets.append(token)
        console_files.ensure_directory()
        private_files.write(console_files.token_path(self.node.uuid),
                            token.encode())
        with mock.patch.object(console_utils, 'start_socat_console',
                               autospec=True) as start_socat:
            with task_manager.acquire(self.context, self.node.uuid) as task:
                self.iface.start_console(task)
        start_socat.assert_called_once_with(
            self.node.uuid, mock.ANY, mock.ANY, env_variables=mock.ANY)
        self.assertRaises(ocs_exc.NoActiveSerialSessionError,
                          self.other.receive_blade_serial_data, base.BLADE,
                          token)
        self.assertFalse(os.path.lexists(
            console_files.token_path(self.node.uuid)))
        self.assertFalse(self.emulator.blade(base.BLADE)['serial_session'])
        self.assert_no_secret_logged()
