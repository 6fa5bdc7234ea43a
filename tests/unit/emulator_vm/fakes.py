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


"""Fakes of the VM backend's process layer: the tests need no QEMU."""

from msftocs_driver.emulator import app as app_mod
from msftocs_driver.emulator import auth
from msftocs_driver.emulator import chassis as chassis_mod
from msftocs_driver.emulator import config as config_mod
from msftocs_driver.emulator.vm import backend as backend_mod
from msftocs_driver.emulator.vm import process
from msftocs_driver.emulator.vm import qemu
from tests.unit.emulator import base


class FakeProcess(process.Process):

    def __init__(self, pid, argv):
        self.pid = pid
        self.argv = argv
        self.stopped = False

    def alive(self):
        return not self.stopped

    def stop(self, timeout):
        self.stopped = True


class FakeLauncher(process.Launcher):

    def __init__(self):
        self.started = []
        self.closed = False

    def start(self, argv, log_path):
        proc = FakeProcess(4000 + len(self.started), argv)
        self.started.append(proc)
        return proc


class FakeMachine(object):
    """A VirtualMachine stand-in recording what the blade asked for."""

    instances = None

    def __init__(self, blade_id, mac, settings, rundir, launcher, output):
        self.blade_id = blade_id
        self.mac = mac
        self.output = output
        self.launcher = launcher
        self.calls = []
        self.sent = b''
        self.guest_running = False
        self.process = None
        FakeMachine.instances.append(self)

    @property
    def pid(self):
        return self.process.pid if self.process else None

    def start(self):
        self.process = self.launcher.start(['qemu'], '/dev/null')
        self.calls.append('start')

    def alive(self):
        return self.process is not None and not self.process.stopped

    def running(self):
        return self.guest_running

    def power_on(self, disk_first):
        self.calls.append(('power_on', disk_first))
        self.guest_running = True

    def power_off(self):
        self.calls.append('power_off')
        self.guest_running = False

    def send(self, data):
        self.sent += data

    def close(self):
        self.calls.append('close')
        self.process.stop(1)
        self.guest_running = False


SETTINGS = qemu.VmSettings(qemu='/usr/bin/qemu-system-x86_64', http_port=8080,
                           socat='/usr/bin/socat')


def make_app(vm_blades=(1, 2), data=None, **overrides):
    """An emulator app whose ``vm_blades`` are fake VMs.

    :returns: ``(app, clock, machines, launcher)``; ``machines`` lists
        every FakeMachine made, in order.
    """
    FakeMachine.instances = []
    overrides.setdefault('power_off_wait', 0)
    cfg = config_mod.build(data, **overrides)
    clock = base.FakeClock()
    launcher = FakeLauncher()
    backend = backend_mod.VmBackend(SETTINGS, vm_blades, launcher=launcher,
                                    machine_factory=FakeMachine)
    chassis = chassis_mod.Chassis(cfg, clock=clock, sleep=clock.sleep,
                                  backend=backend)
    app = app_mod.EmulatorApp(
        chassis, auth.BasicAuthenticator(base.USER, base.PASSWORD),
        latency=0, sleep=clock.sleep)
    return app, clock, FakeMachine.instances, launcher


def machines_of(machines, blade_id):
    return [m for m in machines if m.blade_id == blade_id]
