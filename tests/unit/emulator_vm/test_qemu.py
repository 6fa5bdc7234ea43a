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


"""QEMU discovery, accelerator choice, command line, VM control, flags."""

import re
import subprocess

import pytest

from msftocs_driver.emulator import cli
from msftocs_driver.emulator.vm import backend as backend_mod
from msftocs_driver.emulator.vm import machine as machine_mod
from msftocs_driver.emulator.vm import qemu
from tests.unit.emulator_vm import fakes


def test_command_line_isolates_the_guest():
    paths = qemu.VmPaths.under('/run/x', 3)
    argv = qemu.command_line(fakes.SETTINGS, paths, '00:15:5D:0A:03:01',
                             qemu.DISK_FIRST)
    netdev = argv[argv.index('-netdev') + 1]
    assert netdev.startswith('user,id=net0,restrict=on,')
    # One forward only, to the test's HTTP server on 127.0.0.1.
    assert netdev.count('guestfwd=') == 1
    assert netdev.endswith(
        'guestfwd=tcp:10.0.2.100:80-cmd:/usr/bin/socat STDIO '
        'TCP4:127.0.0.1:8080')
    assert 'bootfile=http://10.0.2.100/boot.ipxe' in netdev
    assert 'mac=00:15:5D:0A:03:01,bootindex=1' in ' '.join(argv)
    assert 'bootindex=0' in argv[argv.index('-drive') + 3]
    for flag in ('-S', '-no-shutdown', '-nodefaults'):
        assert flag in argv
    assert argv[argv.index('-accel') + 1] == 'tcg,tb-size=64'
    assert 'unix:/run/x/blade3.qmp,server=on,wait=off' in argv


def test_without_http_port_the_guest_has_no_peer_at_all():
    settings = qemu.VmSettings(qemu='qemu')
    argv = qemu.command_line(settings, qemu.VmPaths.under('/r', 1),
                             '52:54:00:00:00:01', qemu.DISK_FIRST)
    assert argv[argv.index('-netdev') + 1] == 'user,id=net0,restrict=on'


class _FakeProbe(object):
    """A probe guest: ``connects`` makes the NIC ROM's first request."""

    def __init__(self, argv, connects=False, exits=False):
        self.argv = argv
        self.killed = self.waited = False
        self._exits = exits
        netdev = argv[argv.index('-netdev') + 1]
        if connects:
            # The guestfwd command runs on the guest's connection.
            marker = netdev.split('-cmd:touch ', 1)[1]
            open(marker, 'w').close()

    def poll(self):
        return 1 if self._exits else None

    def kill(self):
        self.killed = True

    def wait(self):
        self.waited = True


def _spawner(**behaviour):
    spawned = []

    def spawn(argv, **kwargs):
        assert kwargs['stdin'] == subprocess.DEVNULL
        if 'error' in behaviour:
            raise behaviour['error']
        spawned.append(_FakeProbe(argv, **behaviour))
        return spawned[-1]
    spawn.spawned = spawned
    return spawn


@pytest.mark.parametrize('behaviour, works', [
    ({'connects': True}, True),
    # KVM answers, but the guest never gets to the network: stuck in the
    # firmware or in the NIC's iPXE ROM (nested backends), or dead.
    ({}, False),
    ({'exits': True}, False),
    ({'error': OSError('exec failed')}, False),
])
def test_kvm_probe_needs_the_nic_rom_to_reach_the_network(
        monkeypatch, behaviour, works):
    monkeypatch.setattr(qemu.os, 'access', lambda path, mode: True)
    spawn = _spawner(**behaviour)
    assert qemu.kvm_works('qemu', spawn=spawn, seconds=0.3) is works
    for probe in spawn.spawned:
        assert probe.argv[probe.argv.index('-accel') + 1] == 'kvm'
        assert 'virtio-net-pci,netdev=probe,bootindex=1' in probe.argv
        assert probe.killed and probe.waited  # stopped by its handle


def test_kvm_probe_skipped_without_access_to_dev_kvm(monkeypatch):
    monkeypatch.setattr(qemu.os, 'access', lambda path, mode: False)
    assert qemu.kvm_works('qemu', spawn=None) is False


@pytest.mark.parametrize('environ, probed, accel', [
    ({}, True, 'kvm'), ({}, False, 'tcg,tb-size=64'),
    ({qemu.ACCEL_ENV: 'tcg'}, True, 'tcg,tb-size=64'),
    ({qemu.ACCEL_ENV: 'kvm'}, False, 'kvm'),
])
def test_accel_falls_back_to_tcg(environ, probed, accel):
    assert qemu.choose_accel('q', environ, probe=lambda q: probed) == accel


class FakeQmp(object):
    def __init__(self, path):
        self.path = path
        self.commands = []
        self.status = 'prelaunch'

    def connect(self):
        self.commands.append('connect')

    def execute(self, command, **arguments):
        self.commands.append((command, arguments) if arguments else command)
        if command == 'query-status':
            return {'status': self.status}
        return {}

    def close(self):
        self.commands.append('closed')


def _machine(tmp_path):
    qmps = []

    def factory(path):
        qmps.append(FakeQmp(path))
        return qmps[-1]

    launcher = fakes.FakeLauncher()
    vm = machine_mod.VirtualMachine(1, '52:54:00:00:00:01', fakes.SETTINGS,
                                    str(tmp_path), launcher, lambda d: None,
                                    qmp_factory=factory)
    vm._connect_serial = lambda: None
    vm._pump_serial = lambda sock: None
    return vm, qmps, launcher


def test_machine_power_on_moves_only_the_disk_around_the_nic(tmp_path):
    vm, qmps, launcher = _machine(tmp_path)
    vm.start()
    (proc,) = launcher.started
    assert '-S' in proc.argv
    assert (tmp_path / 'blade1.disk').stat().st_size == qemu.DISK_BYTES
    vm.power_on(disk_first=False)
    vm.power_on(disk_first=False)
    vm.power_on(disk_first=True)
    set_disk = ('qom-set', {'path': '/machine/peripheral/disk0',
                            'property': 'bootindex'})
    seen = [(c[0], {k: v for k, v in c[1].items() if k != 'value'})
            for c in qmps[0].commands if isinstance(c, tuple)]
    assert seen == [set_disk, set_disk]
    assert [c[1]['value'] for c in qmps[0].commands
            if isinstance(c, tuple)] == [2, 0]
    assert qmps[0].commands.count('system_reset') == 3
    assert qmps[0].commands.count('cont') == 3


def test_machine_state_and_close(tmp_path):
    vm, qmps, launcher = _machine(tmp_path)
    vm.start()
    assert vm.running() is False
    qmps[0].status = 'running'
    assert vm.running() is True
    vm.power_off()
    assert qmps[0].commands[-2:] == ['query-status', 'stop']
    vm.close()
    assert qmps[0].commands[-2:] == ['quit', 'closed']
    assert launcher.started[0].stopped
    assert not (tmp_path / 'blade1.disk').exists()
    assert vm.running() is False


@pytest.mark.parametrize('text, slots', [
    ('1-3', {1, 2, 3}), ('2,5-6', {2, 5, 6}), (' 4 ', {4})])
def test_parse_slots(text, slots):
    assert backend_mod.parse_slots(text, 24) == slots


@pytest.mark.parametrize('text, message', [
    ('0', 'not within slots 1..24'), ('3-1', 'not within'),
    ('25', 'not within'), ('a', "'a' is not a slot"), (',', 'no slot')])
def test_parse_slots_refuses(text, message):
    with pytest.raises(ValueError, match=message):
        backend_mod.parse_slots(text, 24)


@pytest.mark.parametrize('argv, message', [
    (['--vm-blades', '1'], '--vm-\\* flags need --blade-backend qemu'),
    (['--blade-backend', 'qemu'], 'needs --vm-blades'),
])
def test_vm_flags_refused_without_their_backend(capsys, argv, message):
    with pytest.raises(SystemExit):
        cli.parse_args(argv)
    assert re.search(message, capsys.readouterr().err)


def test_missing_qemu_is_one_clear_line_and_exit_2(monkeypatch, capsys):
    monkeypatch.setattr(qemu.shutil, 'which', lambda name: None)
    status = cli.main(['--port', '0', '--blade-backend', 'qemu',
                       '--vm-blades', '1-2'])
    assert status == 2
    err = capsys.readouterr().err.splitlines()
    assert err[-1] == (
        'msftocs-emulator: --blade-backend qemu needs qemu-system-x86_64: '
        'apt-get install --no-install-recommends qemu-system-x86 ipxe-qemu')


def test_model_backend_never_looks_for_qemu(monkeypatch):
    def which(name):
        raise AssertionError('looked for %s' % name)

    monkeypatch.setattr(qemu.shutil, 'which', which)
    args = cli.parse_args(['--port', '0'])
    app = cli.build_app(args)
    assert app.chassis.backend.name == 'model'
    app.chassis.close()
