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


"""Start the emulator in a subprocess, for tests, demos and benchmarks.

::

    with EmulatorProcess(blades=24, password='secret') as emulator:
        emulator.set_blade(7, present=False)
        client = ChassisManagerClient(emulator.url, 'admin', 'secret')

The password reaches the child through the environment, never its command
line. The process listens on 127.0.0.1 on a free port and is stopped by
its PID.
"""

import json
import os
import selectors
import signal
import subprocess
import sys
import time
import warnings

import requests
import requests_ntlm
import urllib3

_LISTENING = 'msftocs-emulator listening on '
START_TIMEOUT = 30.0
STOP_TIMEOUT = 10.0


class EmulatorError(RuntimeError):
    """The emulator could not be started or a control call failed."""


class EmulatorProcess(object):
    """An emulator subprocess and a client for its control API.

    :param blades: chassis population, 24 or 48; with the default (24) a
        configuration file may set it.
    :param auth: ``basic`` or ``ntlm``.
    :param username: account name.
    :param password: account password (passed through the environment).
    :param tls_cert: PEM certificate path to serve HTTPS, or None.
    :param tls_key: PEM key path for ``tls_cert``.
    :param decompression_seconds: BMC firmware decompression time, or None
        for the emulator's default (28 s).
    :param latency: seconds added to every call; with the default (0) a
        configuration file may set it.
    :param bus_cost: seconds per BMC call on the shared bus; with the
        default (0) a configuration file may set it.
    :param config: path of a JSON configuration file, or None.
    :param cm_version: ``2.5`` or ``2.0``, or None for the emulator's
        default (or the configuration file's).
    :param kill_serial_session: for a v2.0 CM, whether blade APIs stop the
        serial session (True) or are refused while it is open (False);
        None for the default (True) or the configuration file's.
    :param extra_args: more command-line arguments.
    """

    def __init__(self, blades=24, auth='basic', username='admin',
                 password='secret', tls_cert=None, tls_key=None,
                 decompression_seconds=None, latency=0, bus_cost=0,
                 config=None, cm_version=None, kill_serial_session=None,
                 extra_args=()):
        self.blades = blades
        self.auth = auth
        self.username = username
        self._password = password
        args = ['--host', '127.0.0.1', '--port', '0', '--auth', auth,
                '--username', username]
        # Flags win over the configuration file: pass only those that
        # differ from the emulator's defaults, so that the file applies.
        if blades != 24:
            args += ['--blades', str(blades)]
        if latency:
            args += ['--latency', str(latency)]
        if bus_cost:
            args += ['--bus-cost', str(bus_cost)]
        if tls_cert:
            args += ['--tls-cert', tls_cert, '--tls-key', tls_key]
        if decompression_seconds is not None:
            args += ['--decompression-seconds', str(decompression_seconds)]
        if config:
            args += ['--config', str(config)]
        if cm_version:
            args += ['--cm-version', cm_version]
        if kill_serial_session is not None:
            args += ['--kill-serial-session',
                     'on' if kill_serial_session else 'off']
        self._args = args + list(extra_args)
        self._process = None
        self._session = None
        self.url = None
        self.port = None

    @property
    def pid(self):
        """PID of the running emulator, or None."""
        return self._process.pid if self._process else None

    def start(self, timeout=START_TIMEOUT):
        """Start the process and wait for its listening line.

        :returns: self.
        :raises: EmulatorError if it exits or does not listen in time.
        """
        if self._process is not None:
            raise EmulatorError('emulator already started (pid %d)'
                                % self._process.pid)
        env = dict(os.environ, MSFTOCS_EMULATOR_PASSWORD=self._password)
        self._process = subprocess.Popen(
            [sys.executable, '-m', 'msftocs_driver.emulator'] + self._args,
            stdout=subprocess.PIPE, stdin=subprocess.DEVNULL, env=env)
        try:
            line = self._read_listening_line(timeout)
        except Exception:
            self.stop()
            raise
        self.url = line[len(_LISTENING):].strip()
        self.port = int(self.url.rstrip('/').rsplit(':', 1)[1])
        self._session = requests.Session()
        # No proxies or CA bundles from the environment: the latter would
        # override verify=False (which holds for the control calls only).
        self._session.trust_env = False
        self._session.verify = False
        if self.auth == 'ntlm':
            self._session.auth = requests_ntlm.HttpNtlmAuth(
                self.username, self._password)
        else:
            self._session.auth = (self.username, self._password)
        return self

    def _read_listening_line(self, timeout):
        deadline = time.monotonic() + timeout
        selector = selectors.DefaultSelector()
        selector.register(self._process.stdout, selectors.EVENT_READ)
        buffered = b''
        try:
            while True:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise EmulatorError('emulator did not start in %.0f s'
                                        % timeout)
                if not selector.select(remaining):
                    continue
                chunk = os.read(self._process.stdout.fileno(), 4096)
                if not chunk:
                    raise EmulatorError('emulator exited with status %s'
                                        % self._process.wait())
                buffered += chunk
                for line in buffered.decode('utf-8', 'replace').splitlines():
                    if line.startswith(_LISTENING):
                        return line
        finally:
            selector.close()

    def stop(self, timeout=STOP_TIMEOUT):
        """Stop the process by PID: SIGTERM, then SIGKILL; wait for it.

        :returns: the exit status, or None if it was not running.
        """
        if self._session is not None:
            self._session.close()
            self._session = None
        process, self._process = self._process, None
        if process is None:
            return None
        if process.poll() is None:
            os.kill(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                os.kill(process.pid, signal.SIGKILL)
                process.wait()
        if process.stdout:
            process.stdout.close()
        return process.returncode

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info):
        self.stop()

    def _control(self, method, path, body=None):
        if self._session is None:
            raise EmulatorError('emulator is not running')
        with warnings.catch_warnings():
            # TLS verification is off for the control calls only.
            warnings.simplefilter('ignore', urllib3.exceptions.HTTPWarning)
            response = self._session.request(
                method, '%s_emulator/%s' % (self.url, path),
                data=None if body is None else json.dumps(body),
                headers={'Content-Type': 'application/json'}, timeout=30)
        if response.status_code != 200:
            raise EmulatorError('control call %s %s failed: HTTP %d %s'
                                % (method, path, response.status_code,
                                   response.text[:200]))
        return response.json()

    def state(self):
        """The whole emulated chassis (``GET /_emulator/state``)."""
        return self._control('GET', 'state')

    def blade(self, blade_id):
        """The state of one blade."""
        return self._control('GET', 'blades/%d' % blade_id)

    def set_blade(self, blade_id, **changes):
        """Change a blade; returns its new state.

        :param changes: any of ``present``, ``type``, ``switch_on``,
            ``host_on``, ``decompression_seconds``.
        """
        return self._control('POST', 'blades/%d' % blade_id, changes)

    def stats(self):
        """Request counters.

        :returns: ``{"total": n, "operations": {...}, "running": n}``,
            where ``running`` counts the calls whose operation has not yet
            run or been refused.
        """
        return self._control('GET', 'stats')

    def wait_until_idle(self, timeout=10.0):
        """Wait until no call is running (a delayed one has run).

        :param timeout: seconds to wait at most.
        :raises: EmulatorError if calls are still running after it.
        """
        deadline = time.monotonic() + timeout
        while self.stats()['running']:
            if time.monotonic() > deadline:
                raise EmulatorError('calls still running after %.0f s'
                                    % timeout)
            time.sleep(0.05)

    def cm(self, **changes):
        """The CM version settings and the kill counter.

        :param changes: ``version`` and/or ``kill_serial_session`` to
            change first.

        :returns: ``{"version", "service_version", "kill_serial_session",
            "serial_sessions_killed"}``.
        """
        if changes:
            return self._control('POST', 'cm', changes)
        return self._control('GET', 'cm')

    def serial_sessions_killed(self):
        """Serial sessions force-stopped by ApiGreenSignalling (v2.0).

        Counted since the start or the last ``reset()`` or
        ``reset_stats()``.
        """
        return self.cm()['serial_sessions_killed']

    def reset_stats(self):
        """Zero the request counters."""
        return self._control('POST', 'stats/reset')

    def records(self, blade_id):
        """Return a blade's event log, POST codes and health faults."""
        return self._control('GET', 'blades/%d/records' % blade_id)

    def set_records(self, blade_id, **changes):
        """Change a blade's records (see :mod:`.blade_records`)."""
        return self._control('POST', 'blades/%d/records' % blade_id,
                             changes)

    def add_fault(self, **fault):
        """Inject a fault (kind, operations, rate, count, seconds)."""
        return self._control('POST', 'faults', fault)

    def clear_faults(self):
        """Remove every injected fault."""
        return self._control('DELETE', 'faults')

    def reset(self):
        """Back to the initial state (also clears faults and counters)."""
        return self._control('POST', 'reset')
