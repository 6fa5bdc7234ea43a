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


"""QEMU itself: finding it, choosing the accelerator, the command line.

KVM is used only when a probe guest gets, under KVM and within a few
seconds, as far as a VM blade's first network request: the firmware runs
the NIC's iPXE boot ROM, which asks the built-in DHCP server and connects
to the boot file's HTTP address. ``/dev/kvm`` can answer its ioctls while
guests die with "KVM internal error ... emulation failure" (nested
software backends do that), and some such hosts run the SeaBIOS firmware
alone well and then leave iPXE looping in protected mode, where TCG gets
to DHCP in a few seconds: the firmware alone proves nothing. Otherwise
TCG, with a bounded translation cache (``tb-size=64``) so that the memory
of a guest does not grow with every reboot.

Networking is QEMU user mode with ``restrict=on``: the guest reaches
nothing but the ``guestfwd`` rule to one HTTP server on 127.0.0.1, which
it sees as :data:`GUEST_HTTP_ADDRESS` port 80. The built-in DHCP server
names ``http://GUEST_HTTP_ADDRESS/boot.ipxe`` as the boot file, which the
NIC's iPXE ROM chain-loads.
"""

import dataclasses
import os
import shutil
import subprocess
import tempfile
import time

from msftocs_driver.emulator.vm import process

QEMU = 'qemu-system-x86_64'
TCG = 'tcg,tb-size=64'
KVM = 'kvm'
#: Environment variable forcing the accelerator (``kvm`` or ``tcg``).
ACCEL_ENV = 'MSFTOCS_EMULATOR_ACCEL'
#: Where the guest sees the test's HTTP server.
GUEST_HTTP_ADDRESS = '10.0.2.100'
BOOT_FILE = 'http://%s/boot.ipxe' % GUEST_HTTP_ADDRESS
#: Seconds a KVM probe guest gets to make its first network request.
PROBE_SECONDS = 10.0
#: Boot indexes: the NIC keeps 1, the disk goes before or after it.
NIC_BOOTINDEX = 1
DISK_FIRST, DISK_AFTER_NIC = 0, 2
DISK_BYTES = 64 * 1024 * 1024


class QemuMissing(Exception):
    """QEMU is not installed; the message is one line saying what to do."""


@dataclasses.dataclass(frozen=True)
class VmSettings(object):
    """How the VM blades of one emulator run.

    :ivar qemu: path of ``qemu-system-x86_64``.
    :ivar accel: the ``-accel`` value.
    :ivar memory_mib: guest memory.
    :ivar http_port: port of the HTTP server on 127.0.0.1 the guests may
        reach, or None for no network peer at all.
    :ivar socat: path of socat, which carries each forwarded connection.
    """

    qemu: str
    accel: str = TCG
    memory_mib: int = 256
    http_port: int = None
    socat: str = None


def find_qemu():
    """The QEMU binary and socat.

    :raises QemuMissing: with the one line to show.
    """
    qemu = shutil.which(QEMU)
    if not qemu:
        raise QemuMissing(
            '--blade-backend qemu needs %s: apt-get install '
            '--no-install-recommends qemu-system-x86 ipxe-qemu' % QEMU)
    return qemu, shutil.which('socat')


def _probe_argv(qemu, marker):
    """A KVM guest booting its NIC's ROM; its connection creates ``marker``."""
    netdev = ('user,id=probe,restrict=on,bootfile=http://%s/probe,'
              'guestfwd=tcp:%s:80-cmd:touch %s'
              % (GUEST_HTTP_ADDRESS, GUEST_HTTP_ADDRESS, marker))
    return [qemu, '-accel', KVM, '-m', '64', '-nodefaults',
            '-no-user-config', '-display', 'none', '-boot', 'strict=on',
            '-netdev', netdev,
            '-device', 'virtio-net-pci,netdev=probe,bootindex=1']


def kvm_works(qemu, spawn=subprocess.Popen, seconds=PROBE_SECONDS):
    """Whether a probe guest gets to its first network request under KVM.

    :param spawn: ``subprocess.Popen`` (replaceable in tests).
    :param seconds: how long the guest gets.
    """
    if not os.access('/dev/kvm', os.R_OK | os.W_OK):
        return False
    with tempfile.TemporaryDirectory(prefix='msftocs-kvm-probe-') as work:
        marker = os.path.join(work, 'connected')
        try:
            probe = spawn(_probe_argv(qemu, marker),
                          stdin=subprocess.DEVNULL,
                          stdout=subprocess.DEVNULL,
                          stderr=subprocess.DEVNULL)
        except OSError:
            return False
        try:
            deadline = time.monotonic() + seconds
            while time.monotonic() < deadline:
                if os.path.exists(marker):
                    return True
                if probe.poll() is not None:
                    return False
                time.sleep(0.1)
            return os.path.exists(marker)
        finally:
            probe.kill()
            probe.wait()


def choose_accel(qemu, environ=os.environ, probe=kvm_works):
    """``kvm`` when it works (or is forced), else :data:`TCG`."""
    forced = environ.get(ACCEL_ENV, '').strip().lower()
    if forced == 'tcg':
        return TCG
    if forced == 'kvm':
        return KVM
    return KVM if probe(qemu) else TCG


@dataclasses.dataclass(frozen=True)
class VmPaths(object):
    """Files of one VM under the backend's run directory."""

    qmp: str
    serial: str
    disk: str
    log: str

    @classmethod
    def under(cls, directory, blade_id):
        base = os.path.join(directory, 'blade%d' % blade_id)
        return cls(qmp=base + '.qmp', serial=base + '.serial',
                   disk=base + '.disk', log=base + '.log')


def _netdev(settings):
    netdev = 'user,id=net0,restrict=on'
    if settings.http_port:
        netdev += (',bootfile=%s,guestfwd=tcp:%s:80-cmd:%s STDIO '
                   'TCP4:127.0.0.1:%d' % (BOOT_FILE, GUEST_HTTP_ADDRESS,
                                          settings.socat,
                                          settings.http_port))
    return netdev


def command_line(settings, paths, mac, disk_bootindex):
    """The QEMU command line of one VM blade.

    The VM starts paused (``-S``) and stays alive when the guest powers
    off (``-no-shutdown``), so that the run state reads as off.

    :param mac: the NIC's MAC address.
    :param disk_bootindex: :data:`DISK_FIRST` or :data:`DISK_AFTER_NIC`.
    """
    return [
        settings.qemu, '-name', os.path.basename(paths.log)[:-4],
        '-accel', settings.accel, '-m', str(settings.memory_mib),
        '-nodefaults', '-no-user-config', '-display', 'none',
        '-S', '-no-shutdown', '-boot', 'strict=on',
        '-qmp', 'unix:%s,server=on,wait=off' % paths.qmp,
        '-chardev', 'socket,id=serial0,path=%s,server=on,wait=off'
        % paths.serial,
        '-serial', 'chardev:serial0',
        '-drive', 'file=%s,if=none,id=drive0,format=raw' % paths.disk,
        '-device', 'virtio-blk-pci,drive=drive0,id=disk0,bootindex=%d'
        % disk_bootindex,
        '-netdev', _netdev(settings),
        '-device', 'virtio-net-pci,netdev=net0,id=nic0,mac=%s,bootindex=%d'
        % (mac, NIC_BOOTINDEX),
    ]


def make_launcher():
    """The real process launcher."""
    return process.SubprocessLauncher()
