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

"""Tests of power changes and reboots of the msftocs power interface."""

import time
from unittest import mock

from ironic.common import boot_devices
from ironic.common import exception
from ironic.common import states

from msftocs_driver.common import power_change
from msftocs_driver import management
from msftocs_driver.ocs import constants
from msftocs_driver.ocs import exceptions as ocs_exc
from msftocs_driver.ocs import failures
from msftocs_driver.ocs import models
from tests.unit.driver import fakes

ON = constants.PowerState.ON
OFF = constants.PowerState.OFF
CODE = constants.CompletionCode


def _pauses():
    """The sleeps of the driver (oslo.db yields with sleep(0))."""
    return [c for c in time.sleep.call_args_list if c != mock.call(0)]


class SetPowerStateTestCase(fakes.MockedClientTestCase):

    def _set(self, state, timeout=None):
        with self.acquire() as task:
            task.driver.power.set_power_state(task, state, timeout=timeout)

    def test_power_on(self):
        self.client.get_blade_state.side_effect = [OFF, ON]
        self._set(states.POWER_ON)
        self.client.set_blade_on.assert_called_once_with(3)
        self.client.set_power_on.assert_not_called()
        self.assertEqual(2, self.client.get_blade_state.call_count)

    def test_power_on_from_hard_off(self):
        self.config(power_poll_interval=0.5, group='msftocs')
        self.client.set_blade_on.side_effect = [fakes.powered_off(), None]
        self.client.get_power_state.side_effect = [
            fakes.switch(constants.PowerState.OnFwDecompress, 28),
            fakes.switch(ON, 12), fakes.switch(ON, 0)]
        self.client.get_blade_state.return_value = ON
        self._set(states.POWER_ON)
        self.client.set_power_on.assert_called_once_with(3)
        self.client.set_blade_on.assert_called_once_with(3)
        # The restore policy may have started the host before the boot
        # device was set: a power cycle starts it afresh either way.
        self.client.set_blade_active_power_cycle.assert_called_once_with(
            3, off_time=0)
        self.assertEqual(3, self.client.get_power_state.call_count)
        time.sleep.assert_has_calls([mock.call(0.5), mock.call(0.5)])

    def test_power_on_from_hard_off_with_disable_power_off(self):
        self.node.disable_power_off = True
        self.node.save()
        self.client.set_blade_on.side_effect = [fakes.powered_off(), None]
        self.client.get_power_state.return_value = fakes.switch(ON, 0)
        self.client.get_blade_state.return_value = ON
        self._set(states.POWER_ON)
        self.client.set_power_on.assert_called_once_with(3)
        self.assertEqual(2, self.client.set_blade_on.call_count)
        self.client.set_blade_active_power_cycle.assert_not_called()

    def test_power_on_hard_off_twice_fails(self):
        self.client.set_blade_on.side_effect = fakes.powered_off()
        self.client.set_blade_active_power_cycle.side_effect = (
            fakes.powered_off())
        self.client.get_power_state.return_value = fakes.switch(ON, 0)
        exc = self.assertRaises(exception.PowerStateFailure, self._set,
                                states.POWER_ON)
        self.assertIn('DevicePoweredOff', str(exc))
        self.client.set_power_on.assert_called_once_with(3)

    def test_power_on_while_decompressing(self):
        self.client.set_blade_on.side_effect = [fakes.decompressing(3), None]
        self.client.get_power_state.return_value = fakes.switch(ON, 0)
        self.client.get_blade_state.return_value = ON
        self._set(states.POWER_ON)
        self.client.set_power_on.assert_not_called()
        self.client.set_blade_on.assert_called_once_with(3)
        self.client.set_blade_active_power_cycle.assert_called_once_with(
            3, off_time=0)

    def test_power_on_firmware_never_ready(self):
        self.client.set_blade_on.side_effect = fakes.powered_off()
        self.client.get_power_state.return_value = fakes.switch(
            constants.PowerState.OnFwDecompress, 28)
        exc = self.assertRaises(exception.PowerStateFailure, self._set,
                                states.POWER_ON, timeout=30)
        self.assertAlmostEqual(30, self.slept, delta=0.5)
        self.assertIn('decompression', str(exc))
        self.assertIn(self.node.uuid, str(exc))

    def test_power_on_applies_pending_boot_device(self):
        self.node.set_driver_internal_info(
            management.PENDING_BOOT_DEVICE,
            {'boot_device': boot_devices.PXE, 'persistent': True})
        self.node.save()
        self.client.set_next_boot.side_effect = [fakes.powered_off(),
                                                 constants.BladeBootType.
                                                 ForcePxe]
        self.client.get_power_state.return_value = fakes.switch(ON, 0)
        self.client.get_blade_state.return_value = ON
        self._set(states.POWER_ON)
        self.client.set_power_on.assert_called_once_with(3)
        self.client.set_next_boot.assert_called_with(
            3, constants.BladeBootType.ForcePxe, uefi=True, persistent=True)
        self.client.set_blade_on.assert_not_called()
        self.client.set_blade_active_power_cycle.assert_called_once_with(
            3, off_time=0)
        self.node.refresh()
        self.assertNotIn(management.PENDING_BOOT_DEVICE,
                         self.node.driver_internal_info)

    def test_power_on_timeout(self):
        self.client.get_blade_state.return_value = OFF
        self.assertRaises(exception.PowerStateFailure, self._set,
                          states.POWER_ON, timeout=5)
        self.client.set_blade_on.assert_called_once_with(3)

    def test_timeout_shared_by_decompression_and_wait(self):
        self.client.set_blade_on.side_effect = [fakes.powered_off(), None]
        self.client.get_power_state.side_effect = [
            fakes.switch(ON, 20)] * 20 + [fakes.switch(ON, 0)]
        self.client.get_blade_state.return_value = OFF
        exc = self.assertRaises(exception.PowerStateFailure, self._set,
                                states.POWER_ON, timeout=30)
        # 20 one-second polls of the switch, then the wait for power on:
        # 30 seconds in all, not 30 more.
        self.assertAlmostEqual(30, self.slept, delta=0.5)
        self.assertIn('reads power off', str(exc))

    def test_default_timeout(self):
        self.config(power_state_change_timeout=45, group='conductor')
        self.client.get_blade_state.return_value = ON
        self.assertRaises(exception.PowerStateFailure, self._set,
                          states.POWER_OFF)
        self.assertAlmostEqual(45, self.slept, delta=0.5)

    def test_wait_polls_on_the_calling_thread_within_the_limit(self):
        # ironic's node_wait_for_power_state would poll on a thread of its
        # own, where the time limit of the change does not apply.
        seen = []

        def read(blade):
            seen.append(failures.time_left())
            return ON if len(seen) > 3 else OFF

        self.client.get_blade_state.side_effect = read
        self._set(states.POWER_ON, timeout=30)
        self.assertEqual(4, len(seen))
        for left in seen:
            self.assertIsNotNone(left)
            self.assertLessEqual(left, 30 + power_change.CALL_GRACE)
        # Back-off between the reads: 1, 2, 4 seconds.
        self.assertEqual([mock.call(1.0), mock.call(2.0), mock.call(4.0)],
                         _pauses())

    def test_wait_records_what_was_observed(self):
        self.client.get_blade_state.return_value = OFF
        with self.acquire() as task:
            exc = self.assertRaises(exception.PowerStateFailure,
                                    task.driver.power.set_power_state,
                                    task, states.POWER_ON, timeout=10)
            self.assertEqual(states.POWER_OFF, task.node.power_state)
        self.assertIn('the command was accepted', str(exc))
        self.assertIn('reads power off', str(exc))

    def test_power_on_failure(self):
        self.client.set_blade_on.side_effect = ocs_exc.CompletionCodeError(
            CODE.Failure, 'Failure', operation='SetBladeOn', blade_id=3)
        exc = self.assertRaises(exception.PowerStateFailure, self._set,
                                states.POWER_ON)
        self.assertIn('Failure', str(exc))
        self.assertIn(self.node.uuid, str(exc))

    def test_calls_bounded_by_the_timeout(self):
        time_left = []
        self.client.set_blade_on.side_effect = (
            lambda blade: time_left.append(failures.time_left()))
        self.client.get_blade_state.return_value = ON
        self._set(states.POWER_ON, timeout=30)
        self.assertTrue(30 < time_left[0] <= 30 + power_change.CALL_GRACE)
        self.assertIsNone(failures.time_left())

    def _lost(self, operation='SetBladeOn'):
        return ocs_exc.ReadTimeoutError(
            'no reply within the read timeout', operation=operation,
            blade_id=3)

    def test_power_on_reply_lost_but_ran(self):
        self.client.set_blade_on.side_effect = self._lost()
        self.client.get_blade_state.side_effect = [OFF, OFF, ON]
        with self.acquire() as task:
            task.driver.power.set_power_state(task, states.POWER_ON,
                                              timeout=10)
        self.client.set_blade_on.assert_called_once_with(3)
        self.assertEqual(3, self.client.get_blade_state.call_count)

    def test_power_on_reply_lost_and_not_reached(self):
        self.client.set_blade_on.side_effect = self._lost()
        self.client.get_blade_state.return_value = OFF
        with self.acquire() as task:
            exc = self.assertRaises(exception.PowerStateFailure,
                                    task.driver.power.set_power_state,
                                    task, states.POWER_ON, timeout=10)
            self.assertEqual(states.POWER_OFF, task.node.power_state)
        self.assertIn('no reply to SetBladeOn', str(exc))
        self.assertIn('reads power off', str(exc))
        self.assertNotIn('annot reach', str(exc))
        self.client.set_blade_on.assert_called_once_with(3)

    def test_power_on_reply_lost_and_blade_unreadable(self):
        self.client.set_blade_on.side_effect = self._lost()
        self.client.get_blade_state.side_effect = self._lost('GetBladeState')
        with self.acquire() as task:
            exc = self.assertRaises(exception.PowerStateFailure,
                                    task.driver.power.set_power_state,
                                    task, states.POWER_ON, timeout=10)
            # Unknown: the next power sync records what the blade says.
            self.assertIsNone(task.node.power_state)
        self.assertIn('no reply to SetBladeOn', str(exc))
        self.assertIn('could not be read', str(exc))

    def test_power_off_reply_lost_but_ran(self):
        self.client.set_blade_off.side_effect = self._lost('SetBladeOff')
        self.client.get_blade_state.side_effect = [ON, OFF]
        self._set(states.POWER_OFF, timeout=10)
        self.client.set_blade_off.assert_called_once_with(3)

    def test_switch_on_reply_lost_but_ran(self):
        self.client.set_blade_on.side_effect = [fakes.powered_off(), None]
        self.client.set_power_on.side_effect = self._lost('SetPowerOn')
        self.client.get_power_state.side_effect = [
            fakes.switch(constants.PowerState.OFF, 0), fakes.switch(ON, 0)]
        self.client.get_blade_state.return_value = ON
        self._set(states.POWER_ON, timeout=10)
        self.client.set_power_on.assert_called_once_with(3)
        self.client.set_blade_active_power_cycle.assert_called_once_with(
            3, off_time=0)

    def test_switch_on_reply_lost_and_not_reached(self):
        self.client.set_blade_on.side_effect = [fakes.powered_off(), None]
        self.client.set_power_on.side_effect = self._lost('SetPowerOn')
        self.client.get_power_state.return_value = fakes.switch(
            constants.PowerState.OFF, 0)
        exc = self.assertRaises(exception.PowerStateFailure, self._set,
                                states.POWER_ON, timeout=5)
        self.assertIn('no reply to SetPowerOn', str(exc))
        self.assertIn('reads OFF', str(exc))
        self.client.set_power_on.assert_called_once_with(3)

    def test_cannot_reach_is_not_waited_for(self):
        self.client.set_blade_on.side_effect = ocs_exc.ConnectionError(
            'connection failed: NewConnectionError', operation='SetBladeOn',
            blade_id=3, may_have_run=False)
        exc = self.assertRaises(exception.PowerStateFailure, self._set,
                                states.POWER_ON)
        self.assertIn('cannot reach', str(exc))
        self.client.get_blade_state.assert_not_called()

    def test_authentication_error_is_a_power_state_failure(self):
        self.client.set_blade_on.side_effect = ocs_exc.AuthenticationError(
            'HTTP 401', operation='SetBladeOn', blade_id=3)
        self.assertRaises(exception.PowerStateFailure, self._set,
                          states.POWER_ON)

    def test_power_off(self):
        self.client.get_blade_state.side_effect = [ON, OFF]
        self._set(states.POWER_OFF)
        self.client.set_blade_off.assert_called_once_with(3)
        self.client.set_power_off.assert_not_called()

    def test_power_off_hard_off_blade(self):
        self.client.set_blade_off.side_effect = fakes.powered_off()
        self.client.get_blade_state.side_effect = fakes.powered_off()
        self._set(states.POWER_OFF)
        self.client.set_power_on.assert_not_called()

    def test_power_off_while_decompressing(self):
        self.client.set_blade_off.side_effect = [fakes.decompressing(), None]
        self.client.get_power_state.return_value = fakes.switch(ON, 0)
        self.client.get_blade_state.return_value = OFF
        self._set(states.POWER_OFF)
        self.assertEqual(2, self.client.set_blade_off.call_count)

    def test_power_off_refused_with_disable_power_off(self):
        self.node.disable_power_off = True
        self.node.save()
        self.assertRaises(exception.PowerStateFailure, self._set,
                          states.POWER_OFF)
        self.client.set_blade_off.assert_not_called()

    def test_soft_states_refused(self):
        for state in (states.SOFT_POWER_OFF, states.SOFT_REBOOT):
            exc = self.assertRaises(exception.InvalidParameterValue,
                                    self._set, state)
            self.assertIn('graceful', str(exc))
        self.build.assert_not_called()

    def test_reboot_state_delegates(self):
        self.client.get_blade_state.return_value = ON
        self._set(states.REBOOT)
        self.client.set_blade_active_power_cycle.assert_called_once_with(
            3, off_time=0)

    def test_needs_exclusive_lock(self):
        with self.acquire(shared=True) as task:
            self.assertRaises(exception.ExclusiveLockRequired,
                              task.driver.power.set_power_state, task,
                              states.POWER_ON)
            self.assertRaises(exception.ExclusiveLockRequired,
                              task.driver.power.reboot, task)

    def test_target_reached_at_once_no_wait(self):
        self.client.get_blade_state.return_value = ON
        self._set(states.POWER_ON)
        self.assertEqual([], _pauses())
        self.client.get_blade_state.assert_called_once_with(3)

    def test_target_not_reached_at_once_waits(self):
        self.client.get_blade_state.side_effect = [ON, ON, OFF]
        self._set(states.POWER_OFF)
        self.assertEqual(3, self.client.get_blade_state.call_count)
        self.assertEqual(2, len(_pauses()))

    def test_wait_reads_fresh_state(self):
        self.config(power_state_cache_ttl=10, group='msftocs')
        self.client.get_all_blades_state.return_value = {
            3: models.BladeOutcome(3, OFF)}
        with self.acquire(shared=True) as task:
            self.assertEqual(states.POWER_OFF,
                             task.driver.power.get_power_state(task))
        # The batch still says OFF: the change and its wait ignore it.
        self.client.get_blade_state.side_effect = [OFF, OFF, ON]
        self._set(states.POWER_ON)
        self.assertEqual(3, self.client.get_blade_state.call_count)
        self.client.get_all_blades_state.assert_called_once_with()
        # The write invalidated the cached OFF for shared reads too.
        self.client.get_blade_state.side_effect = None
        self.client.get_blade_state.return_value = ON
        with self.acquire(shared=True) as task:
            self.assertEqual(states.POWER_ON,
                             task.driver.power.get_power_state(task))
        self.client.get_all_blades_state.assert_called_once_with()


class RebootTestCase(fakes.MockedClientTestCase):

    def _reboot(self, timeout=None):
        with self.acquire() as task:
            task.driver.power.reboot(task, timeout=timeout)

    def test_reboot(self):
        self.client.get_blade_state.return_value = ON
        self._reboot()
        self.client.set_blade_active_power_cycle.assert_called_once_with(
            3, off_time=0)
        self.client.set_blade_off.assert_not_called()

    def test_reboot_hard_off_blade(self):
        self.client.set_blade_active_power_cycle.side_effect = [
            fakes.powered_off(), None]
        self.client.get_power_state.return_value = fakes.switch(ON, 0)
        self.client.get_blade_state.return_value = ON
        self._reboot()
        self.client.set_power_on.assert_called_once_with(3)
        self.assertEqual(
            2, self.client.set_blade_active_power_cycle.call_count)

    def test_reboot_refused_with_disable_power_off(self):
        self.node.disable_power_off = True
        self.node.save()
        self.client.get_blade_state.return_value = ON
        exc = self.assertRaises(exception.PowerStateFailure, self._reboot)
        self.assertIn('disable_power_off', str(exc))
        self.client.set_blade_active_power_cycle.assert_not_called()

    def test_reboot_from_off_with_disable_power_off(self):
        self.node.disable_power_off = True
        self.node.save()
        self.client.get_blade_state.side_effect = [OFF, ON]
        self._reboot()
        self.client.set_blade_active_power_cycle.assert_called_once_with(
            3, off_time=0)

    def test_reboot_failure(self):
        self.client.set_blade_active_power_cycle.side_effect = (
            ocs_exc.CompletionCodeError(CODE.Failure, 'Failure', blade_id=3))
        self.assertRaises(exception.PowerStateFailure, self._reboot)
