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
import os
import stat
import sys
from unittest import mock

import fixtures
from ironic.common import exception
from ironic.conductor import task_manager
from ironic.drivers.modules import console_utils

from msftocs_driver.common import client_cache
from msftocs_driver import console
from msftocs_driver import console_connections
from msftocs_driver import exception as msftocs_exc
from msftocs_driver.ocs import client as ocs_client
from msftocs_driver.ocs import constants
from msftocs_driver.ocs import exceptions as ocs_exc
from tests import base

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

        @contextlib.contextmanager
        def borrowed(info):
            yield self.client
        self.borrowed = self.useFixture(fixtures.MockPatchObject(
            client_cache, 'borrowed_client', side_effect=borrowed)).mock
        self.start_socat = self.patch_utils('start_socat_console')
        self.stop_socat = self.patch_utils('stop_socat_console')
        self.acquire = self.patch_utils('acquire_port', return_value=10004)
        self.release = self.patch_utils('release_port')

    def patch_utils(self, name, **kwargs):
        return self.useFixture(fixtures.MockPatchObject(
            console_utils, name, autospec=True, **kwargs)).mock

    @property
    def pw_file(self):
        return os.path.join(self.tempdir,
                            'msftocs-console-%s.pw' % self.node.uuid)

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

    def test_validate_ca_path_with_space(self):
        ca_dir = os.path.join(self.tempdir, 'my certs')
        os.mkdir(ca_dir)
        self.set_driver_info(msftocs_verify_ca=ca_dir)
        with self.acquire_task(shared=True) as task:
            error = self.assertRaises(exception.InvalidParameterValue,
                                      self.iface.validate, task)
        self.assertIn('msftocs_verify_ca', str(error))
        self.assertIn('white space', str(error))

    def test_validate_username_with_space(self):
        self.set_driver_info(msftocs_username='LAB\\John Smith')
        with self.acquire_task(shared=True) as task:
            error = self.assertRaises(exception.InvalidParameterValue,
                                      self.iface.validate, task)
        self.assertIn('msftocs_username', str(error))

    def test_validate_tempdir_with_space(self):
        spaced = os.path.join(self.tempdir, 'a b')
        self.config(tempdir=spaced)
        with self.acquire_task(shared=True) as task:
            error = self.assertRaises(exception.InvalidParameterValue,
                                      self.iface.validate, task)
        self.assertIn('[DEFAULT]tempdir', str(error))


class BridgeArgsTestCase(ConsoleTestCase):

    def info(self, **updates):
        info = {'base_url': 'https://cm01:8000', 'blade_id': 3,
                'username': 'LAB\\admin', 'password': PASSWORD,
                'verify_ca': True, 'auth_type': 'ntlm',
                'terminal_port': None, 'node_uuid': self.node.uuid}
        info.update(updates)
        return info

    def test_arguments(self):
        self.config(console_session_timeout=900, console_poll_interval=0.5,
                    connect_timeout=5.0, read_timeout=30.0, group='msftocs')
        args = console.build_bridge_args(self.info(), '/tmp/x.pw')
        self.assertEqual([sys.executable, '-m', 'msftocs_driver.cmd.console',
                          '--base-url', 'https://cm01:8000',
                          '--blade-id', '3',
                          '--username', 'LAB\\admin',
                          '--auth-type', 'ntlm',
                          '--verify-ca', 'true',
                          '--password-file', '/tmp/x.pw',
                          '--connect-timeout', '5.0',
                          '--read-timeout', '30.0',
                          '--session-timeout', '900',
                          '--poll-interval', '0.5'], args)

    def test_no_secret_and_no_white_space(self):
        args = console.build_bridge_args(
            self.info(verify_ca=False), '/tmp/x.pw')
        self.assertNotIn(PASSWORD, ' '.join(args))
        self.assertIn('false', args)
        for arg in args:
            self.assertFalse(any(char.isspace() for char in arg), arg)

    def test_ca_path_and_takeover(self):
        self.config(console_force_takeover=True, group='msftocs')
        args = console.build_bridge_args(
            self.info(verify_ca='/etc/cm/ca.pem'), '/tmp/x.pw')
        self.assertIn('/etc/cm/ca.pem', args)
        self.assertEqual('--force-takeover', args[-1])


class StartConsoleTestCase(ConsoleTestCase):

    def test_start_with_allocated_port(self):
        with self.acquire_task() as task:
            self.iface.start_console(task)
            self.assertEqual(
                10004,
                task.node.driver_internal_info[console.ALLOCATED_PORT_KEY])
        self.acquire.assert_called_once_with(host='127.0.0.1')
        self.start_socat.assert_called_once_with(self.node.uuid, 10004,
                                                 mock.ANY)
        command = self.start_socat.call_args[0][2]
        self.assertNotIn(PASSWORD, command)
        self.assertIn('--password-file %s' % self.pw_file, command)
        # The password file: the node's password, mode 0600.
        with open(self.pw_file) as pw_file:
            self.assertEqual(PASSWORD, pw_file.read())
        self.assertEqual(0o600, stat.S_IMODE(os.stat(self.pw_file).st_mode))
        # The probe opened and closed a short session.
        self.client.start_blade_serial_session.assert_called_once_with(
            3, timeout=console.PROBE_SESSION_TIMEOUT)
        self.client.stop_blade_serial_session.assert_called_once_with(
            3, 'AA-BB')

    def test_start_with_terminal_port(self):
        self.set_driver_info(msftocs_terminal_port=10100)
        with self.acquire_task() as task:
            self.iface.start_console(task)
            self.assertNotIn(console.ALLOCATED_PORT_KEY,
                             task.node.driver_internal_info)
        self.acquire.assert_not_called()
        self.start_socat.assert_called_once_with(self.node.uuid, 10100,
                                                 mock.ANY)

    def test_start_again_replaces_the_running_console(self):
        self.node.console_enabled = True
        self.node.set_driver_internal_info(console.ALLOCATED_PORT_KEY, 10002)
        self.node.save()
        with self.acquire_task() as task:
            self.iface.start_console(task)
        self.stop_socat.assert_called_once_with(self.node.uuid)
        self.client.stop_blade_serial_session.assert_any_call(3, force=True)
        self.release.assert_called_once_with(10002)
        self.start_socat.assert_called_once_with(self.node.uuid, 10004,
                                                 mock.ANY)

    def assertStartFails(self, error_class):
        with self.acquire_task() as task:
            error = self.assertRaises(error_class, self.iface.start_console,
                                      task)
            self.assertNotIn(console.ALLOCATED_PORT_KEY,
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
        command = self.start_socat.call_args[0][2]
        self.assertTrue(command.endswith(' --force-takeover'))

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

        def start(*args):
            with open(pid_file, 'w') as pid_data:
                pid_data.write('999999')
            raise exception.ConsoleSubprocessFailed(error='timeout')
        self.start_socat.side_effect = start
        self.assertStartFails(exception.ConsoleSubprocessFailed)
        self.stop_socat.assert_called_once_with(self.node.uuid)

    def test_bad_ca_path_refused_before_anything(self):
        ca_dir = os.path.join(self.tempdir, 'my certs')
        os.mkdir(ca_dir)
        self.set_driver_info(msftocs_verify_ca=ca_dir)
        with self.acquire_task() as task:
            self.assertRaises(exception.InvalidParameterValue,
                              self.iface.start_console, task)
        self.acquire.assert_not_called()
        self.client.start_blade_serial_session.assert_not_called()


class StopConsoleTestCase(ConsoleTestCase):

    def setUp(self):
        super().setUp()
        self.node.set_driver_internal_info(console.ALLOCATED_PORT_KEY, 10004)
        self.node.save()
        with open(self.pw_file, 'w') as pw_file:
            pw_file.write(PASSWORD)

    def assertStopped(self):
        self.stop_socat.assert_called_once_with(self.node.uuid)
        self.assertFalse(os.path.exists(self.pw_file))
        self.release.assert_called_once_with(10004)
        self.node.refresh()
        self.assertNotIn(console.ALLOCATED_PORT_KEY,
                         self.node.driver_internal_info)

    def test_stop(self):
        with self.acquire_task() as task:
            self.iface.stop_console(task)
        self.assertStopped()
        self.client.stop_blade_serial_session.assert_called_once_with(
            3, force=True)

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
        end.assert_called_once_with(self.node.uuid, [connection])


class PasswordFileTestCase(ConsoleTestCase):

    def test_replaces_a_link_without_following_it(self):
        target = os.path.join(self.tempdir, 'target')
        with open(target, 'w') as target_file:
            target_file.write('untouched')
        os.symlink(target, self.pw_file)
        console.write_password_file(self.pw_file, PASSWORD)
        self.assertFalse(os.path.islink(self.pw_file))
        with open(self.pw_file) as pw_file:
            self.assertEqual(PASSWORD, pw_file.read())
        with open(target) as target_file:
            self.assertEqual('untouched', target_file.read())

    def test_created_with_mode_0600(self):
        modes = []
        real_open = os.open

        def record(path, flags, mode=0o777):
            modes.append(mode)
            return real_open(path, flags, mode)
        with mock.patch.object(os, 'open', autospec=True,
                               side_effect=record):
            console.write_password_file(self.pw_file, PASSWORD)
        self.assertEqual([0o600], modes)
        self.assertEqual(0o600, stat.S_IMODE(os.stat(self.pw_file).st_mode))

    def test_failure_without_secret(self):
        missing = os.path.join(self.tempdir, 'missing', 'node.pw')
        error = self.assertRaises(exception.PasswordFileFailedToCreate,
                                  console.write_password_file, missing,
                                  PASSWORD)
        self.assertNotIn(PASSWORD, str(error))
        self.assertIn('No such file', str(error))


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
