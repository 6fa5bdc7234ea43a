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

"""Tests of the verify, clean, service and deploy steps of management."""

from unittest import mock

from ironic.common import exception

from msftocs_driver.common import state_cache
from msftocs_driver import exception as msftocs_exc
from msftocs_driver.ocs import constants
from msftocs_driver.ocs import exceptions as ocs_exc
from msftocs_driver.ocs import models
from msftocs_driver.ocs import version
from msftocs_driver import steps
from tests.unit.driver import fakes

CODE = constants.CompletionCode
STEPS = ('clear_blade_log', 'set_power_limit', 'set_power_restore_policy')


def _blade(blade_type=constants.BladeType.Server, nics=()):
    return models.BladeInfo(3, blade_type, 'SN', '', '03.05.09', 'C1030Q',
                            tuple(nics))


class StepDeclarationTestCase(fakes.MockedClientTestCase):

    def test_steps_need_no_ramdisk_and_run_only_when_asked(self):
        with self.acquire(shared=True) as task:
            mgmt = task.driver.management
            for getter in (mgmt.get_clean_steps, mgmt.get_service_steps,
                           mgmt.get_deploy_steps):
                found = {s['step']: s for s in getter(task)}
                self.assertEqual(set(STEPS), set(found), getter)
                for step in found.values():
                    self.assertEqual(0, step['priority'])
                    self.assertEqual('management', step['interface'])
                    if getter != mgmt.get_deploy_steps:
                        self.assertIs(False, step['requires_ramdisk'])
            clean = {s['step']: s for s in mgmt.get_clean_steps(task)}
            self.assertEqual({'watts': True, 'enabled': False},
                             {k: v['required'] for k, v in
                              clean['set_power_limit']['argsinfo'].items()})
            self.assertEqual(['state'], list(
                clean['set_power_restore_policy']['argsinfo']))
            verify = mgmt.get_verify_steps(task)
            self.assertEqual([('verify_chassis_manager', 90)],
                             [(s['step'], s['priority']) for s in verify])
        self.build.assert_not_called()


class StepsTestCase(fakes.MockedClientTestCase):

    def _run(self, step, **kwargs):
        with self.acquire() as task:
            return getattr(task.driver.management, step)(task, **kwargs)

    def test_clear_blade_log(self):
        with mock.patch.object(state_cache, 'invalidate',
                               autospec=True) as invalidate:
            self._run('clear_blade_log')
        self.client.clear_blade_log.assert_called_once_with(3)
        invalidate.assert_called_once()

    def test_set_power_limit_enforced_by_default(self):
        self._run('set_power_limit', watts='450')
        self.client.set_blade_power_limit.assert_called_once_with(3, 450)
        self.client.set_blade_power_limit_active.assert_called_once_with(
            3, True)

    def test_set_power_limit_not_enforced(self):
        for enabled in (False, 'false', 'off', '0'):
            self.client.reset_mock()
            self._run('set_power_limit', watts=300, enabled=enabled)
            self.client.set_blade_power_limit_active.assert_called_once_with(
                3, False)

    def test_set_power_limit_checks_arguments_before_any_call(self):
        for kwargs in ({'watts': 119}, {'watts': 1001}, {'watts': 'lots'},
                       {'watts': 300, 'enabled': 'maybe'}, {'watts': None}):
            exc = self.assertRaises(
                (exception.InvalidParameterValue,
                 exception.MissingParameterValue),
                self._run, 'set_power_limit', **kwargs)
            self.assertIn(self.node.uuid, str(exc))
        self.build.assert_not_called()

    def test_set_power_restore_policy(self):
        for state, on, read in (('on', True, constants.PowerState.ON),
                                ('OFF', False, constants.PowerState.OFF)):
            self.client.reset_mock()
            self.client.get_blade_default_power_state.return_value = read
            self._run('set_power_restore_policy', state=state)
            self.client.set_blade_default_power_state.assert_called_once_with(
                3, on)
            self.client.get_blade_default_power_state.assert_called_once_with(
                3)

    def test_set_power_restore_policy_read_back_differs(self):
        self.client.get_blade_default_power_state.return_value = (
            constants.PowerState.NA)
        exc = self.assertRaises(msftocs_exc.MsftOcsError, self._run,
                                'set_power_restore_policy', state='off')
        self.assertIn('reads it back as NA', str(exc))

    def test_set_power_restore_policy_bad_state(self):
        self.assertRaises(exception.InvalidParameterValue, self._run,
                          'set_power_restore_policy', state='always')
        self.assertRaises(exception.MissingParameterValue, self._run,
                          'set_power_restore_policy')
        self.build.assert_not_called()

    def test_step_error_is_translated(self):
        self.client.clear_blade_log.side_effect = fakes.powered_off()
        exc = self.assertRaises(msftocs_exc.MsftOcsError, self._run,
                                'clear_blade_log')
        self.assertIn('hard powered off', str(exc))


class VerifyStepTestCase(fakes.MockedClientTestCase):

    def setUp(self):
        super().setUp()
        self.client.has_admin_role.return_value = True
        self.client.get_blade_info.return_value = _blade()
        self.client.cm_version.return_value = version.parse('2.5.0.0')

    def _verify(self):
        with self.acquire() as task:
            task.driver.management.verify_chassis_manager(task)

    def test_verify_records_the_version(self):
        self._verify()
        self.node.refresh()
        self.assertEqual('2.5.0.0',
                         self.node.driver_internal_info[steps.CM_VERSION])
        self.client.has_admin_role.assert_called_once_with(3)
        self.client.get_blade_info.assert_called_once_with(3)

    def test_assumed_version_is_not_recorded(self):
        self.client.cm_version.return_value = version.ASSUMED
        self._verify()
        self.node.refresh()
        self.assertNotIn(steps.CM_VERSION, self.node.driver_internal_info)

    def test_role_without_admin(self):
        self.client.has_admin_role.return_value = False
        exc = self.assertRaises(exception.NodeVerifyFailure, self._verify)
        self.assertIn(self.node.uuid, str(exc))
        self.assertIn('WcsCmAdmin', str(exc))
        self.client.get_blade_info.assert_not_called()

    def test_bad_credentials(self):
        self.client.has_admin_role.side_effect = (
            ocs_exc.AuthenticationError('HTTP 401'))
        exc = self.assertRaises(msftocs_exc.MsftOcsAuthenticationError,
                                self._verify)
        self.assertIn(self.node.uuid, str(exc))

    def test_jbod_and_ieb(self):
        for blade_type in (constants.BladeType.Jbod, constants.BladeType.IEB):
            self.client.get_blade_info.return_value = _blade(blade_type)
            exc = self.assertRaises(exception.NodeVerifyFailure,
                                    self._verify)
            self.assertIn('holds a %s blade, not a server'
                          % blade_type.value, str(exc))
            self.assertIn('msftocs_blade_id', str(exc))

    def test_empty_slot(self):
        self.client.get_blade_info.side_effect = ocs_exc.BladeTimeoutError(
            CODE.Timeout, operation='GetBladeInfo', blade_id=3)
        exc = self.assertRaises(exception.NodeVerifyFailure, self._verify)
        self.assertIn('slot 3 of the chassis is empty', str(exc))

    def test_hard_off_blade_passes(self):
        self.client.get_blade_info.side_effect = fakes.powered_off()
        self._verify()
        self.node.refresh()
        self.assertIn(steps.CM_VERSION, self.node.driver_internal_info)
