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


"""The emulated state of one blade slot and its power transitions.

Two power domains, as on the real chassis (reference 6.1): the Blade_EN
hot-swap switch (AC to the whole blade, BMC included) and host power,
driven through the BMC. After the switch turns on, the BMC firmware
decompresses for a while; during that time the BMC does not answer.

Time-driven transitions (end of decompression with an "always power up"
restore policy, the power-on half of a power cycle) are applied lazily by
:meth:`Blade.settle`, which the chassis calls before every access.

The CM validates requests against the blade type it *cached*: unknown
until it could ask the BMC, forgotten by SetPowerOff (reference 6.1, 9).
It re-classifies blades in the background about every 10 s; here the type
is learnt as soon as the BMC answers.

The chassis gets its blades from a backend (:class:`ModelBackend` here,
the state model; :mod:`msftocs_driver.emulator.vm` makes some slots QEMU
virtual machines). Every backend's blades offer the interface of
:class:`Blade`, so the operations never know which one answers.
"""

from msftocs_driver.emulator import blade_records
from msftocs_driver.emulator import console
from msftocs_driver.ocs import constants

#: DCMI reading of a blade whose host is off (BMC and fans only), watts.
STANDBY_WATTS = 12.0
#: Reading of a running host without an active power limit, watts.
NOMINAL_WATTS = 187.5


class Blade(object):
    """One slot of the chassis.

    :param blade_id: slot number (1-based).
    :param slot: the :class:`~msftocs_driver.emulator.config.SlotConfig`
        giving the initial state.
    """

    def __init__(self, blade_id, slot):
        self.blade_id = blade_id
        self.present = slot.present
        self.blade_type = slot.type
        #: The type the CM knows; Unknown until the BMC has answered.
        self.cached_type = constants.BladeType.Unknown
        self.switch_on = slot.switch_on
        self.host_on = slot.host_on and slot.switch_on and slot.present
        self.next_boot = slot.next_boot
        self.next_boot_persistent = slot.next_boot_persistent
        self.next_boot_uefi = slot.next_boot_uefi
        self.led_on = slot.led_on
        self.power_limit = slot.power_limit
        self.power_limit_active = slot.power_limit_active
        self.power_restore_on = slot.power_restore_on
        self.macs = slot.macs
        #: Decompression time of the next switch-on; None = chassis default.
        self.decompression_seconds = None
        self.console = console.HostConsole(blade_id)
        #: Event log, POST codes and health faults of the BMC.
        self.records = blade_records.BladeRecords()
        #: The open :class:`~.console.SerialSession`, if any.
        self.session = None
        self._decompressed_at = 0.0
        self._restore_pending = False
        self._host_on_at = None

    def discard(self):
        """The chassis drops this blade (reset or stop); nothing to free."""

    def settle(self, now):
        """Apply the transitions that are due at ``now``."""
        if self._host_on_at is not None and now >= self._host_on_at:
            self._host_on_at = None
            self._boot()
        if self._restore_pending and now >= self._decompressed_at:
            self._restore_pending = False
            self._boot()
        if (self.cached_type is constants.BladeType.Unknown
                and self.bmc_reachable(now)):
            self.cached_type = self.blade_type

    def decompressing(self, now):
        """Whether the BMC firmware is still decompressing at ``now``."""
        return self.switch_on and now < self._decompressed_at

    def decompression_remaining(self, now):
        """Whole seconds of firmware decompression left, truncated.

        The CM truncates (ChassisManager.cs v2.5), so the last fraction of
        a second reads 0 while the firmware still decompresses; that the
        state keeps its exact end is an inference.
        """
        if not self.decompressing(now):
            return 0
        return int(self._decompressed_at - now)

    def switch_state(self, now):
        """The Blade_EN state as the CM reports it."""
        if not self.switch_on:
            return constants.PowerState.OFF
        if self.decompressing(now):
            return constants.PowerState.OnFwDecompress
        return constants.PowerState.ON

    def bmc_reachable(self, now):
        """Whether a BMC command would get an answer."""
        return (self.present and self.switch_on
                and not self.decompressing(now))

    def switch_power_on(self, now, decompression_seconds):
        """Turn Blade_EN on; a no-op when it is already on.

        :param decompression_seconds: chassis default decompression time,
            replaced by the blade's own setting when it has one.
        """
        if self.switch_on:
            return
        if self.decompression_seconds is not None:
            decompression_seconds = self.decompression_seconds
        self.switch_on = True
        self._decompressed_at = now + decompression_seconds
        self._restore_pending = self.present and self.power_restore_on

    def switch_power_off(self):
        """Turn Blade_EN off: the host and the BMC lose power.

        The CM also forgets the blade's type.
        """
        self.switch_on = False
        self.cached_type = constants.BladeType.Unknown
        self.host_on = False
        self.session = None
        self._restore_pending = False
        self._host_on_at = None
        self._decompressed_at = 0.0

    def leave_slot(self):
        """The blade is pulled out: its host and BMC are gone.

        Pending boots (power cycle, restore policy) are cancelled. The CM
        notices nothing but the silence of the BMC: its serial session
        metadata stays (reference 8.2).
        """
        self.present = False
        self.cached_type = constants.BladeType.Unknown
        self.host_on = False
        self._host_on_at = None
        self._restore_pending = False

    def set_host_power(self, on):
        """Chassis Control power up or power down through the BMC."""
        self._host_on_at = None
        if on and not self.host_on:
            self._boot()
        elif not on:
            self.host_on = False

    def power_cycle(self, now, off_time):
        """Power-cycle the host; a host that is off is simply powered on.

        The BMC refuses to cycle a host that is off; the CM then sends a
        plain power-on (reference 6.1), so ``off_time`` does not apply.

        :param off_time: seconds a running host stays off before powering
            on again.
        """
        if not self.host_on:
            self._host_on_at = None
            self._boot()
            return
        self.host_on = False
        if off_time:
            self._host_on_at = now + off_time
        else:
            self._host_on_at = None
            self._boot()

    def _boot(self):
        self.host_on = True
        # IPMI clears a one-shot boot override when the host boots from it
        # (IPMI semantics; reference 6.2 marks this as inference).
        if not self.next_boot_persistent:
            self.next_boot = constants.BladeBootType.NoOverride
            self.next_boot_uefi = False
        self.console.host_booted()

    def set_next_boot(self, boot_type, uefi, persistent):
        """Store a boot override; NoOverride clears it."""
        self.next_boot = boot_type
        if boot_type is constants.BladeBootType.NoOverride:
            uefi = persistent = False
        self.next_boot_uefi = uefi
        self.next_boot_persistent = persistent

    def power_reading(self):
        """The DCMI present power reading, in watts."""
        if not self.host_on:
            return STANDBY_WATTS
        if self.power_limit_active:
            return min(NOMINAL_WATTS, self.power_limit)
        return NOMINAL_WATTS

    def to_dict(self, now):
        """The blade as the control API shows it."""
        return {
            'present': self.present,
            'type': self.blade_type.value,
            'switch_on': self.switch_on,
            'decompressing': self.decompressing(now),
            'host_on': self.host_on,
            'next_boot': self.next_boot.name,
            'next_boot_persistent': self.next_boot_persistent,
            'next_boot_uefi': self.next_boot_uefi,
            'led_on': self.led_on,
            'power_limit': self.power_limit,
            'power_limit_active': self.power_limit_active,
            'serial_session': self.session is not None,
            'macs': list(self.macs),
        }


class ModelBackend(object):
    """The state-model blade backend: every slot is a :class:`Blade`."""

    name = 'model'

    def make_blade(self, blade_id, slot):
        """Create the blade of one slot.

        :param slot: its :class:`~msftocs_driver.emulator.config.SlotConfig`.
        """
        return Blade(blade_id, slot)

    def discard(self, blades):
        """Release blades the chassis no longer uses."""
        for blade in blades:
            blade.discard()

    def close(self):
        """Release everything the backend holds."""

    def describe(self):
        """One line for the emulator's start-up output."""
        return 'all blades modelled'
