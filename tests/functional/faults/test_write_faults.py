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

"""Writes other than power changes whose reply is lost after they ran.

Real HTTP against the emulator: the chassis manager runs the command and
then closes the connection without a reply (``drop_after``), or answers
with a garbled reply. Unlike a power change, these writes have no state the
driver could read back to prove they ran, so each must fail with an error
that names the node and says the command may have been applied, and the
command must have reached the chassis manager exactly once (never resent).
The power changes are covered by :mod:`.test_power_faults`, the boot device
by the matrix of :mod:`.test_driver_faults`.
"""

import collections

from ironic.common import components
from ironic.common import indicator_states
from ironic.conductor import task_manager

from msftocs_driver import exception as msftocs_exc
from tests.functional.faults import base

Write = collections.namedtuple('Write', ['name', 'run', 'command'])


def _blade_led_on(task):
    task.driver.management.set_indicator_state(
        task, components.SYSTEM, 'led', indicator_states.ON)


def _step_power_limit(task):
    task.driver.management.set_power_limit(task, watts=300, enabled=True)


def _vendor_power_limit(task):
    task.driver.vendor.set_power_limit(task, watts=300)


def _vendor_power_limit_on(task):
    task.driver.vendor.power_limit_on(task)


def _restore_policy_off(task):
    task.driver.management.set_power_restore_policy(task, state='off')


def _clear_blade_log(task):
    task.driver.management.clear_blade_log(task)


WRITES = (
    Write('blade_led_on', _blade_led_on, 'SetBladeAttentionLEDOn'),
    Write('step_set_power_limit', _step_power_limit, 'SetBladePowerLimit'),
    Write('vendor_set_power_limit', _vendor_power_limit,
          'SetBladePowerLimit'),
    Write('vendor_power_limit_on', _vendor_power_limit_on,
          'SetBladePowerLimitOn'),
    Write('restore_policy_off', _restore_policy_off,
          'SetBladeDefaultPowerStateOff'),
    Write('clear_blade_log', _clear_blade_log, 'ClearBladeLog'),
)

Lost = collections.namedtuple('Lost', ['name'])
#: Fault kinds after which the command has run: the reply is lost, or
#: comes back garbled.
LOST_REPLIES = (Lost('drop_after'), Lost('malformed'))


class WriteReplyLostTestCase(base.FaultTestCase):
    """Each write, with its reply lost after the chassis manager ran it."""

    def setUp(self):
        super().setUp()
        self.node.vendor_interface = 'msftocs'
        self.node.save()
        self.emulator.set_blade(base.BLADE, host_on=True)

    def _run(self, write):
        with task_manager.acquire(self.context, self.node.uuid) as task:
            write.run(task)

    def check(self, write, lost):
        self.emulator.reset_stats()
        self.emulator.add_fault(kind=lost.name, operations=[write.command],
                                count=1)
        error = self.assert_fails_in_time(
            base.call_budget(self.options), msftocs_exc.MsftOcsError,
            self._run, write)
        self.assertIn(self.node.uuid, str(error))
        self.assertIn('%s, which may have been applied' % write.command,
                      str(error))
        self.assertEqual(
            1, self.emulator.stats()['operations'].get(write.command, 0),
            '%s must reach the chassis manager once' % write.command)
        self.assert_no_secret_logged()

        # The fault is spent: the same write now succeeds.
        self._run(write)
        self.assert_nothing_left_behind()


base.add_fault_tests(WriteReplyLostTestCase, WRITES, LOST_REPLIES,
                     lambda write, lost: True)
