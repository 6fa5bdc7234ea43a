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

"""A real, throw-away standalone Ironic on 127.0.0.1 for tests and the demo.

:class:`StandaloneIronic` writes an ``ironic.conf`` into a temporary work
directory from the install guide's standalone recipe (see
:mod:`tools.ironic_recipe`: SQLite, no authentication, no RPC bus, the
``msftocs`` hardware type enabled), creates the schema with
``ironic-dbsync``, starts the all-in-one ``ironic`` service in its own
process group, and runs the real ``baremetal`` command-line client against
it (:mod:`tools.baremetal_cli`). ``stop()`` ends the whole
process group (Ironic, and any socat console it started) by its id and
checks that nothing is left.
"""

import contextlib
import io
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import textwrap
import time

import requests

from tools import baremetal_cli
from tools import ironic_recipe
from tools import sysutils


class IronicEnvError(Exception):
    """The standalone Ironic could not be started or a command failed."""


class CommandFailed(IronicEnvError):
    """A ``baremetal`` command exited with a non-zero status.

    :ivar result: the :class:`~tools.baremetal_cli.CommandResult` of the
        failed command.
    """

    def __init__(self, result):
        self.result = result
        super().__init__('%s failed (exit %d): %s' % (
            result.display, result.returncode, result.stderr.strip()))


class StandaloneIronic(object):
    """One all-in-one Ironic service and the ``baremetal`` CLI to drive it.

    :param msftocs_options: extra ``[msftocs]`` options, as a dict.
    :param sync_interval: ``[conductor]sync_power_state_interval``.
    :param console_ports: how many ports ``[console]port_range`` holds.
    :param keep_workdir: leave the work directory (config, logs) behind.
    :param extra_config: more ``ironic.conf`` text, appended; an option
        set again there wins (oslo.config keeps the last value).
    """

    #: The Ironic program run (subclasses run ``ironic-api`` or
    #: ``ironic-conductor`` with the same plumbing).
    service = 'ironic'

    def __init__(self, msftocs_options=None, sync_interval=10,
                 console_ports=4, keep_workdir=False, extra_config=''):
        self.msftocs_options = dict(msftocs_options or {})
        self.extra_config = extra_config
        self.sync_interval = sync_interval
        self.console_ports = console_ports
        self.keep_workdir = keep_workdir
        self.workdir = None
        self.api_port = None
        self.console_port_range = None
        self.process = None

    @property
    def endpoint(self):
        """The API URL, ``http://127.0.0.1:<port>``."""
        return 'http://127.0.0.1:%d' % self.api_port

    @property
    def tempdir(self):
        """Ironic's ``[DEFAULT]tempdir`` (console password files go there)."""
        return os.path.join(self.workdir, 'tmp')

    @property
    def pid(self):
        """Process id (and process group id) of the ``ironic`` service."""
        return self.process.pid if self.process else None

    def _config_text(self):
        """The text of ``ironic.conf`` (subclasses add their options)."""
        settings = {
            ('DEFAULT', 'debug'): 'true',
            ('api', 'port'): self.api_port,
            ('console', 'port_range'): self.console_port_range,
            ('deploy', 'http_url'): 'http://127.0.0.1:%d' % (
                sysutils.free_port()),
            ('conductor', 'sync_power_state_interval'): self.sync_interval,
        }
        settings.update((('msftocs', key), value)
                        for key, value in self.msftocs_options.items())
        text = io.StringIO()
        ironic_recipe.standalone_config(self.workdir, settings).write(text)
        if self.extra_config:
            text.write('\n' + self.extra_config)
        return text.getvalue()

    @property
    def config_path(self):
        """The ``ironic.conf`` of this service."""
        return os.path.join(self.workdir, 'ironic.conf')

    def _write_config(self):
        with open(self.config_path, 'w') as conf:
            conf.write(self._config_text())
        return self.config_path

    def _service_env(self):
        env = dict(os.environ)
        # Ironic runs socat and the console bridge: let the scripts of this
        # interpreter's environment win over any other installation.
        env['PATH'] = os.pathsep.join(
            [os.path.dirname(sys.executable), env.get('PATH', '')])
        return env

    def start(self, timeout=90):
        """Create the work dir and database, start Ironic, wait for its API.

        :param timeout: seconds to wait for the API and the conductor.
        :raises IronicEnvError: when Ironic does not come up; the message
            carries the end of its log.
        """
        self.workdir = tempfile.mkdtemp(prefix='msftocs-ironic-')
        try:
            self._start(timeout)
        except BaseException:
            self.stop()
            raise

    def _start(self, timeout):
        for sub in ironic_recipe.RECIPE_SUBDIRS:
            os.mkdir(os.path.join(self.workdir, sub))
        self.api_port = self.api_port or sysutils.free_port()
        self.console_port_range = sysutils.free_port_range(self.console_ports)
        self._create_schema(self._write_config())
        self.launch(timeout)

    def _create_schema(self, config):
        """Create the database schema (``ironic-dbsync create_schema``)."""
        try:
            subprocess.run(
                [sysutils.find_tool('ironic-dbsync'), '--config-file', config,
                 'create_schema'],
                check=True, capture_output=True, text=True, timeout=120)
        except subprocess.SubprocessError as exc:
            raise IronicEnvError('ironic-dbsync create_schema failed: %s\n%s'
                                 % (exc, getattr(exc, 'stderr', '')))

    def launch(self, timeout=90):
        """Start the service on the prepared work directory; wait for it.

        Also starts it again, with the same configuration and files, after
        it was killed.

        :param timeout: seconds to wait until :meth:`ready`.
        :raises IronicEnvError: when it does not come up.
        """
        with open(os.path.join(self.workdir, 'stdout.log'), 'ab') as out:
            # A session of its own: stop() can then end Ironic, its worker
            # and any console it started as one process group.
            self.process = subprocess.Popen(
                [sysutils.find_tool(self.service),
                 '--config-file', self.config_path],
                stdin=subprocess.DEVNULL, stdout=out, stderr=out,
                env=self._service_env(), start_new_session=True)
        self._wait_until_ready(timeout)

    def _wait_until_ready(self, timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise IronicEnvError('%s exited with status %s\n%s' % (
                    self.service, self.process.returncode, self.log_tail()))
            crash = self._last_traceback()
            if crash:
                # The service manager restarts a crashing worker forever:
                # the first traceback is the answer.
                raise IronicEnvError('%s failed to start:\n%s'
                                     % (self.service, crash))
            try:
                if self.ready():
                    return
            except (requests.RequestException, ValueError, KeyError):
                pass
            time.sleep(0.25)
        raise IronicEnvError(
            '%s did not offer the msftocs driver within %s s\n%s' % (
                self.service, timeout, self.log_tail()))

    def ready(self):
        """Whether the API offers the msftocs hardware type.

        :raises: ``requests.RequestException``, ``ValueError`` or
            ``KeyError`` while the API is not up yet.
        """
        reply = requests.get(
            self.endpoint + '/v1/drivers', timeout=2,
            headers={'X-OpenStack-Ironic-API-Version': 'latest'})
        drivers = [d['name'] for d in reply.json()['drivers']]
        return reply.ok and 'msftocs' in drivers

    def baremetal(self, *args, check=True, timeout=120):
        """Run the real ``baremetal`` CLI against this Ironic.

        :param args: the arguments after ``baremetal``; add ``-f json`` to
            use :attr:`~tools.baremetal_cli.CommandResult.json`.
        :param check: raise :class:`CommandFailed` on a non-zero exit.
        :param timeout: seconds before the command is killed.
        :returns: a :class:`~tools.baremetal_cli.CommandResult`.
        """
        result = baremetal_cli.run(self.endpoint, args, timeout=timeout)
        if check and result.returncode:
            raise CommandFailed(result)
        return result

    def processes(self):
        """The live processes of Ironic's group: ``[(pid, command line)]``."""
        return sysutils.group_members(self.pid) if self.pid else []

    def _read(self, name):
        try:
            with open(os.path.join(self.workdir, name),
                      errors='replace') as log:
                return log.read()
        except (OSError, TypeError):
            return ''

    def _last_traceback(self):
        output = self._read('stdout.log')
        start = output.rfind('Traceback (most recent call last)')
        if start < 0:
            return None
        block = []
        for line in output[start:].splitlines():
            block.append(line)
            if len(block) > 1 and not line.startswith(' '):
                break  # the exception line closes the traceback
        return '\n'.join(block)

    def log_text(self):
        """Everything Ironic wrote: its log file and its stdout/stderr."""
        return self._read('ironic.log') + self._read('stdout.log')

    def log_tail(self, lines=30):
        """The last lines Ironic logged above DEBUG, for error reports.

        Falls back to Ironic's stdout/stderr when it died before logging.

        :param lines: how many lines.
        """
        kept = [line for line in self._read('ironic.log').splitlines(True)
                if ' DEBUG ' not in line]
        if not kept:
            kept = self._read('stdout.log').splitlines(True)
        return 'ironic log (last %d lines above DEBUG):\n%s' % (
            lines, textwrap.indent(''.join(kept[-lines:]), '    '))

    def stop(self, timeout=20):
        """Stop Ironic's whole process group by its id and clean up.

        SIGTERM first, SIGKILL for whatever is still there after
        ``timeout`` seconds.

        :raises IronicEnvError: if a process of the group survived.
        """
        try:
            if self.process is not None:
                self._stop_group(timeout)
        finally:
            if self.workdir and not self.keep_workdir:
                shutil.rmtree(self.workdir, ignore_errors=True)

    def _stop_group(self, timeout):
        process, self.process = self.process, None
        pgid = process.pid
        for signum, grace in ((signal.SIGTERM, timeout), (signal.SIGKILL, 5)):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pgid, signum)
            deadline = time.monotonic() + grace
            while time.monotonic() < deadline:
                # poll() also reaps Ironic itself, so that it does not
                # linger as a zombie member of the group.
                if (process.poll() is not None
                        and not sysutils.group_members(pgid)):
                    return
                time.sleep(0.1)
        raise IronicEnvError('processes left running after ironic was '
                             'killed: %s' % sysutils.group_members(pgid))

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc_info):
        self.stop()
