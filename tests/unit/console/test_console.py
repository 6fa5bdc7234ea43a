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

"""Unit tests of the ``msftocs-socat`` console interface."""

import contextlib
import json
import os
import stat
from unittest import mock

import fixtures
from futurist import periodics
from ironic.common import exception
from ironic.conductor import task_manager
from ironic.drivers.modules import console_utils

from msftocs_driver.common import client_cache
from msftocs_driver.common import console_files
from msftocs_driver.common import console_settings
from msftocs_driver.common import driver_info as msftocs_info
from msftocs_driver.common import private_files
from msftocs_driver import console
from msftocs_driver import console_command
from msftocs_driver import console_connections
from msftocs_driver import console_sessions
from msftocs_driver import exception as msftocs_exc
from msftocs_driver.ocs import client as ocs_client
from msftocs_driver.ocs import constants
from msftocs_driver.ocs import exceptions as ocs_exc
from msftocs_driver.ocs import version as ocs_version
from tests import base
from tests import console_quoting

PASSWORD = base.DRIVER_INFO['msftocs_password']


def _cm_error(cls, code):
    return cls(code, '', operation='StartBladeSerialSession', blade_id=3)


class ConsoleTestCase(base.MsftOcsTestCase):

    def setUp(self):
        super().setUp()
        self.tempdir = self.useFixture(fixtures.TempDir()).path
        self.config(tempdir=self.tempdir)
        self.config(socat_address='127.0.0.1',
                    port_range=base.console_port_range('10000:10010'),
                    group='console')
        self.iface = console.MsftOcsSocatConsole()
        self.node = self.create_node()
        self.client = mock.create_autospec(ocs_client.ChassisManagerClient,
                                           instance=True)
        self.client.start_blade_serial_session.return_value = 'AA-BB'
        self.client.cm_version.return_value = ocs_version.ASSUMED

        @contextlib.contextmanager
        def borrowed(info):
            yield self.client
        self.borrowed = self.useFixture(fixtures.MockPatchObject(
            client_cache, 'borrowed_client', side_effect=borrowed)).mock
        self.start_socat = self.patch_utils('start_socat_console')
        self.stop_socat = self.patch_utils('stop_socat_console')
        self.acquire = self.patch_utils('acquire_port', return_value=10004)
        self.release = self.patch_utils('release_port')

    def cfg_host(self):
        return console.CONF.host

    def patch_utils(self, name, **kwargs):
        return self.useFixture(fixtures.MockPatchObject(
            console_utils, name, autospec=True, **kwargs)).mock

    @property
    def pw_file(self):
        return console_files.settings_path(self.node.uuid)

    @property
    def token_file(self):
        return console_files.token_path(self.node.uuid)

    def remember_token(self, token):
        console_files.ensure_directory()
        private_files.write(self.token_file, token.encode())

    def acquire_task(self, shared=False):
        return task_manager.acquire(self.context, self.node.uuid,
                                    shared=shared)

    def set_driver_info(self, **updates):
        self.node.driver_info = dict(self.node.driver_info, **updates)
        self.node.save()


class PropertiesValidateTestCase(ConsoleTestCase):

    def test_get_properties(self):
        properties = self.iface.get_properties()
        for key in ('msftocs_base_url', 'msftocs_blade_id',
                    'msftocs_username', 'msftocs_password',
                    'msftocs_verify_ca', 'msftocs_auth_type',
                    'msftocs_terminal_port'):
            self.assertIn(key, properties)

    def test_validate_with_port_range(self):
        with self.acquire_task(shared=True) as task:
            self.iface.validate(task)

    def test_validate_with_terminal_port(self):
        self.config(port_range=None, group='console')
        self.set_driver_info(msftocs_terminal_port=10100)
        with self.acquire_task(shared=True) as task:
            self.iface.validate(task)

    def test_validate_no_port(self):
        self.config(port_range=None, group='console')
        with self.acquire_task(shared=True) as task:
            error = self.assertRaises(exception.MissingParameterValue,
                                      self.iface.validate, task)
        self.assertIn('msftocs_terminal_port', str(error))
        self.assertIn(self.node.uuid, str(error))

    def test_validate_bad_driver_info(self):
        self.node.driver_info = {'msftocs_base_url': 'https://cm01'}
        self.node.save()
        with self.acquire_task(shared=True) as task:
            self.assertRaises(exception.MissingParameterValue,
                              self.iface.validate, task)

    def test_white_space_needs_no_quoting(self):
        # Nothing but the bridge's path is on the command line.
        ca_dir = os.path.join(self.tempdir, 'my certs')
        os.mkdir(ca_dir)
        self.config(tempdir=os.path.join(self.tempdir, 'a b'))
        self.set_driver_info(msftocs_verify_ca=ca_dir,
                             msftocs_username='LAB\\John Smith')
        with self.acquire_task(shared=True) as task:
            self.iface.validate(task)

    def test_bridge_path_with_unsafe_characters(self):
        unsafe = os.path.join(self.tempdir, 'my venv', 'bin')
        os.makedirs(unsafe)
        program = os.path.join(unsafe, 'msftocs-console')
        with open(program, 'w') as script:
            script.write('#!/bin/sh\n')
        os.chmod(program, 0o755)
        self.useFixture(fixtures.MonkeyPatch(
            'sys.executable', os.path.join(unsafe, 'python3')))
        with self.acquire_task(shared=True) as task:
            error = self.assertRaises(exception.ConsoleError,
                                      self.iface.validate, task)
        self.assertIn(program, str(error))
        self.assertIn('plain path', str(error))

    def test_bridge_not_installed(self):
        self.useFixture(fixtures.MonkeyPatch(
            'sys.executable', os.path.join(self.tempdir, 'python3')))
        self.useFixture(fixtures.EnvironmentVariable('PATH', self.tempdir))
        with self.acquire_task(shared=True) as task:
            error = self.assertRaises(exception.ConsoleError,
                                      self.iface.validate, task)
        self.assertIn('msftocs-console is not installed', str(error))


class CommandQuotingTestCase(ConsoleTestCase):
    """The console command under each way ironic releases pass it on."""

    @staticmethod
    def socat_program(exec_string):
        # socat splits EXEC's string at spaces and runs the first word.
        return exec_string.split(' ')

    def test_one_word_under_every_release(self):
        command = console_command.bridge_command()
        self.assertTrue(os.path.isabs(command))
        self.assertTrue(os.access(command, os.X_OK))
        for name, transform in console_quoting.BEHAVIOURS.items():
            self.assertEqual([command],
                             self.socat_program(transform(command)), name)

    def test_a_multi_word_command_breaks_under_quoting(self):
        # The former command: socat ran "'/usr/bin/python3", no program.
        command = '/usr/bin/python3 -m msftocs_driver.cmd.console --x a:b'
        words = {name: self.socat_program(transform(command))
                 for name, transform in console_quoting.BEHAVIOURS.items()}
        self.assertEqual("'/usr/bin/python3", words['shlex.quote'][0])
        self.assertEqual('/usr/bin/python3', words['split'][0])
        self.assertEqual('a\\:b', words['escaped'][-1])


class BridgeArgsTestCase(ConsoleTestCase):

    def info(self, **updates):
        info = {'base_url': 'https://cm01:8000', 'blade_id': 3,
                'username': 'LAB\\admin', 'password': PASSWORD,
                'verify_ca': True, 'auth_type': 'ntlm',
                'terminal_port': None, 'node_uuid': self.node.uuid}
        info.update(updates)
        return info

    def test_settings(self):
        self.config(console_session_timeout=900, console_poll_interval=0.5,
                    connect_timeout=5.0, read_timeout=30.0, group='msftocs')
        settings = console_command.build_bridge_settings(
            self.info(), '/run/x.token')
        self.assertEqual({'node_uuid': self.node.uuid,
                          'base_url': 'https://cm01:8000', 'blade_id': 3,
                          'username': 'LAB\\admin', 'password': PASSWORD,
                          'auth_type': 'ntlm', 'verify_ca': True,
                          'connect_timeout': 5.0, 'read_timeout': 30.0,
                          'session_timeout': 900, 'poll_interval': 0.5,
                          'force_takeover': False,
                          'token_file': '/run/x.token'}, settings)
        # What the bridge's settings reader accepts.
        self.assertEqual(set(settings) - console_settings.REQUIRED,
                         set(settings) & console_settings.OPTIONAL)

    def test_ca_path_takeover_and_version(self):
        self.config(console_force_takeover=True, group='msftocs')
        settings = console_command.build_bridge_settings(
            self.info(verify_ca='/etc/cm/ca.pem'), '/run/x.token',
            cm_version='2.0.1.3')
        self.assertEqual(('/etc/cm/ca.pem', True, '2.0.1.3'),
                         (settings['verify_ca'], settings['force_takeover'],
                          settings['cm_version']))


class StartConsoleTestCase(ConsoleTestCase):

    def test_start_with_allocated_port(self):
        with self.acquire_task() as task:
            self.iface.start_console(task)
            self.assertEqual(
                10004,
                task.node.driver_internal_info[console.ALLOCATED_PORT_KEY])
        self.acquire.assert_called_once_with(host='127.0.0.1')
        # The command is the bridge's path alone; its settings file is
        # named in the environment.
        self.start_socat.assert_called_once_with(
            self.node.uuid, 10004, console_command.bridge_command(),
            env_variables={console_settings.SETTINGS_ENV: self.pw_file})
        self.assertTrue(self.pw_file.startswith(self.tempdir + os.sep))
        # The settings file: the node's password, mode 0600, in a 0700
        # directory of this conductor.
        with open(self.pw_file) as pw_file:
            settings = json.load(pw_file)
        self.assertEqual((PASSWORD, 3, self.token_file),
                         (settings['password'], settings['blade_id'],
                          settings['token_file']))
        self.assertEqual(0o600, stat.S_IMODE(os.stat(self.pw_file).st_mode))
        self.assertEqual(0o700, stat.S_IMODE(os.stat(
            os.path.dirname(self.pw_file)).st_mode))
        self.assertEqual('msftocs-console-%s' % self.cfg_host(),
                         os.path.basename(os.path.dirname(self.pw_file)))
        # The probe opened and closed a short session.
        self.client.start_blade_serial_session.assert_called_once_with(
            3, timeout=console_sessions.PROBE_SESSION_TIMEOUT)
        self.client.stop_blade_serial_session.assert_called_once_with(
            3, 'AA-BB')

    def test_start_with_terminal_port(self):
        self.set_driver_info(msftocs_terminal_port=10100)
        with self.acquire_task() as task:
            self.iface.start_console(task)
            self.assertNotIn(console.ALLOCATED_PORT_KEY,
                             task.node.driver_internal_info)
        self.acquire.assert_not_called()
        self.start_socat.assert_called_once_with(
            self.node.uuid, 10100, mock.ANY, env_variables=mock.ANY)

    def enable_here(self, host=None):
        self.node.console_enabled = True
        self.node.set_driver_internal_info(console.ALLOCATED_PORT_KEY, 10002)
        self.node.set_driver_internal_info(console.CONSOLE_HOST_KEY,
                                           host or self.cfg_host())
        self.node.save()

    def test_start_again_replaces_the_running_console(self):
        self.enable_here()
        with self.acquire_task() as task:
            self.iface.start_console(task)
            self.assertEqual(
                self.cfg_host(),
                task.node.driver_internal_info[console.CONSOLE_HOST_KEY])
        self.stop_socat.assert_called_once_with(self.node.uuid)
        self.release.assert_called_once_with(10002)
        self.start_socat.assert_called_once_with(
            self.node.uuid, 10004, mock.ANY, env_variables=mock.ANY)
        # Only the probe's own session was stopped: nothing was forced.
        self.assertEqual([mock.call(3, 'AA-BB')],
                         self.client.stop_blade_serial_session.call_args_list)

    def test_start_again_stops_the_session_a_killed_bridge_left(self):
        self.enable_here()
        self.remember_token('LE-FT')
        with self.acquire_task() as task:
            self.iface.start_console(task)
        self.assertEqual([mock.call(3, 'LE-FT', force=False),
                          mock.call(3, 'AA-BB')],
                         self.client.stop_blade_serial_session.call_args_list)
        self.assertFalse(os.path.lexists(self.token_file))

    def test_start_again_keeps_a_foreign_session(self):
        # Issue: a conductor restart killed an operator's WcsCli session.
        self.enable_here()
        self.client.start_blade_serial_session.side_effect = _cm_error(
            ocs_exc.SerialSessionActiveError,
            constants.CompletionCode.SerialSessionActive)
        with self.acquire_task() as task:
            error = self.assertRaises(msftocs_exc.MsftOcsError,
                                      self.iface.start_console, task)
        self.assertIn('another client holds', str(error))
        self.client.stop_blade_serial_session.assert_not_called()

    def test_start_again_with_takeover_forces(self):
        self.config(console_force_takeover=True, group='msftocs')
        self.enable_here()
        with self.acquire_task() as task:
            self.iface.start_console(task)
        self.client.stop_blade_serial_session.assert_any_call(
            3, None, force=True)

    def test_console_moved_from_another_conductor_takes_over(self):
        self.enable_here(host='other-conductor')
        self.client.start_blade_serial_session.side_effect = [
            _cm_error(ocs_exc.SerialSessionActiveError,
                      constants.CompletionCode.SerialSessionActive),
            'CC-DD']
        with self.acquire_task() as task:
            self.iface.start_console(task)
            self.assertEqual(
                self.cfg_host(),
                task.node.driver_internal_info[console.CONSOLE_HOST_KEY])
        self.assertEqual([mock.call(3, force=True), mock.call(3, 'CC-DD')],
                         self.client.stop_blade_serial_session.call_args_list)
        # The bridge itself does not take sessions over.
        with open(self.pw_file) as pw_file:
            self.assertFalse(json.load(pw_file)['force_takeover'])

    def assertStartFails(self, error_class):
        with self.acquire_task() as task:
            error = self.assertRaises(error_class, self.iface.start_console,
                                      task)
            self.assertNotIn(console.ALLOCATED_PORT_KEY,
                             task.node.driver_internal_info)
            self.assertNotIn(console.CONSOLE_HOST_KEY,
                             task.node.driver_internal_info)
        self.release.assert_called_once_with(10004)
        self.assertFalse(os.path.exists(self.pw_file))
        return error

    def test_blade_powered_off(self):
        self.client.start_blade_serial_session.side_effect = _cm_error(
            ocs_exc.DevicePoweredOffError,
            constants.CompletionCode.DevicePoweredOff)
        error = self.assertStartFails(msftocs_exc.MsftOcsError)
        self.assertIn('DevicePoweredOff', str(error))
        self.assertIn(self.node.uuid, str(error))
        self.start_socat.assert_not_called()

    def test_session_held_elsewhere(self):
        self.client.start_blade_serial_session.side_effect = _cm_error(
            ocs_exc.SerialSessionActiveError,
            constants.CompletionCode.SerialSessionActive)
        error = self.assertStartFails(msftocs_exc.MsftOcsError)
        self.assertIn('console_force_takeover', str(error))
        self.client.stop_blade_serial_session.assert_not_called()
        self.start_socat.assert_not_called()

    def test_session_held_elsewhere_taken_over(self):
        self.config(console_force_takeover=True, group='msftocs')
        self.client.start_blade_serial_session.side_effect = [
            _cm_error(ocs_exc.SerialSessionActiveError,
                      constants.CompletionCode.SerialSessionActive),
            'CC-DD']
        with self.acquire_task() as task:
            self.iface.start_console(task)
        self.assertEqual([mock.call(3, force=True), mock.call(3, 'CC-DD')],
                         self.client.stop_blade_serial_session.call_args_list)
        with open(self.pw_file) as pw_file:
            self.assertTrue(json.load(pw_file)['force_takeover'])

    def test_too_many_sessions(self):
        self.client.start_blade_serial_session.side_effect = _cm_error(
            ocs_exc.MaxSerialSessionReachedError,
            constants.CompletionCode.MaxSerialSessionReached)
        error = self.assertStartFails(msftocs_exc.MsftOcsError)
        self.assertIn('maximum of 12 serial sessions', str(error))

    def test_unreachable(self):
        self.client.start_blade_serial_session.side_effect = (
            ocs_exc.ConnectionError('refused'))
        self.assertStartFails(msftocs_exc.MsftOcsConnectionError)

    def test_socat_fails(self):
        self.start_socat.side_effect = exception.ConsoleSubprocessFailed(
            error='boom')
        self.assertStartFails(exception.ConsoleSubprocessFailed)

    def test_socat_times_out_and_is_stopped(self):
        pid_file = os.path.join(self.tempdir, '%s.pid' % self.node.uuid)

        def start(*args, **kwargs):
            with open(pid_file, 'w') as pid_data:
                pid_data.write('999999')
            raise exception.ConsoleSubprocessFailed(error='timeout')
        self.start_socat.side_effect = start
        self.assertStartFails(exception.ConsoleSubprocessFailed)
        self.stop_socat.assert_called_once_with(self.node.uuid)


class V20StartConsoleTestCase(ConsoleTestCase):
    """CM v2.0: one serial session per chassis."""

    def setUp(self):
        super().setUp()
        self.client.cm_version.return_value = ocs_version.parse('2.0.1.3')

    def base_url(self):
        return msftocs_info.parse_driver_info(self.node)['base_url']

    def test_version_reaches_the_bridge(self):
        with self.acquire_task() as task:
            self.iface.start_console(task)
        with open(self.pw_file) as pw_file:
            self.assertEqual('2.0.1.3', json.load(pw_file)['cm_version'])

    def test_second_console_of_the_chassis_refused(self):
        other = self.create_node(msftocs_blade_id=7)
        console_files.ensure_directory()
        console_settings.write(
            console_files.settings_path(other.uuid),
            console_command.build_bridge_settings(
                dict(base_url=self.base_url(), blade_id=7,
                     username='admin', password=PASSWORD, auth_type='basic',
                     verify_ca=True, node_uuid=other.uuid), 'x'))
        with self.acquire_task() as task:
            error = self.assertRaises(msftocs_exc.MsftOcsError,
                                      self.iface.start_console, task)
        self.assertIn('one serial console per chassis', str(error))
        self.assertIn(other.uuid, str(error))
        self.assertIn('blade 7', str(error))
        self.assertNotIn(PASSWORD, str(error))
        self.client.start_blade_serial_session.assert_not_called()
        self.start_socat.assert_not_called()

    def test_console_of_another_chassis_is_fine(self):
        other = self.create_node(msftocs_blade_id=7)
        console_files.ensure_directory()
        console_settings.write(
            console_files.settings_path(other.uuid),
            console_command.build_bridge_settings(
                dict(base_url='https://cm02:8000', blade_id=7,
                     username='admin', password=PASSWORD, auth_type='basic',
                     verify_ca=True, node_uuid=other.uuid), 'x'))
        with self.acquire_task() as task:
            self.iface.start_console(task)
        self.start_socat.assert_called_once()

    def test_session_held_names_the_chassis_rule(self):
        self.client.start_blade_serial_session.side_effect = _cm_error(
            ocs_exc.SerialSessionActiveError,
            constants.CompletionCode.SerialSessionActive)
        with self.acquire_task() as task:
            error = self.assertRaises(msftocs_exc.MsftOcsError,
                                      self.iface.start_console, task)
        self.assertIn('CM v2.0 has one serial session per chassis',
                      str(error))


class StopConsoleTestCase(ConsoleTestCase):

    def setUp(self):
        super().setUp()
        self.node.set_driver_internal_info(console.ALLOCATED_PORT_KEY, 10004)
        self.node.set_driver_internal_info(console.CONSOLE_HOST_KEY,
                                           self.cfg_host())
        self.node.save()
        console_files.ensure_directory()
        with open(self.pw_file, 'w') as pw_file:
            pw_file.write(PASSWORD)
        self.remember_token('LE-FT')

    def assertStopped(self):
        self.stop_socat.assert_called_once_with(self.node.uuid)
        self.assertFalse(os.path.exists(self.pw_file))
        self.release.assert_called_once_with(10004)
        self.node.refresh()
        self.assertNotIn(console.ALLOCATED_PORT_KEY,
                         self.node.driver_internal_info)
        self.assertNotIn(console.CONSOLE_HOST_KEY,
                         self.node.driver_internal_info)

    def test_stop(self):
        with self.acquire_task() as task:
            self.iface.stop_console(task)
        self.assertStopped()
        # The session the bridge left, by its token; nothing forced.
        self.client.stop_blade_serial_session.assert_called_once_with(
            3, 'LE-FT', force=False)
        self.assertFalse(os.path.lexists(self.token_file))

    def test_stop_keeps_a_foreign_session(self):
        os.unlink(self.token_file)
        with self.acquire_task() as task:
            self.iface.stop_console(task)
        self.assertStopped()
        self.client.stop_blade_serial_session.assert_not_called()

    def test_stop_left_session_already_replaced(self):
        self.client.stop_blade_serial_session.side_effect = _cm_error(
            ocs_exc.SerialSessionActiveError,
            constants.CompletionCode.SerialSessionActive)
        with self.acquire_task() as task:
            self.iface.stop_console(task)
        self.assertStopped()
        self.assertFalse(os.path.lexists(self.token_file))

    def test_stop_with_takeover_forces(self):
        self.config(console_force_takeover=True, group='msftocs')
        with self.acquire_task() as task:
            self.iface.stop_console(task)
        self.assertStopped()
        self.assertEqual([mock.call(3, 'LE-FT', force=False),
                          mock.call(3, None, force=True)],
                         self.client.stop_blade_serial_session.call_args_list)

    def test_stop_blade_powered_off(self):
        self.client.stop_blade_serial_session.side_effect = _cm_error(
            ocs_exc.DevicePoweredOffError,
            constants.CompletionCode.DevicePoweredOff)
        with self.acquire_task() as task:
            self.iface.stop_console(task)
        self.assertStopped()

    def test_stop_chassis_manager_unreachable(self):
        self.client.stop_blade_serial_session.side_effect = (
            ocs_exc.ConnectionError('refused'))
        evict = self.useFixture(fixtures.MockPatchObject(
            client_cache, 'evict', autospec=True)).mock
        with self.acquire_task() as task:
            self.iface.stop_console(task)
        self.assertStopped()
        evict.assert_called_once_with(mock.ANY, self.client)

    def test_stop_socat_error(self):
        self.stop_socat.side_effect = exception.ConsoleError('no kill')
        with self.acquire_task() as task:
            self.assertRaises(exception.ConsoleError,
                              self.iface.stop_console, task)
        self.assertStopped()

    def test_stop_with_invalid_driver_info(self):
        info = dict(self.node.driver_info)
        del info['msftocs_password']
        self.node.driver_info = info
        self.node.save()
        with self.acquire_task() as task:
            self.assertRaises(exception.MissingParameterValue,
                              self.iface.stop_console, task)
        self.assertStopped()
        self.client.stop_blade_serial_session.assert_not_called()


class GetConsoleTestCase(ConsoleTestCase):

    def test_allocated_port(self):
        self.node.set_driver_internal_info(console.ALLOCATED_PORT_KEY, 10004)
        self.node.save()
        with self.acquire_task(shared=True) as task:
            self.assertEqual({'type': 'socat',
                              'url': 'tcp://127.0.0.1:10004'},
                             self.iface.get_console(task))

    def test_terminal_port(self):
        self.set_driver_info(msftocs_terminal_port='10100')
        with self.acquire_task(shared=True) as task:
            self.assertEqual({'type': 'socat',
                              'url': 'tcp://127.0.0.1:10100'},
                             self.iface.get_console(task))

    def test_not_started(self):
        with self.acquire_task(shared=True) as task:
            self.assertRaises(exception.ConsoleError,
                              self.iface.get_console, task)


class StopOrderTestCase(ConsoleTestCase):

    def test_listener_stops_before_its_connections(self):
        self.remember_token('LE-FT')
        calls = []
        connection = mock.Mock(pid=101)
        self.useFixture(fixtures.MockPatchObject(
            console_connections, 'find', autospec=True,
            side_effect=lambda *a: calls.append('find') or [connection]))
        end = self.useFixture(fixtures.MockPatchObject(
            console_connections, 'end', autospec=True,
            side_effect=lambda *a: calls.append('connections'))).mock
        self.stop_socat.side_effect = lambda *a: calls.append('socat')
        self.client.stop_blade_serial_session.side_effect = (
            lambda *a, **k: calls.append('session'))
        with self.acquire_task() as task:
            self.iface.stop_console(task)
        self.assertEqual(['find', 'socat', 'connections', 'session'], calls)
        self.client.stop_blade_serial_session.assert_called_once_with(
            3, 'LE-FT', force=False)
        end.assert_called_once_with(self.node.uuid, [connection])


class SettingsFileTestCase(ConsoleTestCase):

    def setUp(self):
        super().setUp()
        console_files.ensure_directory()
        self.settings = {'password': PASSWORD}

    def test_replaces_a_link_without_following_it(self):
        target = os.path.join(self.tempdir, 'target')
        with open(target, 'w') as target_file:
            target_file.write('untouched')
        os.symlink(target, self.pw_file)
        console_command.write_settings_file(self.pw_file, self.settings)
        self.assertFalse(os.path.islink(self.pw_file))
        with open(self.pw_file) as pw_file:
            self.assertEqual(self.settings, json.load(pw_file))
        with open(target) as target_file:
            self.assertEqual('untouched', target_file.read())

    def test_created_with_mode_0600_exclusively(self):
        calls = []
        real_open = os.open

        def record(path, flags, mode=0o777):
            calls.append((flags, mode))
            return real_open(path, flags, mode)
        with mock.patch.object(os, 'open', autospec=True,
                               side_effect=record):
            console_command.write_settings_file(self.pw_file, self.settings)
        self.assertEqual(1, len(calls))
        flags, mode = calls[0]
        self.assertEqual(0o600, mode)
        self.assertTrue(flags & os.O_EXCL)
        self.assertTrue(flags & os.O_NOFOLLOW)
        self.assertEqual(0o600, stat.S_IMODE(os.stat(self.pw_file).st_mode))

    def test_failure_without_secret(self):
        missing = os.path.join(self.tempdir, 'missing', 'node.settings')
        error = self.assertRaises(exception.PasswordFileFailedToCreate,
                                  console_command.write_settings_file,
                                  missing, self.settings)
        self.assertNotIn(PASSWORD, str(error))
        self.assertIn('No such file', str(error))

    def test_directory_of_another_mode_refused(self):
        os.chmod(console_files.directory(), 0o755)
        error = self.assertRaises(exception.ConsoleError,
                                  console_files.ensure_directory)
        self.assertIn('0700', str(error))

    def test_directory_per_conductor(self):
        first = console_files.directory()
        self.config(host='conductor/2')
        second = console_files.directory()
        self.assertNotEqual(first, second)
        self.assertEqual(os.path.dirname(first), os.path.dirname(second))
        self.assertEqual('msftocs-console-conductor_2',
                         os.path.basename(second))


class RestartTestCase(ConsoleTestCase):

    def test_restart_without_port_refused(self):
        # The conductor restarts enabled consoles without validating them.
        self.config(port_range=None, group='console')
        self.node.console_enabled = True
        self.node.save()
        with self.acquire_task() as task:
            self.assertRaises(exception.MissingParameterValue,
                              self.iface.start_console, task)
        self.acquire.assert_not_called()
        self.start_socat.assert_not_called()


class StopMovedConsolesTestCase(ConsoleTestCase):
    """The old conductor stops what ironic leaves running after a move."""

    def setUp(self):
        super().setUp()
        console_files.ensure_directory()
        self.stop_local = self.useFixture(fixtures.MockPatchObject(
            console, 'stop_local_console', autospec=True)).mock

    def serve_here(self, node, recorded_host):
        if recorded_host is not None:
            node.set_driver_internal_info(console.CONSOLE_HOST_KEY,
                                          recorded_host)
            node.console_enabled = True
            node.save()
        private_files.write(console_files.settings_path(node.uuid), b'{}')

    def run_check(self):
        self.iface.stop_moved_consoles(mock.Mock(), self.context)

    def test_console_served_here_stays(self):
        self.serve_here(self.node, self.cfg_host())
        self.run_check()
        self.stop_local.assert_not_called()

    def test_console_moved_to_another_conductor_is_stopped(self):
        self.serve_here(self.node, 'conductor-b')
        self.remember_token('LE-FT')
        self.run_check()
        self.stop_local.assert_called_once_with(self.node.uuid)
        self.assertFalse(os.path.lexists(self.token_file))
        # The new owner's session is not touched from here.
        self.client.stop_blade_serial_session.assert_not_called()

    def test_console_disabled_elsewhere_is_stopped(self):
        self.serve_here(self.node, None)
        self.run_check()
        self.stop_local.assert_called_once_with(self.node.uuid)

    def test_deleted_node_is_stopped(self):
        other = self.create_node()
        self.serve_here(other, 'conductor-b')
        other.destroy()
        self.serve_here(self.node, self.cfg_host())
        self.run_check()
        self.stop_local.assert_called_once_with(other.uuid)

    def test_stop_failure_does_not_end_the_check(self):
        other = self.create_node()
        self.serve_here(other, 'conductor-b')
        self.serve_here(self.node, 'conductor-b')
        self.stop_local.side_effect = exception.ConsoleError('no kill')
        self.run_check()
        self.assertEqual(2, self.stop_local.call_count)

    def test_is_a_driver_periodic_task(self):
        self.assertTrue(periodics.is_periodic(self.iface.stop_moved_consoles))
