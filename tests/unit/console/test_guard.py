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

"""Unit tests of power-state reads while a CM v2.0 console is open."""

import logging
from unittest import mock

import fixtures
from ironic.common import states
from ironic.conductor import task_manager

from msftocs_driver.common import client_cache
from msftocs_driver.common import cm
from msftocs_driver.common import console_files
from msftocs_driver.common import console_guard
from msftocs_driver.common import console_settings
from msftocs_driver.common import driver_info as msftocs_info
from msftocs_driver.common import health
from msftocs_driver.common import private_files
from msftocs_driver.common import state_cache
from msftocs_driver import console_command
from msftocs_driver.ocs import client as ocs_client
from msftocs_driver.ocs import constants
from msftocs_driver.ocs import exceptions as ocs_exc
from msftocs_driver.ocs import models
from msftocs_driver.ocs import version as ocs_version
from tests import base


class GuardTestCase(base.MsftOcsTestCase):

    def setUp(self):
        super().setUp()
        self.tempdir = self.useFixture(fixtures.TempDir()).path
        self.config(tempdir=self.tempdir)
        console_guard.forget()
        self.addCleanup(console_guard.forget)
        self.node = self.create_node(msftocs_blade_id=4)
        self.node.power_state = states.POWER_ON
        self.node.save()
        self.info = msftocs_info.parse_driver_info(self.node)
        self.client = mock.create_autospec(ocs_client.ChassisManagerClient,
                                           instance=True)
        self.client.cm_version.return_value = ocs_version.parse('2.0.1.3')
        self.switch(constants.PowerState.ON)
        self.logs = self.useFixture(fixtures.FakeLogger(level=logging.INFO))

    def switch(self, state):
        self.client.get_power_state.return_value = models.PowerStateInfo(
            blade_id=4, state=state, decompression_seconds=0,
            description='Success')

    def console_on(self, blade_id=3, token='AA-BB', base_url=None):
        """A bridge of this conductor holds a session on the chassis."""
        console_node = self.create_node(msftocs_blade_id=blade_id)
        console_files.ensure_directory()
        info = msftocs_info.parse_driver_info(console_node)
        if base_url:
            info['base_url'] = base_url
        console_settings.write(
            console_files.settings_path(console_node.uuid),
            console_command.build_bridge_settings(info, 'unused'))
        private_files.write(console_files.token_path(console_node.uuid),
                            token.encode())
        return console_node

    def guarded(self, recorded=states.POWER_ON):
        return console_guard.power_state_while_console(
            self.client, self.info, recorded)

    def test_no_console_no_request(self):
        self.assertIsNone(self.guarded())
        self.client.cm_version.assert_not_called()
        self.client.get_power_state.assert_not_called()

    def test_console_enabled_but_no_session(self):
        node = self.console_on()
        console_files.forget_token(node.uuid)
        self.assertIsNone(self.guarded())
        self.client.get_power_state.assert_not_called()

    def test_console_on_another_chassis(self):
        self.console_on(base_url='https://cm09:8000')
        self.assertIsNone(self.guarded())
        self.client.get_power_state.assert_not_called()

    def test_v25_reads_as_usual(self):
        self.console_on()
        self.client.cm_version.return_value = ocs_version.parse('2.5.0.0')
        self.assertIsNone(self.guarded())
        self.client.get_power_state.assert_not_called()

    def test_switch_on_answers_the_recorded_state(self):
        self.console_on()
        self.assertEqual(states.POWER_ON, self.guarded(states.POWER_ON))
        self.assertEqual(states.POWER_OFF, self.guarded(states.POWER_OFF))
        self.client.get_power_state.assert_called_with(4)
        self.client.get_blade_state.assert_not_called()

    def test_switch_off_is_power_off(self):
        self.console_on()
        self.switch(constants.PowerState.OFF)
        self.assertEqual(states.POWER_OFF, self.guarded(states.POWER_ON))

    def test_nothing_recorded_reads_as_usual(self):
        self.console_on()
        self.assertIsNone(self.guarded(None))

    def test_one_info_line_per_session(self):
        holder = self.console_on(token='AA-BB')
        for _pass in range(3):
            self.guarded()
        self.assertEqual(1, self.logs.output.count('waits') +
                         self.logs.output.count('until the console closes'))
        self.assertIn(holder.uuid, self.logs.output)
        self.assertIn(self.node.uuid, self.logs.output)
        # The bridge reopened its session (a new token): one more line.
        private_files.write(console_files.token_path(holder.uuid), b'CC-DD')
        self.guarded()
        self.assertEqual(2, self.logs.output.count(
            'until the console closes'))
        self.assertNotIn('AA-BB', self.logs.output)
        self.assertNotIn('CC-DD', self.logs.output)


class PowerInterfaceTestCase(GuardTestCase):
    """The seam in the power interface: shared-lock reads only."""

    def setUp(self):
        super().setUp()
        self.useFixture(fixtures.MockPatchObject(
            client_cache, 'borrowed_client', autospec=True,
            side_effect=self._borrowed))
        self.batch = self.useFixture(fixtures.MockPatchObject(
            state_cache, 'get_blade_state', autospec=True)).mock
        self.client.get_blade_state.return_value = constants.PowerState.OFF

    def _borrowed(self, info):
        client = self.client

        class Borrowed:
            def __enter__(self):
                return client

            def __exit__(self, *exc_info):
                return False
        return Borrowed()

    def power_state(self, shared):
        with task_manager.acquire(self.context, self.node.uuid,
                                  shared=shared) as task:
            return task.driver.power.get_power_state(task)

    def test_power_sync_does_not_touch_the_console(self):
        self.console_on()
        self.assertEqual(states.POWER_ON, self.power_state(shared=True))
        self.batch.assert_not_called()
        self.client.get_blade_state.assert_not_called()

    def test_exclusive_lock_reads_the_blade(self):
        self.console_on()
        self.assertEqual(states.POWER_OFF, self.power_state(shared=False))
        self.client.get_blade_state.assert_called_once_with(4)
        self.client.get_power_state.assert_not_called()

    def test_health_waits_for_the_console(self):
        if health.health_states is None:
            self.skipTest('this ironic has no node health')
        self.console_on()
        with task_manager.acquire(self.context, self.node.uuid,
                                  shared=True) as task:
            self.assertIsNone(task.driver.management.get_node_health(task))
        self.client.get_blade_power_reading.assert_not_called()
        self.client.get_all_blades_power_reading.assert_not_called()


class RefusedWhileConsoleTestCase(base.MsftOcsTestCase):
    """KillSerialConsoleSession=0: blade commands refused, and why."""

    def error(self, operation):
        return ocs_exc.SerialSessionActiveError(
            constants.CompletionCode.SerialSessionActive,
            'Device busy.Another serial session active.',
            operation=operation, blade_id=5)

    def test_blade_command_says_why(self):
        text = cm.describe(self.error('GetAllBladesState'))
        self.assertIn('a serial console session is open on the chassis',
                      text)
        self.assertIn('KillSerialConsoleSession=0', text)

    def test_serial_command_keeps_its_own_message(self):
        text = cm.describe(self.error('StartBladeSerialSession'))
        self.assertNotIn('KillSerialConsoleSession', text)
