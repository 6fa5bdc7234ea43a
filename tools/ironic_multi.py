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

"""Ironic in distributed mode on one host: MariaDB, one API, N conductors.

:class:`MultiIronic` starts a :class:`tools.mariadb.MariaDB` of its own,
one ``ironic-api`` and several ``ironic-conductor`` processes that talk
JSON-RPC on 127.0.0.1 and share the database, as a real deployment with
several conductors does. Each service is a
:class:`tools.ironic_env.StandaloneIronic` (same work directory layout,
process group, log and ``baremetal`` plumbing) whose ``ironic.conf`` is
the standalone one plus :data:`OVERRIDES_PATH`, the tested configuration
that the "many conductors" documentation page shows.
"""

import configparser
import contextlib
import io
import os
import signal
import time

import psutil
import requests

from tools import ironic_env
from tools import mariadb
from tools import sysutils

#: The options every service adds to the standalone configuration.
OVERRIDES_PATH = os.path.join(os.path.dirname(__file__), 'config',
                              'two-conductors.conf')
#: ``[DEFAULT]host`` of the conductors: distinct names of 127.0.0.1 (the
#: API connects to ``<host>:<[json_rpc]port>``); the API takes the first.
HOSTS = ('localhost', '127.0.0.1')


def merge_config(base_text, overrides_text):
    """Return ``base_text`` with the options of ``overrides_text`` applied.

    :param base_text: an ``ironic.conf`` text.
    :param overrides_text: options to add or replace, in the same format.
    :returns: the merged configuration text.
    """
    # [DEFAULT] is an ordinary section of ironic.conf, not configparser's
    # defaults for every section.
    parser = configparser.ConfigParser(interpolation=None,
                                       default_section='-')
    parser.optionxform = str  # option names are case-sensitive
    parser.read_string(base_text, source='standalone configuration')
    parser.read_string(overrides_text, source=OVERRIDES_PATH)
    merged = io.StringIO()
    parser.write(merged)
    return merged.getvalue()


class _DistributedService(ironic_env.StandaloneIronic):
    """An Ironic service of a distributed deployment.

    :param database_url: the shared ``[database]connection``.
    :param host: ``[DEFAULT]host``, one of :data:`HOSTS`.
    :param api_port: the API's port (None: pick one; for ``ironic-api``).
    :param kwargs: see :class:`tools.ironic_env.StandaloneIronic`.
    """

    def __init__(self, database_url, host, api_port=None, **kwargs):
        super().__init__(**kwargs)
        self.database_url = database_url
        self.host = host
        self.api_port = api_port
        self.json_rpc_port = None

    def _config_text(self):
        if self.json_rpc_port is None:
            self.json_rpc_port = sysutils.free_port()
        with open(OVERRIDES_PATH) as overrides:
            text = overrides.read().format(
                workdir=self.workdir, host=self.host,
                api_port=self.api_port,
                json_rpc_port=self.json_rpc_port,
                database_url=self.database_url,
                console_ports=self.console_port_range)
        return merge_config(super()._config_text(), text)


class IronicApi(_DistributedService):
    """``ironic-api``; it creates the schema of the shared database."""

    service = 'ironic-api'

    def ready(self):
        """Whether the API answers (it offers no driver before conductors)."""
        return requests.get(self.endpoint + '/v1', timeout=2).ok


class IronicConductor(_DistributedService):
    """One ``ironic-conductor`` with its own ports, files and locks."""

    service = 'ironic-conductor'

    def __init__(self, database_url, host, api_port, **kwargs):
        super().__init__(database_url, host, api_port, **kwargs)
        self._last_pgid = None

    @property
    def hostname(self):
        """The conductor's name in the API: ``<host>:<json-rpc port>``."""
        return '%s:%d' % (self.host, self.json_rpc_port)

    def _create_schema(self, config):
        """Nothing to do: :class:`IronicApi` created the schema."""

    def launch(self, timeout=90):
        super().launch(timeout)
        self._last_pgid = self.pid

    def ready(self):
        """Whether the API lists this conductor for the msftocs driver."""
        reply = requests.get(
            self.endpoint + '/v1/drivers/msftocs', timeout=2,
            headers={'X-OpenStack-Ironic-API-Version': 'latest'})
        return reply.ok and self.hostname in reply.json()['hosts']

    def kill(self, timeout=10):
        """SIGKILL the whole process group, as if the host died.

        The work directory (configuration, logs, stale pid and password
        files) stays, so that :meth:`launch` can start the conductor again.

        :raises IronicEnvError: if a process of the group survived.
        """
        process, self.process = self.process, None
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout)
        deadline = time.monotonic() + timeout
        while sysutils.group_members(process.pid):
            if time.monotonic() > deadline:
                raise ironic_env.IronicEnvError(
                    'processes left after SIGKILL: %s'
                    % sysutils.group_members(process.pid))
            time.sleep(0.1)

    def leftovers(self):
        """Processes of this conductor that are not its running service.

        While it is down: anything in its last process group, or any
        process whose command line or environment names its work directory
        (a socat listener or console bridge that escaped the group).

        :returns: a list of ``(pid, command line)``.
        """
        if self.process is not None:
            raise ironic_env.IronicEnvError('the conductor is running')
        found = dict(sysutils.group_members(self._last_pgid)
                     if self._last_pgid else [])
        for proc in psutil.process_iter(['pid', 'cmdline', 'environ']):
            cmdline = ' '.join(proc.info['cmdline'] or ())
            environ = ' '.join((proc.info['environ'] or {}).values())
            if self.workdir in cmdline or self.workdir in environ:
                found[proc.info['pid']] = cmdline
        return sorted(found.items())


class MultiIronic(object):
    """MariaDB, one ``ironic-api`` and ``conductors`` ``ironic-conductor``.

    :param conductors: how many conductors (at most ``len(HOSTS)``).
    :param msftocs_options: extra ``[msftocs]`` options, as a dict.
    :param console_ports: size of each conductor's console port range.
    :param keep_workdir: leave the work directories behind.
    """

    def __init__(self, conductors=2, msftocs_options=None, console_ports=8,
                 keep_workdir=False):
        if not 1 <= conductors <= len(HOSTS):
            raise ValueError('conductors: 1 to %d' % len(HOSTS))
        self.count = conductors
        self.options = dict(msftocs_options=msftocs_options,
                            console_ports=console_ports,
                            keep_workdir=keep_workdir)
        self.database = mariadb.MariaDB(keep_workdir=keep_workdir)
        self.api = None
        self.conductors = []

    def start(self, timeout=120):
        """Start the database, the API, then each conductor in turn.

        :raises IronicEnvError, MariaDBError: when a service fails; what
            was started is stopped again.
        """
        try:
            self.database.start()
            self.api = IronicApi(self.database.url, HOSTS[0], **self.options)
            self.api.start(timeout)
            for host in HOSTS[:self.count]:
                conductor = IronicConductor(
                    self.database.url, host, self.api.api_port,
                    **self.options)
                self.conductors.append(conductor)
                conductor.start(timeout)
        except BaseException:
            self.stop()
            raise
        return self

    @property
    def endpoint(self):
        """The API URL."""
        return self.api.endpoint

    def log_text(self):
        """Everything every Ironic service logged."""
        return ''.join(service.log_text()
                       for service in [self.api] + self.conductors)

    def log_tail(self, lines=12):
        """The end of each service's log, for error reports."""
        return '\n'.join('%s %s: %s' % (
            service.service, getattr(service, 'hostname', ''),
            service.log_tail(lines))
            for service in [self.api] + self.conductors)

    def processes(self):
        """The live processes of every running conductor's group."""
        return [proc for conductor in self.conductors
                for proc in conductor.processes()]

    def baremetal(self, *args, **kwargs):
        """Run the real ``baremetal`` CLI against the API.

        See :meth:`tools.ironic_env.StandaloneIronic.baremetal`.
        """
        return self.api.baremetal(*args, **kwargs)

    def conductor_named(self, hostname):
        """The :class:`IronicConductor` the API calls ``hostname``."""
        for conductor in self.conductors:
            if conductor.hostname == hostname:
                return conductor
        raise KeyError(hostname)

    def stop(self):
        """Stop every conductor, the API, then the database, by process id.

        :raises: the first error met; the other services are still stopped.
        """
        errors = []
        services = list(reversed(self.conductors)) + [self.api, self.database]
        for service in services:
            if service is None:
                continue
            try:
                service.stop()
            except Exception as exc:
                errors.append(exc)
        if errors:
            raise errors[0]

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info):
        self.stop()
