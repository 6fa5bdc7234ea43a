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


"""The QEMU blade backend: which slots are VMs, and the VMs' lifetime.

The chassis asks its backend for each blade (:meth:`VmBackend.make_blade`);
the slots of ``vm_blades`` become :class:`~.blade.VmBlade`, the others
stay modelled. :meth:`VmBackend.close` stops every VM the backend started.
"""

import logging
import os
import shutil
import tempfile

from msftocs_driver.emulator import blade as blade_mod
from msftocs_driver.emulator.vm import blade as vm_blade
from msftocs_driver.emulator.vm import machine as machine_mod
from msftocs_driver.emulator.vm import qemu

LOG = logging.getLogger(__name__)


def parse_slots(text, population):
    """Parse a slot list such as ``1-3,7``.

    :param population: the number of slots of the chassis.
    :returns: a frozenset of slot numbers.
    :raises ValueError: naming the bad part.
    """
    slots = set()
    for part in (text or '').split(','):
        part = part.strip()
        if not part:
            continue
        first, _sep, last = part.partition('-')
        try:
            low, high = int(first), int(last or first)
        except ValueError:
            raise ValueError('--vm-blades: %r is not a slot or range' % part)
        if not 1 <= low <= high <= population:
            raise ValueError('--vm-blades: %r is not within slots 1..%d'
                             % (part, population))
        slots.update(range(low, high + 1))
    if not slots:
        raise ValueError('--vm-blades: no slot given')
    return frozenset(slots)


class VmBackend(blade_mod.ModelBackend):
    """Blades backed by QEMU virtual machines.

    :param settings: a :class:`~.qemu.VmSettings`.
    :param vm_blades: the slot numbers that are VMs.
    :param launcher: a :class:`~.process.Launcher`; tests pass a fake.
    :param machine_factory: builds a :class:`~.machine.VirtualMachine`
        (same arguments); tests pass a fake.
    """

    name = 'qemu'

    def __init__(self, settings, vm_blades, launcher=None,
                 machine_factory=machine_mod.VirtualMachine):
        self.settings = settings
        self.vm_blades = frozenset(vm_blades)
        self.launcher = launcher or qemu.make_launcher()
        self._machine_factory = machine_factory
        self.rundir = tempfile.mkdtemp(prefix='msftocs-vm-')
        self._blades = []

    def _make_machine(self, blade_id, mac, output):
        return self._machine_factory(blade_id, mac, self.settings,
                                     self.rundir, self.launcher, output)

    def make_blade(self, blade_id, slot):
        if blade_id not in self.vm_blades:
            return super().make_blade(blade_id, slot)
        blade = vm_blade.VmBlade(blade_id, slot, self._make_machine)
        self._blades.append(blade)
        return blade

    def discard(self, blades):
        for blade in blades:
            blade.discard()
        self._blades = [b for b in self._blades if b not in blades]

    def close(self):
        """Stop every VM started, then remove the run directory."""
        for blade in self._blades:
            try:
                blade.discard()
            except Exception:  # keep stopping the others
                LOG.exception('Blade %d: stopping its VM failed',
                              blade.blade_id)
        self._blades = []
        self.launcher.close()
        shutil.rmtree(self.rundir, ignore_errors=True)

    def describe(self):
        """One line for the emulator's start-up output."""
        return 'VM blades %s (QEMU, accel %s, %s)' % (
            ','.join(str(s) for s in sorted(self.vm_blades)),
            self.settings.accel, os.path.basename(self.settings.qemu))


def from_flags(vm_blades, population, http_port=None, memory_mib=None,
               environ=os.environ):
    """The backend ``--blade-backend qemu`` asks for.

    :param vm_blades: the ``--vm-blades`` text.
    :param population: chassis population.
    :param http_port: ``--vm-http-port``: the HTTP server on 127.0.0.1 the
        guests may reach.
    :raises qemu.QemuMissing: QEMU (or socat, for ``http_port``) is not
        installed.
    :raises ValueError: a bad flag value, naming the flag.
    """
    slots = parse_slots(vm_blades, population)
    if http_port is not None and not 0 < http_port < 65536:
        raise ValueError('--vm-http-port: %r is not a TCP port' % http_port)
    binary, socat = qemu.find_qemu()
    if http_port and not socat:
        raise qemu.QemuMissing('--vm-http-port needs socat: apt-get '
                               'install --no-install-recommends socat')
    settings = qemu.VmSettings(
        qemu=binary, accel=qemu.choose_accel(binary, environ),
        memory_mib=memory_mib or qemu.VmSettings.memory_mib,
        http_port=http_port, socat=socat)
    return VmBackend(settings, slots)
