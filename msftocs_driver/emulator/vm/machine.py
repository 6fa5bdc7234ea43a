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


"""One QEMU virtual machine: its process, QMP control and serial port.

The process exists while the blade's Blade_EN switch is on. It starts
paused; host power on is a reset then ``cont``, host power off is
``stop``. The run state comes from ``query-status``, so a guest that
powered itself off (``-no-shutdown`` keeps the process) reads as off.

The serial port is a unix socket the VM listens on; a pump thread hands
what the guest prints to ``output``, and :meth:`send` types into it.
"""

import contextlib
import logging
import os
import socket
import threading
import time

from msftocs_driver.emulator.vm import qemu
from msftocs_driver.emulator.vm import qmp

LOG = logging.getLogger(__name__)
#: Seconds QEMU gets to quit before its process group is killed.
STOP_GRACE = 5.0


class VirtualMachine(object):
    """The VM of one blade.

    :param blade_id: the slot number, for names and logs.
    :param mac: the NIC's MAC address.
    :param settings: a :class:`~.qemu.VmSettings`.
    :param rundir: directory for the sockets, disk and log.
    :param launcher: a :class:`~.process.Launcher`.
    :param output: ``output(bytes)`` receives what the guest prints.
    :param qmp_factory: builds the QMP client from a socket path.
    """

    def __init__(self, blade_id, mac, settings, rundir, launcher, output,
                 qmp_factory=qmp.QmpClient):
        self.blade_id = blade_id
        self.mac = mac
        self.settings = settings
        self.paths = qemu.VmPaths.under(rundir, blade_id)
        self._launcher = launcher
        self._output = output
        self._qmp_factory = qmp_factory
        self._process = None
        self._qmp = None
        self._serial = None
        self._pump = None
        self._disk_bootindex = qemu.DISK_FIRST

    @property
    def pid(self):
        """The QEMU process id, or None."""
        return self._process.pid if self._process else None

    def start(self):
        """Start QEMU paused and connect to its QMP and serial sockets."""
        for path in (self.paths.qmp, self.paths.serial):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(path)
        with open(self.paths.disk, 'wb') as disk:
            disk.truncate(qemu.DISK_BYTES)  # sparse, blank: not bootable
        argv = qemu.command_line(self.settings, self.paths, self.mac,
                                 self._disk_bootindex)
        self._process = self._launcher.start(argv, self.paths.log)
        LOG.info('Blade %d: VM started (pid %d, accel %s)', self.blade_id,
                 self._process.pid, self.settings.accel)
        try:
            self._qmp = self._qmp_factory(self.paths.qmp)
            self._qmp.connect()
            self._serial = self._connect_serial()
        except (OSError, qmp.QmpError):
            self.close()
            raise
        self._pump = threading.Thread(
            target=self._pump_serial, args=(self._serial,), daemon=True,
            name='vm-serial-%d' % self.blade_id)
        self._pump.start()

    def _connect_serial(self, timeout=10.0):
        deadline = time.monotonic() + timeout
        while True:
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                sock.connect(self.paths.serial)
                return sock
            except OSError:
                sock.close()
                if time.monotonic() >= deadline or not self._process.alive():
                    raise
                time.sleep(0.05)

    def _pump_serial(self, sock):
        while True:
            try:
                chunk = sock.recv(4096)
            except OSError:
                return
            if not chunk:
                return
            self._output(chunk)

    def alive(self):
        """Whether the QEMU process still runs."""
        return self._process is not None and self._process.alive()

    def running(self):
        """Whether the guest runs (QMP ``query-status``)."""
        if self._qmp is None or not self.alive():
            return False
        try:
            return self._qmp.execute('query-status').get('status') == 'running'
        except qmp.QmpError as exc:
            LOG.warning('Blade %d: VM status unknown: %s', self.blade_id, exc)
            return False

    def power_on(self, disk_first):
        """Boot the guest from scratch: set the boot order, reset, run.

        :param disk_first: boot from the disk before the NIC.
        """
        bootindex = qemu.DISK_FIRST if disk_first else qemu.DISK_AFTER_NIC
        if bootindex != self._disk_bootindex:
            # The NIC keeps its index: only the disk moves around it.
            self._qmp.execute('qom-set', path='/machine/peripheral/disk0',
                              property='bootindex', value=bootindex)
            self._disk_bootindex = bootindex
        self._qmp.execute('system_reset')
        self._qmp.execute('cont')

    def power_off(self):
        """Hard power off: the guest stops where it is."""
        if self._qmp is not None and self._process.alive():
            self._qmp.execute('stop')

    def send(self, data):
        """Type ``data`` into the guest's serial port."""
        if self._serial is not None:
            self._serial.sendall(data)

    def close(self):
        """Quit QEMU and end its process group; remove its files."""
        if self._qmp is not None:
            with contextlib.suppress(qmp.QmpError):
                self._qmp.execute('quit')
            self._qmp.close()
            self._qmp = None
        if self._serial is not None:
            with contextlib.suppress(OSError):
                self._serial.shutdown(socket.SHUT_RDWR)
            self._serial.close()
            self._serial = None
        if self._process is not None:
            self._process.stop(STOP_GRACE)
            LOG.info('Blade %d: VM stopped (pid %d)', self.blade_id,
                     self._process.pid)
            self._process = None
        for path in (self.paths.qmp, self.paths.serial, self.paths.disk):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(path)
