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

"""The stage of the msftocs scenario: an emulated chassis and a real Ironic.

:class:`Scenario` starts the chassis-manager emulator (HTTPS, basic
authentication) and a standalone Ironic, and gives the steps of
:mod:`tools.scenario_steps` what they share: running and showing
``baremetal`` commands, reading nodes and emulated blades, waiting, and
looking for leaked secrets. :attr:`Scenario.v20` is the same stage seen
through a second emulator, a CM v2.0 with NTLM authentication, on which
some steps run again. The end-to-end tests assert the very steps
that the demo narrates, so the two cannot drift apart. A step raises
:class:`ScenarioError` with a plain explanation when something does not
hold.
"""

import contextlib
import os
import secrets
import socket
import stat
import sys
import tempfile
import time

import requests

from msftocs_driver.emulator.runner import EmulatorProcess
from tools import baremetal_cli
from tools import devcerts
from tools import ironic_env
from tools import sysutils

#: Blades of the emulated 24-blade chassis that the scenario enrolls.
POWER_BLADE, SWITCHED_OFF_BLADE, INSPECT_BLADE = 3, 5, 7
BLADES = (POWER_BLADE, SWITCHED_OFF_BLADE, INSPECT_BLADE)
#: Seconds the emulated BMC firmware takes to decompress after switch-on.
DECOMPRESSION_SECONDS = 2
#: Seconds between Ironic's power-state syncs.
SYNC_INTERVAL = 5
USERNAME = 'admin'
#: What the command line of a console process contains.
_CONSOLE_PROGRAMS = ('socat', 'msftocs-console', 'msftocs_driver.cmd.console')


class ScenarioError(Exception):
    """A step of the scenario did not have the expected outcome."""


class Scenario(object):
    """The running pieces and the helpers the steps share.

    :param ironic: a started :class:`tools.ironic_env.StandaloneIronic`.
    :param emulator: a started ``EmulatorProcess``.
    :param password: the chassis manager password (random per run).
    :param out: ``out(kind, text)`` receives the narration; ``kind`` is
        ``say`` (plain words), ``command``, ``output`` or ``note``.
    :param name_prefix: what the names of this stage's nodes start with.
    """

    def __init__(self, ironic, emulator, password, out, name_prefix='blade-'):
        self.ironic = ironic
        self.emulator = emulator
        self.password = password
        self.out = out
        self.name_prefix = name_prefix
        self.ironic_log_tail = None
        self.emulator_log_path = None
        self.ca_file = None
        #: The stage of the CM v2.0 emulator (a :class:`Scenario`), if any.
        self.v20 = None

    @classmethod
    @contextlib.contextmanager
    def running(cls, out):
        """Start the emulator and Ironic; stop both on the way out.

        :param out: see :class:`Scenario`.
        :returns: a context manager yielding the :class:`Scenario`.
        """
        # A fresh secret per run, so that finding it in a log means that
        # this run leaked it.
        password = 'ocs-' + secrets.token_urlsafe(12)
        with contextlib.ExitStack() as stack:
            # HTTPS with a certificate Ironic verifies, as in production.
            tls_dir = stack.enter_context(tempfile.TemporaryDirectory(
                prefix='msftocs-tls-'))
            tls = devcerts.make_tls_files(tls_dir)
            # The second one answers NTLM only: the nodes enrolled on it
            # name no authentication type, and the driver learns it.
            emulator, emulator_v20 = (EmulatorProcess(
                blades=24, auth=auth, username=USERNAME,
                password=password, tls_cert=tls['cert'], tls_key=tls['key'],
                decompression_seconds=DECOMPRESSION_SECONDS,
                cm_version=version, extra_args=('--debug',))
                for auth, version in (('basic', None), ('ntlm', '2.0')))
            emulator_log = stack.enter_context(tempfile.NamedTemporaryFile(
                mode='ab', prefix='msftocs-emulator-', suffix='.log'))
            with _stderr_into(emulator_log):
                stack.enter_context(emulator)
                stack.enter_context(emulator_v20)
            ironic = stack.enter_context(
                ironic_env.StandaloneIronic(
                    sync_interval=SYNC_INTERVAL,
                    # Sensors read on every pass: the health step injects
                    # a sensor fault.
                    msftocs_options={
                        'health_sensor_interval': SYNC_INTERVAL}))
            scenario = cls(ironic, emulator, password, out)
            scenario.v20 = cls(ironic, emulator_v20, password, out,
                               name_prefix='v20-blade-')
            for stage in (scenario, scenario.v20):
                stage.ca_file = tls['ca']
                stage.emulator_log_path = emulator_log.name
            try:
                yield scenario
            except BaseException:
                # Keep the end of the log: stopping Ironic removes it.
                scenario.ironic_log_tail = ironic.log_tail()
                raise

    def say(self, text):
        self.out('say', text)

    def note(self, text):
        self.out('note', text)

    def check(self, condition, message):
        """Raise :class:`ScenarioError` with ``message`` unless true."""
        if not condition:
            raise ScenarioError(message)

    def bm(self, *args, check=True):
        """Run and show one ``baremetal`` command.

        :returns: a :class:`tools.baremetal_cli.CommandResult`.
        """
        self.out('command', baremetal_cli.display_command(args))
        return self.ironic.baremetal(*args, check=check)

    def bm_json(self, *args):
        """Run a ``baremetal`` command with ``-f json``; return the data.

        The rows of a list are keyed by field name (``address``): what
        python-ironicclient 6 prints, and what the column labels of the
        older releases (``Address``, the 2025.2 constraints pin 5.13) turn
        into here.
        """
        data = self.bm(*(args + ('-f', 'json'))).json
        if isinstance(data, list):
            data = [{key.lower().replace(' ', '_'): value
                     for key, value in row.items()} for row in data]
        return data

    def driver_info_args(self, blade, **overrides):
        """``--driver-info`` arguments enrolling ``blade``.

        :param overrides: field (without ``msftocs_``) to value; ``None``
            leaves the field out.
        """
        info = {'base_url': self.emulator.url.rstrip('/'),
                'blade_id': blade, 'username': USERNAME,
                'password': self.password, 'verify_ca': self.ca_file}
        info.update(overrides)
        args = []
        for field, value in info.items():
            if value is not None:
                args += ['--driver-info', 'msftocs_%s=%s' % (field, value)]
        return args

    def node_name(self, blade):
        """The Ironic node name this stage gives a blade."""
        return self.name_prefix + str(blade)

    def blade(self, blade):
        """The emulated blade's state, straight from the emulator."""
        return self.emulator.blade(blade)

    def wait_power(self, blade, expected, timeout=60):
        """Wait for Ironic to finish a power action and check the result.

        :returns: the node dict.
        """
        node = self.wait_for_node(
            self.node_name(blade), lambda n: n['target_power_state'] is None,
            timeout=timeout)
        self.check(node['power_state'] == expected,
                   'blade %d: Ironic reports %s instead of %s (last error: '
                   '%s)' % (blade, node['power_state'], expected,
                            node['last_error']))
        self.out('output', 'power_state: %s' % node['power_state'])
        return node

    def wait_console(self, name, enabled, timeout=60):
        """Wait until Ironic has turned a node's console on or off.

        :raises ScenarioError: when Ironic recorded an error instead.
        """
        node = self.wait_for_node(
            name, lambda n: n['console_enabled'] == enabled or n['last_error'],
            timeout=timeout)
        self.check(node['console_enabled'] == enabled,
                   'node %s: console still %s: %s' % (
                       name, 'off' if enabled else 'on', node['last_error']))

    def node(self, name):
        """Read a node straight from the REST API (cheaper than the CLI).

        :param name: node name or UUID.
        :returns: the node as a dict.
        """
        reply = requests.get(
            '%s/v1/nodes/%s' % (self.ironic.endpoint, name), timeout=10,
            headers={'X-OpenStack-Ironic-API-Version': 'latest'})
        reply.raise_for_status()
        return reply.json()

    def wait_for_node(self, name, done, timeout=60):
        """Poll a node until ``done(node)`` is true.

        :param name: node name or UUID.
        :param done: a callable taking the node dict.
        :returns: the node dict that satisfied ``done``.
        :raises ScenarioError: on timeout, with the node's last error.
        """
        deadline = time.monotonic() + timeout
        while True:
            node = self.node(name)
            if done(node):
                return node
            if time.monotonic() > deadline:
                raise ScenarioError(
                    'node %s: gave up waiting after %s s (power %s -> %s, '
                    'provision %s, console enabled %s, last error: %s)' % (
                        name, timeout, node['power_state'],
                        node['target_power_state'], node['provision_state'],
                        node['console_enabled'], node['last_error']))
            time.sleep(0.2)

    def validation(self, name):
        """``node validate`` as a dict: interface -> (result, reason)."""
        rows = self.bm_json('node', 'validate', name)
        return {r['interface']: (r['result'], r['reason']) for r in rows}

    def wait_until(self, condition, what, timeout=30):
        """Poll ``condition()`` until it is true.

        :param what: what is awaited, for the error message.
        :raises ScenarioError: on timeout.
        """
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                raise ScenarioError('gave up waiting for %s after %s s'
                                    % (what, timeout))
            time.sleep(0.2)

    def wait_sync_pass(self, reads=1):
        """Wait for power-sync passes that read this stage's chassis.

        Resets the emulator's statistics first.

        :param reads: how many power reads to wait for; with one node of
            the chassis synced, 2 means that a whole pass has ended.
        :returns: the emulator's operation counts since the wait began.
        """
        def seen():
            calls = self.emulator.stats()['operations']
            return sum(calls.get(op, 0) for op in (
                'GetBladeState', 'GetAllBladesState', 'GetPowerState'))

        self.emulator.reset_stats()
        self.wait_until(lambda: seen() >= reads, 'the next power-sync pass',
                        timeout=(reads + 2) * SYNC_INTERVAL + 30)
        return self.emulator.stats()['operations']

    def read_console(self, url, marker, timeout=20):
        """Connect to a ``tcp://host:port`` console until ``marker`` shows.

        Sends a carriage return now and then, as a person would to wake a
        serial console up.

        :returns: everything read, as text.
        :raises ScenarioError: if the marker did not show in time.
        """
        host, port = url.split('://', 1)[1].rsplit(':', 1)
        seen = b''
        deadline = time.monotonic() + timeout
        with socket.create_connection((host, int(port)), timeout=5) as conn:
            conn.settimeout(1)
            while marker not in seen and time.monotonic() < deadline:
                conn.sendall(b'\r')
                with contextlib.suppress(socket.timeout):
                    chunk = conn.recv(4096)
                    if not chunk:
                        break
                    seen += chunk
        self.check(marker in seen, 'the console never showed %r; it showed '
                   '%r' % (marker, seen[-200:]))
        return seen.decode(errors='replace')

    def console_processes(self):
        """Command lines of the console processes Ironic has running."""
        return [cmd for _pid, cmd in self.ironic.processes()
                if any(name in cmd for name in _CONSOLE_PROGRAMS)]

    def secret_leaks(self):
        """Where the password showed up: a list of places (empty = none)."""
        places = []
        if self.password in self.ironic.log_text():
            places.append('the Ironic log')
        with open(self.emulator_log_path, errors='replace') as log:
            emulator_output = log.read()
        if self.password in emulator_output:
            places.append("the emulator's output")
        emulators = [self.emulator] + ([self.v20.emulator] if self.v20
                                       else [])
        processes = self.ironic.processes() + [
            (e.pid, sysutils.command_line(e.pid)) for e in emulators]
        for pid, cmdline in processes:
            if self.password in (cmdline or ''):
                places.append('the command line of process %d' % pid)
        return places

    def secret_files(self):
        """Files in Ironic's temporary directory that hold the password.

        :returns: a dict of path to permission bits.
        """
        found = {}
        for root, _dirs, files in os.walk(self.ironic.tempdir):
            for name in files:
                path = os.path.join(root, name)
                with contextlib.suppress(OSError), open(path, 'rb') as data:
                    if self.password.encode() in data.read():
                        found[path] = stat.S_IMODE(os.fstat(
                            data.fileno()).st_mode)
        return found


@contextlib.contextmanager
def _stderr_into(log_file):
    """Point file descriptor 2 at ``log_file`` while a child is started.

    ``EmulatorProcess`` lets the emulator inherit stderr. Starting it under
    this keeps its banner and debug log out of the narration, and in a
    file that :meth:`Scenario.secret_leaks` can search.

    :param log_file: an open file object.
    """
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        os.dup2(log_file.fileno(), 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
