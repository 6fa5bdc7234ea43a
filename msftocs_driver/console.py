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
:mod:`msftocs_driver.cmd.console`) for each connection; that program holds
the chassis-manager serial session while somebody is connected.
"""

import os
import sys

from ironic.common import exception
from ironic.common import metrics_utils
from ironic.common import utils as ironic_utils
from ironic.drivers import base
from ironic.drivers.modules import console_utils
from oslo_log import log
from oslo_utils import excutils

from msftocs_driver.cmd import console as bridge
from msftocs_driver.common import client_cache
from msftocs_driver.common import cm
from msftocs_driver.common import driver_info as msftocs_info
from msftocs_driver.conf import CONF
from msftocs_driver import console_connections
from msftocs_driver import exception as msftocs_exc
from msftocs_driver.i18n import _
from msftocs_driver.ocs import exceptions as ocs_exc
from msftocs_driver.ocs import serial as ocs_serial

LOG = log.getLogger(__name__)
METRICS = metrics_utils.get_metrics_logger(__name__)

#: driver_internal_info key of a port taken from ``[console]port_range``.
ALLOCATED_PORT_KEY = 'allocated_msftocs_terminal_port'
#: Module socat runs (with this interpreter) for each connection.
BRIDGE_MODULE = 'msftocs_driver.cmd.console'
#: Inactivity timeout of the probe session: should its Stop get lost, the
#: chassis manager frees the blade soon (it counts in 30 s steps).
PROBE_SESSION_TIMEOUT = 30


def password_file_path(node_uuid):
    """Path of the file that hands a node's password to the bridge."""
    return os.path.join(CONF.tempdir, 'msftocs-console-%s.pw' % node_uuid)


def write_password_file(path, password):
    """Write the password the bridge reads, readable by this user only.

    Like ironic's ``make_persistent_password_file``, but the file is
    created with mode 0600 and never exists with wider permissions (a file
    opened while it had them could be read later), and a link or file put
    at its place is removed rather than followed.

    :param path: the file path.
    :param password: the password.
    :raises: PasswordFileFailedToCreate.
    """
    flags = (os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW
             | os.O_CLOEXEC)
    try:
        ironic_utils.unlink_without_raise(path)
        fd = os.open(path, flags, 0o600)
        with os.fdopen(fd, 'wb') as pw_file:
            pw_file.write(password.encode('utf-8'))
    except OSError as exc:
        ironic_utils.unlink_without_raise(path)
        # Only the reason: the exception never carries the password.
        raise exception.PasswordFileFailedToCreate(error=exc.strerror)


def build_bridge_args(info, password_file):
    """Build the bridge command run by socat, one list item per argument.

    The result carries no secret: the password stays in ``password_file``.

    :param info: parsed driver_info.
    :param password_file: path of the node's password file.
    :returns: a list of strings.
    """
    verify_ca = info['verify_ca']
    if isinstance(verify_ca, bool):
        verify_ca = 'true' if verify_ca else 'false'
    args = [sys.executable, '-m', BRIDGE_MODULE,
            '--base-url', info['base_url'],
            '--blade-id', str(info['blade_id']),
            '--username', info['username'],
            '--auth-type', info['auth_type'],
            '--verify-ca', verify_ca,
            '--password-file', password_file,
            '--connect-timeout', str(CONF.msftocs.connect_timeout),
            '--read-timeout', str(CONF.msftocs.read_timeout),
            '--session-timeout', str(CONF.msftocs.console_session_timeout),
            '--poll-interval', str(CONF.msftocs.console_poll_interval)]
    if CONF.msftocs.console_force_takeover:
        args.append('--force-takeover')
    return args


def _check_console_settings(info):
    """Check that a console can be started with these settings.

    socat splits its ``EXEC`` command at spaces and has no quoting for
    them (ironic escapes every other special character), so no bridge
    argument may contain white space.

    :param info: parsed driver_info.
    :raises: MissingParameterValue if no console port can be had.
    :raises: InvalidParameterValue naming the field and the node if a
        bridge argument is unusable.
    """
    if not info['terminal_port'] and CONF.console.port_range is None:
        raise exception.MissingParameterValue(
            _('Node %s has no console port: set driver_info/'
              'msftocs_terminal_port or [console]port_range.')
            % info['node_uuid'])
    sources = {
        'driver_info/msftocs_base_url': info['base_url'],
        'driver_info/msftocs_username': info['username'],
        'driver_info/msftocs_verify_ca': str(info['verify_ca']),
        '[DEFAULT]tempdir': password_file_path(info['node_uuid']),
        'the Python interpreter path': sys.executable,
    }
    for source, value in sources.items():
        if any(char.isspace() for char in value):
            raise exception.InvalidParameterValue(
                _('The serial console of node %(node)s cannot be started: '
                  '%(source)s (%(value)r) contains white space, which the '
                  'socat command line cannot carry.') %
                {'node': info['node_uuid'], 'source': source,
                 'value': value})


def _force_stop_serial_session(info):
    """Stop whatever serial session the blade has (best effort).

    A bridge stops its own session when it exits; this catches a session
    left by a bridge that was killed. The node's console belongs to ironic,
    so a session on its blade is treated as ironic's.
    """
    node_uuid = info['node_uuid']
    try:
        with client_cache.borrowed_client(info) as client:
            try:
                client.stop_blade_serial_session(info['blade_id'], force=True)
            except (ocs_exc.ConnectionError, ocs_exc.AuthenticationError):
                client_cache.evict(info, client)
                raise
    except (ocs_exc.DevicePoweredOffError,
            ocs_exc.FirmwareDecompressingError):
        # Without BMC power there is no session to stop.
        LOG.debug('No serial session to stop for node %s: the blade is '
                  'not powered', node_uuid)
    except ocs_exc.OCSError as exc:
        LOG.warning('Could not force-stop the serial session of node '
                    '%(node)s: %(err)s', {'node': node_uuid,
                                          'err': cm.describe(exc)})


def _probe_serial_session(node):
    """Open and close a serial session to learn whether one can be had.

    socat only runs the bridge when somebody connects; probing now turns a
    powered-off blade, a session held elsewhere or a full chassis into an
    error of the console request itself, which the operator sees.

    :raises: MsftOcsError or the translated chassis-manager error.
    """
    with cm.client_for(node, 'start console') as (client, info):
        session = ocs_serial.SerialSession(
            client, info['blade_id'], session_timeout=PROBE_SESSION_TIMEOUT,
            force_takeover=CONF.msftocs.console_force_takeover)
        try:
            session.open()
        except (ocs_exc.SerialSessionActiveError,
                ocs_exc.MaxSerialSessionReachedError) as exc:
            # Not a fault of the chassis manager: the operator has to act.
            raise msftocs_exc.MsftOcsError(
                node=node.uuid, error=_('start console: %s') %
                bridge.describe_error(exc, info['blade_id'])) from exc
        finally:
            session.close()


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

        Safe to call again: a console that is running is replaced.

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
        if node.console_enabled:
            # The conductor restarts enabled consoles when it starts and
            # after a deployment; the old bridge would hold the session.
            self._stop(task, info)
        _release_allocated_port(task)
        port = info['terminal_port'] or _allocate_port(task)
        pw_file = password_file_path(node.uuid)
        try:
            _probe_serial_session(node)
            # NOTE: the password reaches the bridge through a 0600 file,
            # like ipmitool's default, rather than through the environment:
            # socat lives as long as the console is enabled and passes its
            # environment to every process it starts, where same-user tools
            # (ps e, /proc/<pid>/environ) show it; the bridge also refuses
            # a file that others could read or replace.
            write_password_file(pw_file, info['password'])
            command = ' '.join(build_bridge_args(info, pw_file))
            console_utils.start_socat_console(node.uuid, port, command)
        except Exception:
            with excutils.save_and_reraise_exception():
                self._clean_up_failed_start(task)
        LOG.info('Serial console of node %(node)s listens on port %(port)s',
                 {'node': node.uuid, 'port': port})

    def _clean_up_failed_start(self, task):
        node_uuid = task.node.uuid
        ironic_utils.unlink_without_raise(password_file_path(node_uuid))
        if os.path.exists(console_connections.pid_file_path(node_uuid)):
            # socat started but did not come up in time.
            try:
                console_utils.stop_socat_console(node_uuid)
            except exception.ConsoleError as exc:
                LOG.warning('Could not stop socat for node %(node)s after '
                            'a failed start: %(err)s',
                            {'node': node_uuid, 'err': exc})
        _release_allocated_port(task)

    @METRICS.timer('MsftOcsSocatConsole.stop_console')
    def stop_console(self, task):
        """Stop socat, its connections and the blade's serial session.

        The local processes are stopped even when the node's driver_info
        became invalid; only the chassis-side clean-up is skipped then.

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
        if info_error is not None:
            raise info_error
        LOG.info('Serial console of node %s stopped', task.node.uuid)

    def _stop(self, task, info):
        node_uuid = task.node.uuid
        connections = console_connections.find(node_uuid)
        try:
            # The listener goes first: once its connections end it would
            # accept a waiting client and start a new bridge. (socat 1.7.4
            # does not exit on SIGTERM while it has connections; ironic
            # kills it after [console]kill_timeout.)
            console_utils.stop_socat_console(node_uuid)
        finally:
            console_connections.end(node_uuid, connections)
            ironic_utils.unlink_without_raise(password_file_path(node_uuid))
            if info is not None:
                _force_stop_serial_session(info)

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
