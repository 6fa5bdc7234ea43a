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

"""Serial console of a blade, served by socat on the conductor.

socat listens on the node's console port and runs ``msftocs-console`` (see
:mod:`msftocs_driver.cmd.console` and :mod:`msftocs_driver.console_command`)
for each connection; that program holds the chassis-manager serial session
while somebody is connected.

Several conductors: the node's ``driver_internal_info`` names the conductor
whose socat serves the console (:data:`CONSOLE_HOST_KEY`, changed under the
node's exclusive lock only). A conductor starting a console recorded
elsewhere (ironic's takeover) takes the blade's session over from that
conductor's bridge; a conductor whose console was moved away or disabled
elsewhere stops its own socat and bridges (:meth:`MsftOcsSocatConsole.
stop_moved_consoles`), which ironic does not do.
"""

import os

from futurist import periodics
from ironic.common import exception
from ironic.common import metrics_utils
from ironic.common import utils as ironic_utils
from ironic.drivers import base
from ironic.drivers.modules import console_utils
from ironic import objects
from oslo_log import log
from oslo_utils import excutils

from msftocs_driver.common import console_files
from msftocs_driver.common import console_settings
from msftocs_driver.common import driver_info as msftocs_info
from msftocs_driver.conf import CONF
from msftocs_driver import console_command
from msftocs_driver import console_connections
from msftocs_driver import console_sessions
from msftocs_driver.i18n import _

LOG = log.getLogger(__name__)
METRICS = metrics_utils.get_metrics_logger(__name__)

#: driver_internal_info key of a port taken from ``[console]port_range``.
ALLOCATED_PORT_KEY = 'allocated_msftocs_terminal_port'
#: driver_internal_info key naming the conductor (``[DEFAULT]host``) whose
#: console serves the node; every conductor can read it, and it changes
#: only under the node's exclusive lock.
CONSOLE_HOST_KEY = 'msftocs_console_host'


def _check_console_settings(info):
    """Check that a console can be started with these settings.

    :param info: parsed driver_info.
    :raises: MissingParameterValue if no console port can be had.
    :raises: ConsoleError if the bridge program is unusable.
    """
    if not info['terminal_port'] and CONF.console.port_range is None:
        raise exception.MissingParameterValue(
            _('Node %s has no console port: set driver_info/'
              'msftocs_terminal_port or [console]port_range.')
            % info['node_uuid'])
    console_command.bridge_command()


def stop_local_console(node_uuid):
    """Stop this conductor's socat and bridges of a node, and forget them.

    The bridges stop their own sessions as they exit.

    :param node_uuid: the node's UUID.
    :raises: ConsoleError if socat cannot be stopped.
    """
    connections = console_connections.find(node_uuid)
    try:
        # The listener goes first: once its connections end it would
        # accept a waiting client and start a new bridge. (socat 1.7.4
        # does not exit on SIGTERM while it has connections; ironic
        # kills it after [console]kill_timeout.)
        console_utils.stop_socat_console(node_uuid)
    finally:
        console_connections.end(node_uuid, connections)
        ironic_utils.unlink_without_raise(
            console_files.settings_path(node_uuid))


def _forget_console_host(task):
    # Whichever conductor recorded it: that conductor then stops its socat
    # (see stop_moved_consoles).
    node = task.node
    if node.del_driver_internal_info(CONSOLE_HOST_KEY) is not None:
        node.save()


def _release_allocated_port(task):
    node = task.node
    port = node.del_driver_internal_info(ALLOCATED_PORT_KEY)
    if port:
        node.save()
        console_utils.release_port(port)


def _allocate_port(task):
    node = task.node
    port = console_utils.acquire_port(host=CONF.console.socat_address)
    node.set_driver_internal_info(ALLOCATED_PORT_KEY, port)
    node.save()
    return port


class MsftOcsSocatConsole(base.ConsoleInterface):
    """Blade serial console over TCP, served by socat on the conductor."""

    def get_properties(self):
        """Return the driver_info properties of this interface."""
        properties = msftocs_info.COMMON_PROPERTIES.copy()
        properties.update(msftocs_info.CONSOLE_PROPERTIES)
        return properties

    @METRICS.timer('MsftOcsSocatConsole.validate')
    def validate(self, task):
        """Check the console settings of a node without contacting it.

        :param task: a TaskManager instance.
        :raises: MissingParameterValue if no console port can be had.
        :raises: InvalidParameterValue on malformed driver_info.
        """
        _check_console_settings(msftocs_info.parse_driver_info(task.node))

    @METRICS.timer('MsftOcsSocatConsole.start_console')
    def start_console(self, task):
        """Start socat on the node's console port.

        Safe to call again: a console that is running is replaced (the
        conductor does so for every enabled console when it starts). Only
        sessions of this driver are stopped then: a session another client
        holds on the blade stays, and the start fails, unless
        ``[msftocs]console_force_takeover`` is set. A console moved from
        another conductor (a takeover) takes the blade's session over, as
        that session was the previous conductor's bridge's.

        :param task: a TaskManager instance with an exclusive lock.
        :raises: MsftOcsError (or another translated chassis-manager error)
            if no serial session can be opened on the blade now.
        :raises: PasswordFileFailedToCreate, ConsoleError,
            ConsoleSubprocessFailed, NoFreeIPMITerminalPorts.
        """
        node = task.node
        info = msftocs_info.parse_driver_info(node)
        # Also checked here: the conductor restarts enabled consoles
        # without validating them first.
        _check_console_settings(info)
        command = console_command.bridge_command()
        previous_host = node.driver_internal_info.get(CONSOLE_HOST_KEY)
        moved = bool(node.console_enabled and previous_host
                     and previous_host != CONF.host)
        if node.console_enabled:
            # The old bridge would hold the session.
            self._stop(task, info)
        _release_allocated_port(task)
        port = info['terminal_port'] or _allocate_port(task)
        # Recorded before the settings file exists: a conductor finding a
        # settings file of a node recorded elsewhere knows its console
        # moved (see stop_moved_consoles).
        node.set_driver_internal_info(CONSOLE_HOST_KEY, CONF.host)
        node.save()
        if moved:
            LOG.info('Console of node %(node)s moves here from conductor '
                     '%(host)s; its serial session is taken over',
                     {'node': node.uuid, 'host': previous_host})
        try:
            cm_version = console_sessions.probe_serial_session(
                node, moved or CONF.msftocs.console_force_takeover)
            console_files.ensure_directory()
            settings_file = console_files.settings_path(node.uuid)
            # NOTE: the settings (the password among them) reach the
            # bridge through a 0600 file, like ipmitool's default, rather
            # than through the command line or the environment: socat lives
            # as long as the console is enabled and passes its environment
            # to every process it starts, where same-user tools (ps e,
            # /proc/<pid>/environ) show it; only the file's path is in the
            # environment, and the bridge refuses a file that others could
            # read or replace.
            settings = console_command.build_bridge_settings(
                info, console_files.token_path(node.uuid), cm_version)
            console_command.write_settings_file(settings_file, settings)
            console_utils.start_socat_console(
                node.uuid, port, command,
                env_variables={console_settings.SETTINGS_ENV: settings_file})
        except Exception:
            with excutils.save_and_reraise_exception():
                self._clean_up_failed_start(task)
        LOG.info('Serial console of node %(node)s listens on port %(port)s',
                 {'node': node.uuid, 'port': port})

    def _clean_up_failed_start(self, task):
        node_uuid = task.node.uuid
        ironic_utils.unlink_without_raise(
            console_files.settings_path(node_uuid))
        if os.path.exists(console_connections.pid_file_path(node_uuid)):
            # socat started but did not come up in time.
            try:
                console_utils.stop_socat_console(node_uuid)
            except exception.ConsoleError as exc:
                LOG.warning('Could not stop socat for node %(node)s after '
                            'a failed start: %(err)s',
                            {'node': node_uuid, 'err': exc})
        _release_allocated_port(task)
        _forget_console_host(task)

    @METRICS.timer('MsftOcsSocatConsole.stop_console')
    def stop_console(self, task):
        """Stop socat, its connections and the bridge's serial session.

        The local processes are stopped even when the node's driver_info
        became invalid; only the chassis-side clean-up is skipped then. A
        session another client holds on the blade is left alone unless
        ``[msftocs]console_force_takeover`` is set.

        :param task: a TaskManager instance with an exclusive lock.
        :raises: ConsoleError if socat cannot be stopped.
        :raises: InvalidParameterValue, MissingParameterValue on invalid
            driver_info (after the local processes were stopped).
        """
        try:
            info = msftocs_info.parse_driver_info(task.node)
        except exception.InvalidParameterValue as exc:
            info, info_error = None, exc
        else:
            info_error = None
        try:
            self._stop(task, info)
        finally:
            _release_allocated_port(task)
            _forget_console_host(task)
        if info_error is not None:
            raise info_error
        LOG.info('Serial console of node %s stopped', task.node.uuid)

    def _stop(self, task, info):
        stop_local_console(task.node.uuid)
        if info is not None:
            console_sessions.stop_left_session(info)

    @METRICS.timer('MsftOcsSocatConsole.get_console')
    def get_console(self, task):
        """Return where to connect to the node's console.

        :param task: a TaskManager instance.
        :returns: ``{'type': 'socat', 'url': 'tcp://<address>:<port>'}``.
        :raises: ConsoleError if the console has no port (not started).
        """
        info = msftocs_info.parse_driver_info(task.node)
        port = (info['terminal_port']
                or task.node.driver_internal_info.get(ALLOCATED_PORT_KEY))
        if not port:
            raise exception.ConsoleError(
                _('The console of node %s has no port; enable the console '
                  'first.') % task.node.uuid)
        return {'type': 'socat',
                'url': console_utils.get_socat_console_url(port)}

    @periodics.periodic(spacing=CONF.msftocs.console_handover_interval,
                        enabled=CONF.msftocs.console_handover_interval > 0)
    def stop_moved_consoles(self, manager, context):
        """Stop the consoles served here that belong elsewhere now.

        Ironic starts a console on the conductor that takes a node over
        (or, at its start, on the one the ring maps it to) but never stops
        it on the conductor that served it before, whose socat would keep
        listening, and a console disabled through another conductor stays
        up here too. A console is served here while its node records this
        conductor (:data:`CONSOLE_HOST_KEY`); this stops the socat and
        bridges of every other one. The bridges stop their own sessions,
        with their own tokens, so the new owner's session stays.

        :param manager: the conductor manager (unused).
        :param context: an admin request context.
        """
        for node_uuid in console_files.served_nodes():
            try:
                node = objects.Node.get_by_uuid(context, node_uuid)
            except exception.NodeNotFound:
                owner = None
            else:
                owner = node.driver_internal_info.get(CONSOLE_HOST_KEY)
            if owner == CONF.host:
                continue
            LOG.info('Console of node %(node)s is %(where)s; stopping its '
                     'socat and bridges on this conductor',
                     {'node': node_uuid,
                      'where': ('served by conductor %s now' % owner
                                if owner else 'not served here any more')})
            try:
                stop_local_console(node_uuid)
            except exception.ConsoleError as exc:
                LOG.warning('Could not stop the console of node %(node)s: '
                            '%(err)s', {'node': node_uuid, 'err': exc})
            console_files.forget_token(node_uuid)
