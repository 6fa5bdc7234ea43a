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

"""Verify, clean and service steps, blade_log and post_code on the emulator.

Over HTTPS and NTLM (the inspection test case); slot 7 is empty and slot 12
holds a JBOD.
"""

import time

from ironic.common import exception
from ironic.common import states
from ironic.conductor import task_manager
from ironic.conductor import verify

from msftocs_driver import exception as msftocs_exc
from msftocs_driver import steps
from tests.functional.driver import emulated as driver_emulated
from tests.functional.inspect import emulated

LOG = [{'time': '2026-03-09T10:00:00', 'description': 'CPU0 IERR'},
       {'time': '2026-03-09T11:00:00', 'description': 'DIMM3 ECC'},
       {'time': '2026-03-09T12:00:00', 'description': 'Chassis intrusion'}]


class StepsTestCase(emulated.EmulatedChassisTestCase):

    def _verify(self, node=None):
        with self.acquire(node) as task:
            task.driver.management.verify_chassis_manager(task)

    def test_verify_records_the_cm_version(self):
        self._verify()
        self.node.refresh()
        self.assertEqual('2.5.0.0',
                         self.node.driver_internal_info[steps.CM_VERSION])

    def test_verify_a_jbod_slot(self):
        node = self.create_emulated_node(emulated.JBOD_SLOT)
        exc = self.assertRaises(exception.NodeVerifyFailure, self._verify,
                                node)
        self.assertIn(node.uuid, str(exc))
        self.assertIn('holds a Jbod blade, not a server', str(exc))

    def test_verify_an_empty_slot(self):
        node = self.create_emulated_node(emulated.EMPTY_SLOT)
        exc = self.assertRaises(exception.NodeVerifyFailure, self._verify,
                                node)
        self.assertIn('slot 7 of the chassis is empty', str(exc))

    def test_verify_a_hard_off_blade(self):
        self.emulator.set_blade(3, switch_on=False)
        self._verify()

    def test_verify_wrong_password(self):
        node = self.create_emulated_node(4)
        node.driver_info = dict(node.driver_info, msftocs_password='Wrong-1')
        node.save()
        exc = self.assertRaises(msftocs_exc.MsftOcsAuthenticationError,
                                self._verify, node)
        self.assertNotIn('Wrong-1', str(exc))

    def test_verify_runs_at_manage(self):
        # What the conductor runs on "manage": the verify steps of every
        # interface, sorted, each failure recorded.
        node = self.create_emulated_node(emulated.JBOD_SLOT)
        node.provision_state = states.VERIFYING
        node.save()
        with task_manager.acquire(self.context, node.uuid) as task:
            task.process_event = lambda *a, **k: None
            verify.do_node_verify(task)
        node.refresh()
        self.assertIn('holds a Jbod blade, not a server', node.last_error)

    def test_clear_blade_log(self):
        self.emulator.set_records(3, log=LOG)
        with self.acquire() as task:
            task.driver.management.clear_blade_log(task)
        self.assertEqual([], self.emulator.records(3)['log'])

    def test_set_power_limit(self):
        with self.acquire() as task:
            task.driver.management.set_power_limit(task, watts='350',
                                                   enabled='true')
        blade = self.emulator.blade(3)
        self.assertEqual((350, True), (blade['power_limit'],
                                       blade['power_limit_active']))
        with self.acquire() as task:
            task.driver.management.set_power_limit(task, watts=400,
                                                   enabled=False)
        blade = self.emulator.blade(3)
        self.assertEqual((400, False), (blade['power_limit'],
                                        blade['power_limit_active']))

    def test_set_power_limit_out_of_range_never_reaches_the_cm(self):
        self.emulator.reset_stats()
        with self.acquire() as task:
            self.assertRaises(exception.InvalidParameterValue,
                              task.driver.management.set_power_limit, task,
                              watts=1001)
        self.assertEqual({}, self.operations())

    def test_set_power_restore_policy(self):
        for state in ('off', 'on'):
            self.emulator.reset_stats()
            with self.acquire() as task:
                task.driver.management.set_power_restore_policy(task,
                                                                state=state)
            self.assertEqual({'SetBladeDefaultPowerState%s' % state.title():
                              1, 'GetBladeDefaultPowerState': 1},
                             self.operations())

    def test_steps_on_a_jbod_and_an_empty_slot(self):
        for slot in (emulated.JBOD_SLOT, emulated.EMPTY_SLOT):
            node = self.create_emulated_node(slot)
            with self.acquire(node) as task:
                exc = self.assertRaises(
                    msftocs_exc.MsftOcsError,
                    task.driver.management.clear_blade_log, task)
            self.assertIn(node.uuid, str(exc))

    def test_blade_log_and_post_code_passthru(self):
        self.emulator.set_records(3, log=LOG, post_code='B2',
                                  previous_post_code='AA')
        with self.acquire(shared=True) as task:
            vendor = task.driver.vendor
            everything = vendor.blade_log(task, http_method='GET')
            window = vendor.blade_log(task, http_method='GET',
                                      start='2026-03-09T10:30:00',
                                      end='2026-03-09T11:30:00')
            code = vendor.post_code(task, http_method='GET')
        self.assertEqual([e['description'] for e in LOG],
                         [e['description'] for e in everything['entries']])
        self.assertEqual(['DIMM3 ECC'],
                         [e['description'] for e in window['entries']])
        self.assertFalse(everything['truncated'])
        self.assertEqual({'blade_id': 3, 'post_code': 'B2',
                          'previous_post_code': 'AA'}, code)


class OperatorAccountTestCase(driver_emulated.EmulatorTestCase):
    """An account with the WcsCmOperator role: no power, no console."""

    emulator_options = {'extra_args': ('--role', 'operator')}

    def test_verify_says_the_role_is_too_weak(self):
        node = self.create_emulated_node(3)
        with self.acquire(node) as task:
            exc = self.assertRaises(
                exception.NodeVerifyFailure,
                task.driver.management.verify_chassis_manager, task)
        self.assertIn('WcsCmAdmin', str(exc))
        self.assertIn(node.uuid, str(exc))
        # Operator steps still work.
        with self.acquire(node) as task:
            task.driver.management.clear_blade_log(task)


class RestorePolicyTestCase(driver_emulated.EmulatorTestCase):
    """What the power restore policy does when the blade gets power."""

    emulator_options = {'decompression_seconds': 1}

    def _switch_on(self, node):
        with self.acquire(node) as task:
            task.driver.power.set_power_state(task, states.POWER_OFF)
        self.emulator.set_blade(3, switch_on=False)
        self.emulator.set_blade(3, switch_on=True)
        time.sleep(1.5)
        return self.emulator.blade(3)['host_on']

    def test_off_keeps_the_host_off_after_the_switch_turns_on(self):
        node = self.create_emulated_node(3)
        for state, host_on in (('on', True), ('off', False)):
            with self.acquire(node) as task:
                task.driver.management.set_power_restore_policy(task,
                                                                state=state)
            self.assertIs(host_on, self._switch_on(node), state)
