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

"""Power changes against a chassis manager that hangs or loses replies.

Real HTTP against the emulator, through ironic's ``node_power_action`` so
that what ironic records is checked too:

* every GetBladeState of a power change's wait hangs: the change ends
  within its timeout plus
  :data:`msftocs_driver.common.power_change.CALL_GRACE`, with a
  ``PowerStateFailure`` that says the blade could not be read, and the node
  is unlocked;
* the reply of the power command is lost after the chassis manager ran it
  (``drop_after``): the change succeeds, ironic records the new state, the
  command was sent once, and the next power sync keeps the blade as it is;
* the reply is lost and the command did not run (``drop_before``): the
  change fails saying "no reply to ...", ironic records the real state,
  and the next power sync changes nothing.

The driver never sends SetPowerOff (power off is host power through the
BMC), so there is no lost SetPowerOff to test.
"""

import time

from ironic.common import exception
from ironic.common import states
from ironic.conductor import manager
from ironic.conductor import task_manager
from ironic.conductor import utils as cond_utils
from ironic import objects

from msftocs_driver.common import power_change
from tests.functional.faults import base

#: Seconds given to every power change of these tests.
POWER_TIMEOUT = 3
_WRITES = ('SetBladeOn', 'SetBladeOff', 'SetPowerOn', 'SetPowerOff',
           'SetBladeActivePowerCycle')


class PowerFaultTestCase(base.FaultTestCase):
    """Power changes through ironic with a misbehaving chassis manager."""

    def _act(self, new_state):
        with task_manager.acquire(self.context, self.node.uuid) as task:
            cond_utils.node_power_action(task, new_state,
                                         timeout=POWER_TIMEOUT)

    def _set_power_state(self, new_state):
        """The driver's power change alone, without ironic's first check.

        :returns: the power state the task's node has afterwards (what
            ironic saves when the change fails).
        """
        with task_manager.acquire(self.context, self.node.uuid) as task:
            try:
                task.driver.power.set_power_state(task, new_state,
                                                  timeout=POWER_TIMEOUT)
            finally:
                self.after = task.node.power_state

    def _recorded(self):
        return objects.Node.get_by_uuid(self.context,
                                        self.node.uuid).power_state

    def _set_blade(self, host_on, switch_on=True):
        self.emulator.set_blade(base.BLADE, switch_on=switch_on,
                                host_on=host_on)
        self.node.power_state = (states.POWER_ON if host_on
                                 else states.POWER_OFF)
        self.node.save()
        self.emulator.reset_stats()

    def _sync(self):
        """One power-sync pass over the node, as the conductor runs it."""
        self.emulator.clear_faults()
        self.emulator.reset_stats()
        with task_manager.acquire(self.context, self.node.uuid,
                                  shared=True) as task:
            manager.do_sync_power_state(task, 0)
        counts = self.emulator.stats()['operations']
        self.assertEqual({}, {op: n for op, n in counts.items()
                              if op in _WRITES},
                         'the power sync changed the blade')

    def _assert_unlocked(self):
        node = objects.Node.get_by_uuid(self.context, self.node.uuid)
        self.assertIsNone(node.reservation)

    # Every GetBladeState of the wait hangs.

    def _check_hung_wait(self, new_state, host_on):
        self._set_blade(host_on)
        self.emulator.add_fault(kind='hang', seconds=600,
                                operations=['GetBladeState'])
        # The read timeout is longer than the power timeout: only the time
        # limit of the change can end the hung reads.
        self.config(read_timeout=4.0, group='msftocs')
        start = time.monotonic()
        error = self.assert_fails_in_time(
            POWER_TIMEOUT + power_change.CALL_GRACE,
            exception.PowerStateFailure,
            self._set_power_state, new_state)
        elapsed = time.monotonic() - start
        self.addDetail('bound', _text('%.2f s' % elapsed))
        self.assertIn(self.node.uuid, str(error))
        self.assertIn('could not be read', str(error))
        self._assert_unlocked()
        # Unknown, so that the next power sync records what the blade says.
        self.assertIsNone(self.after)
        self.node.refresh()
        self.node.power_state = None   # what node_power_action saves
        self.node.save()
        self.assert_sent_at_most_once(_WRITES)
        self.emulator.clear_faults()
        self._sync()
        self.assertEqual(states.POWER_ON if new_state != states.POWER_OFF
                         else states.POWER_OFF, self._recorded())
        self.assert_no_secret_logged()
        self.assert_nothing_left_behind()

    def test_power_on_wait_hangs(self):
        self._check_hung_wait(states.POWER_ON, host_on=False)

    def test_power_off_wait_hangs(self):
        self._check_hung_wait(states.POWER_OFF, host_on=True)

    def test_reboot_wait_hangs(self):
        self._check_hung_wait(states.REBOOT, host_on=True)

    # The reply of the power command is lost after it ran.

    def _check_lost_reply(self, operation, new_state, host_on,
                          switch_on=True):
        self._set_blade(host_on, switch_on)
        self.emulator.add_fault(kind='drop_after', operations=[operation],
                                count=1)
        self._act(new_state)
        target = (states.POWER_OFF if new_state == states.POWER_OFF
                  else states.POWER_ON)
        self.assertEqual(target, self._recorded())
        self.assertEqual(target == states.POWER_ON,
                         self.emulator.blade(base.BLADE)['host_on'])
        self.assertEqual(1, self.emulator.stats()['operations'][operation])
        self.assert_sent_at_most_once(_WRITES)
        self._sync()
        self.assertEqual(target, self._recorded())
        self.assertEqual(target == states.POWER_ON,
                         self.emulator.blade(base.BLADE)['host_on'])
        self.assertTrue(any('no reply to %s' % operation in line
                            for line in self.logs.lines))
        self.assert_no_secret_logged()
        self.assert_nothing_left_behind()

    def test_set_blade_on_reply_lost(self):
        self._check_lost_reply('SetBladeOn', states.POWER_ON, host_on=False)

    def test_set_blade_off_reply_lost(self):
        self._check_lost_reply('SetBladeOff', states.POWER_OFF, host_on=True)

    def test_set_power_on_reply_lost(self):
        # A hard-off blade: its switch is turned on first.
        self._check_lost_reply('SetPowerOn', states.POWER_ON, host_on=False,
                               switch_on=False)

    def test_power_cycle_reply_lost(self):
        self._check_lost_reply('SetBladeActivePowerCycle', states.REBOOT,
                               host_on=True)

    # The reply is lost and the command did not run.

    def test_set_blade_on_not_run_reply_lost(self):
        self._set_blade(host_on=False)
        self.emulator.add_fault(kind='drop_before', operations=['SetBladeOn'])
        error = self.assert_fails_in_time(
            POWER_TIMEOUT + power_change.CALL_GRACE,
            exception.PowerStateFailure,
            self._act, states.POWER_ON)
        self.assertIn('no reply to SetBladeOn', str(error))
        self.assertIn('reads power off', str(error))
        self.assertNotIn('annot reach', str(error))
        self.assertEqual(states.POWER_OFF, self._recorded())
        self.assertEqual(1, self.emulator.stats()['operations']['SetBladeOn'])
        self._sync()
        self.assertEqual(states.POWER_OFF, self._recorded())
        self.assertFalse(self.emulator.blade(base.BLADE)['host_on'])
        self.assert_no_secret_logged()
        self.assert_nothing_left_behind()

    def test_unreachable_says_cannot_reach(self):
        self._set_blade(host_on=False)
        self.point_node_at('http://127.0.0.1:%d' % base.closed_port())
        error = self.assert_fails_in_time(
            base.call_budget(self.options), exception.PowerStateFailure,
            self._set_power_state, states.POWER_ON)
        self.assertIn('cannot reach', str(error))
        self.assertNotIn('no reply', str(error))
        self.assertEqual(states.POWER_OFF, self.after)
        self.assert_no_secret_logged()


def _text(value):
    from testtools import content
    return content.text_content(value)
