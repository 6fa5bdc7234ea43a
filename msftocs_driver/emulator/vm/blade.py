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


"""A blade whose host is a QEMU virtual machine.

:class:`VmBlade` keeps the model's two power domains and its BMC
behaviour (decompression, cached type, restore policy, boot override) and
maps the host onto a :class:`~.machine.VirtualMachine`:

- Blade_EN off: no QEMU process; Blade_EN on: QEMU runs, paused;
- host on: the boot order follows the override, then reset and run;
  host off: the VM is stopped; a power cycle is a reset;
- the host power state read back is the VM's real run state;
- the NIC MAC is the VM's (one NIC per VM);
- the console buffer holds what the guest printed on its serial port and
  what is sent is typed into it.
"""

import logging
import threading

from msftocs_driver.emulator import blade as blade_mod
from msftocs_driver.emulator import console as console_mod
from msftocs_driver.emulator.vm import qmp
from msftocs_driver.ocs import constants

LOG = logging.getLogger(__name__)
BOOT = constants.BladeBootType


class VmConsole(console_mod.HostConsole):
    """The BMC console buffer, fed by the guest's serial port.

    The guest writes from the VM's pump thread, hence a lock of its own.
    """

    def __init__(self, blade_id):
        super().__init__(blade_id)
        self._lock = threading.Lock()
        #: ``send(bytes)`` of the running VM, or None.
        self.sender = None

    def guest_output(self, data):
        """Bytes the guest printed."""
        with self._lock:
            self._emit(data)

    def host_booted(self):
        """Nothing to add: the guest prints its own boot messages."""

    def host_input(self, data, host_on):
        if host_on and data and self.sender is not None:
            self.sender(bytes(data))

    def read(self, limit=constants.SERIAL_RECEIVE_CHUNK):
        with self._lock:
            return super().read(limit)

    def flush(self):
        with self._lock:
            super().flush()


def disk_first(next_boot):
    """Whether a boot with this override tries the disk before the NIC.

    Without an override the disk comes first, then the NIC, as a server's
    firmware usually has it.
    """
    return next_boot is not BOOT.ForcePxe


class VmBlade(blade_mod.Blade):
    """A slot whose host is a virtual machine.

    :param blade_id: slot number.
    :param slot: its :class:`~msftocs_driver.emulator.config.SlotConfig`;
        the first MAC becomes the VM's NIC MAC.
    :param make_machine: ``make_machine(blade_id, mac, output)`` returns
        a not yet started :class:`~.machine.VirtualMachine`.
    """

    backend = 'qemu'

    def __init__(self, blade_id, slot, make_machine):
        self._make_machine = make_machine
        self._machine = None
        self._host_wanted = False
        self._disk_first = True
        self._ready = False
        super().__init__(blade_id, slot)
        mac = next((m for m in slot.macs if m), None) or (
            '52:54:00:0A:00:%02X' % blade_id)
        self.macs = (mac,)
        self.console = VmConsole(blade_id)
        self._ready = True
        if self.switch_on and self.present:
            self._start_machine()

    @property
    def present(self):
        """Whether a blade is in the slot."""
        return self._present

    @present.setter
    def present(self, present):
        self._present = present
        if (present and self._ready and self.switch_on
                and self._machine is None):
            self._start_machine()  # pushed back into a powered slot

    @property
    def host_on(self):
        """Whether the VM runs (its real state, read from QEMU)."""
        return self._machine is not None and self._machine.running()

    @host_on.setter
    def host_on(self, on):
        self._host_wanted = on
        if self._machine is None:
            return
        if on and not self._machine.alive():
            # QEMU died under the blade (killed, out of memory): the BMC
            # is still there, so power on starts a new one.
            LOG.warning('Blade %d: its VM process is gone; starting a new '
                        'one', self.blade_id)
            self._stop_machine()
            self._start_machine()
            return
        try:
            if on:
                self._machine.power_on(self._disk_first)
            else:
                self._machine.power_off()
        except qmp.QmpError as exc:
            # The state read back (query-status) stays the truth.
            LOG.warning('Blade %d: VM power %s failed: %s', self.blade_id,
                        'on' if on else 'off', exc)

    @property
    def vm_pid(self):
        """The QEMU process id, or None when there is no VM process."""
        return self._machine.pid if self._machine else None

    def _start_machine(self):
        machine = self._make_machine(self.blade_id, self.macs[0],
                                     self.console.guest_output)
        machine.start()
        self._machine = machine
        self.console.sender = machine.send
        if self._host_wanted:
            machine.power_on(self._disk_first)

    def _stop_machine(self):
        machine, self._machine = self._machine, None
        self.console.sender = None
        if machine is not None:
            machine.close()

    def _boot(self):
        # The order of this boot comes from the override, which a one-time
        # override loses as the host boots.
        self._disk_first = disk_first(self.next_boot)
        super()._boot()

    def switch_power_on(self, now, decompression_seconds):
        was_on = self.switch_on
        super().switch_power_on(now, decompression_seconds)
        if not was_on and self.present:
            self._start_machine()

    def switch_power_off(self):
        super().switch_power_off()
        self._stop_machine()

    def leave_slot(self):
        super().leave_slot()
        self._stop_machine()

    def discard(self):
        """The emulator stops or resets: the VM goes away."""
        self._stop_machine()

    def to_dict(self, now):
        state = super().to_dict(now)
        state.update(backend=self.backend, vm_pid=self.vm_pid)
        return state
