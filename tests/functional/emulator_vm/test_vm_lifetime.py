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


"""VM processes never outlive the emulator: the launcher, then real QEMU.

The launcher tests run a harmless ``sleep`` instead of QEMU; the emulator
tests need QEMU and are skipped without it, unless
``MSFTOCS_REQUIRE_QEMU=1`` (CI) makes a missing QEMU a failure.
"""

import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from msftocs_driver.emulator.runner import EmulatorProcess
from msftocs_driver.emulator.vm import process


def _gone(pid, timeout=10.0):
    """Whether ``pid`` is gone (or a zombie) within ``timeout``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with open('/proc/%d/stat' % pid) as stat:
                if stat.read().rsplit(')', 1)[1].split()[0] == 'Z':
                    return True
        except OSError:
            return True
        time.sleep(0.05)
    return False


def test_stop_ends_the_whole_process_group(tmp_path):
    launcher = process.SubprocessLauncher()
    try:
        proc = launcher.start(['sh', '-c', 'sleep 300 & sleep 300'],
                              str(tmp_path / 'log'))
        assert os.getpgid(proc.pid) == proc.pid  # a group of its own
        proc.stop(timeout=5)
        assert not proc.alive()
        assert not process.group_alive(proc.pid)
    finally:
        launcher.close()


def test_child_dies_with_a_sigkilled_parent(tmp_path):
    parent = subprocess.Popen([sys.executable, '-c', textwrap.dedent('''
        import sys, time
        from msftocs_driver.emulator.vm import process
        launcher = process.SubprocessLauncher()
        proc = launcher.start(['sleep', '300'], sys.argv[1])
        print(proc.pid, flush=True)
        time.sleep(300)
        '''), str(tmp_path / 'log')], stdout=subprocess.PIPE, text=True)
    child = int(parent.stdout.readline())
    assert not _gone(child, timeout=0.2)
    parent.kill()
    parent.wait()
    assert _gone(child)


def _require_qemu():
    if shutil.which('qemu-system-x86_64'):
        return
    if os.environ.get('MSFTOCS_REQUIRE_QEMU') == '1':
        raise AssertionError('QEMU is required (MSFTOCS_REQUIRE_QEMU=1): '
                             'apt-get install qemu-system-x86 ipxe-qemu')
    pytest.skip('QEMU is not installed')


def _vm_emulator():
    return EmulatorProcess(decompression_seconds=0, extra_args=(
        '--blade-backend', 'qemu', '--vm-blades', '1-2'))


@pytest.fixture
def tcg(monkeypatch):
    # The KVM probe is not what these tests are about.
    monkeypatch.setenv('MSFTOCS_EMULATOR_ACCEL', 'tcg')


def test_stopping_the_emulator_stops_its_vms(tcg):
    _require_qemu()
    emulator = _vm_emulator().start()
    try:
        pids = [emulator.blade(i)['vm_pid'] for i in (1, 2)]
        assert all(pids) and emulator.blade(3).get('vm_pid') is None
        emulator.set_blade(1, switch_on=False)
        assert _gone(pids[0]) and emulator.blade(1)['vm_pid'] is None
    finally:
        assert emulator.stop() == 0
    assert _gone(pids[1])


def test_a_sigkilled_emulator_leaves_no_vm(tcg, tmp_path, monkeypatch):
    _require_qemu()
    # The VMs' run directory, which a killed emulator cannot remove, lands
    # in the test's own temporary directory.
    monkeypatch.setenv('TMPDIR', str(tmp_path))
    emulator = _vm_emulator().start()
    pids = [emulator.blade(i)['vm_pid'] for i in (1, 2)]
    assert [p.name for p in tmp_path.iterdir()
            if p.name.startswith('msftocs-vm-')]
    os.kill(emulator.pid, signal.SIGKILL)
    emulator.stop()
    assert all(_gone(pid) for pid in pids)
