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


"""VM-backed blades through the CM operations, with fake VMs."""

import base64

import pytest

from msftocs_driver.emulator.vm import qmp
from tests.unit.emulator import base
from tests.unit.emulator_vm import fakes


@pytest.fixture
def vm():
    app, clock, machines, launcher = fakes.make_app(
        vm_blades=(1, 2), decompression_seconds=5)
    yield app, clock, machines, launcher
    app.chassis.close()


def _state(app, blade_id):
    return base.op(app, 'GetBladeState', bladeId=blade_id).text('bladeState')


def test_only_the_vm_slots_get_a_vm_and_model_slots_need_none(vm):
    app, _clock, machines, _launcher = vm
    assert sorted(m.blade_id for m in machines) == [1, 2]
    assert app.chassis.blade_dict(1)['backend'] == 'qemu'
    assert 'backend' not in app.chassis.blade_dict(3)
    assert base.op(app, 'SetBladeOn', bladeId=3).text(
        'completionCode') == 'Success'
    assert _state(app, 3) == 'ON'


def test_switch_off_means_no_process_and_switch_on_a_paused_vm(vm):
    app, clock, machines, _launcher = vm
    (first,) = fakes.machines_of(machines, 1)
    base.op(app, 'SetPowerOff', bladeId=1)
    assert first.calls[-1] == 'close' and first.process.stopped
    assert app.chassis.blade_dict(1)['vm_pid'] is None
    base.op(app, 'SetPowerOn', bladeId=1)
    (_first, second) = fakes.machines_of(machines, 1)
    assert second.calls == ['start']  # paused: not powered on
    # Firmware decompression as with a modelled blade, then the BMC is up.
    assert base.op(app, 'SetBladeOn', bladeId=1).text(
        'completionCode') == 'FirmwareDecompressing'
    clock.advance(5)
    assert base.op(app, 'SetBladeOn', bladeId=1).text(
        'completionCode') == 'Success'
    assert second.calls[-1] == ('power_on', True)


def test_blade_state_is_the_vm_run_state(vm):
    app, _clock, machines, _launcher = vm
    (machine,) = fakes.machines_of(machines, 1)
    base.op(app, 'SetBladeOn', bladeId=1)
    assert _state(app, 1) == 'ON'
    machine.guest_running = False  # the guest powered itself off
    assert _state(app, 1) == 'OFF'
    base.op(app, 'SetBladeOff', bladeId=1)
    assert machine.calls[-1] == 'power_off'


def test_power_cycle_is_a_reset_of_a_running_vm(vm):
    app, _clock, machines, _launcher = vm
    (machine,) = fakes.machines_of(machines, 1)
    base.op(app, 'SetBladeOn', bladeId=1)
    base.op(app, 'SetBladeActivePowerCycle', bladeId=1, offTime=0)
    assert machine.calls[-2:] == ['power_off', ('power_on', True)]
    assert _state(app, 1) == 'ON'


def test_one_time_pxe_boots_from_the_nic_once(vm):
    app, _clock, machines, _launcher = vm
    (machine,) = fakes.machines_of(machines, 1)
    base.op(app, 'SetNextBoot', bladeId=1, bootType=2, uefi='false',
            persistent='false')
    base.op(app, 'SetBladeOn', bladeId=1)
    base.op(app, 'SetBladeActivePowerCycle', bladeId=1, offTime=0)
    power_ons = [c for c in machine.calls if c[0] == 'power_on']
    assert power_ons == [('power_on', False), ('power_on', True)]


def test_persistent_pxe_and_hdd_set_the_boot_order(vm):
    app, _clock, machines, _launcher = vm
    (machine,) = fakes.machines_of(machines, 1)
    base.op(app, 'SetNextBoot', bladeId=1, bootType=2, uefi='false',
            persistent='true')
    base.op(app, 'SetBladeOn', bladeId=1)
    base.op(app, 'SetBladeActivePowerCycle', bladeId=1, offTime=0)
    base.op(app, 'SetNextBoot', bladeId=1, bootType=3, uefi='false',
            persistent='true')
    base.op(app, 'SetBladeActivePowerCycle', bladeId=1, offTime=0)
    power_ons = [c for c in machine.calls if c[0] == 'power_on']
    assert power_ons == [('power_on', False)] * 2 + [('power_on', True)]


def test_blade_info_reports_the_single_vm_mac(vm):
    app, _clock, machines, _launcher = vm
    (machine,) = fakes.machines_of(machines, 2)
    reply = base.op(app, 'GetBladeInfo', bladeId=2)
    macs = [e.text for e in reply.xml.iter(base.NS + 'NicInfo')
            for e in e.iter(base.NS + 'macAddress')]
    assert macs == [machine.mac] == ['00:15:5D:0A:02:01']


def test_serial_session_reads_the_guest_and_types_into_it(vm):
    app, _clock, machines, _launcher = vm
    (machine,) = fakes.machines_of(machines, 1)
    base.op(app, 'SetBladeOn', bladeId=1)
    machine.output(b'before the session\r\n')
    token = base.op(app, 'StartBladeSerialSession', bladeId=1,
                    sessionTimeoutInSecs=0).text('serialSessionToken')
    machine.output(b'Linux version 6.1\r\n')
    data = base.op(app, 'ReceiveBladeSerialData', bladeId=1,
                   sessionToken=token).text('data')
    assert base64.b64decode(data) == b'Linux version 6.1\r\n'
    typed = base64.b64encode(b'echo $((6*7))\r').decode()
    assert base.op(app, 'SendBladeSerialData', bladeId=1, sessionToken=token,
                   data=typed).text('completionCode') == 'Success'
    assert machine.sent == b'echo $((6*7))\r'


def test_a_stopped_vm_ignores_typing(vm):
    app, _clock, machines, _launcher = vm
    (machine,) = fakes.machines_of(machines, 1)
    token = base.op(app, 'StartBladeSerialSession', bladeId=1,
                    sessionTimeoutInSecs=0).text('serialSessionToken')
    base.op(app, 'SendBladeSerialData', bladeId=1, sessionToken=token,
            data=base64.b64encode(b'x').decode())
    assert machine.sent == b''


def test_pulled_and_reinserted_blade_gets_a_new_vm(vm):
    app, _clock, machines, _launcher = vm
    app.chassis.update_blade(1, {'present': False})
    assert fakes.machines_of(machines, 1)[0].calls[-1] == 'close'
    app.chassis.update_blade(1, {'present': True})
    assert fakes.machines_of(machines, 1)[1].calls == ['start']


def test_reset_and_close_stop_every_vm(vm):
    app, _clock, machines, launcher = vm
    app.chassis.reset()
    assert len(machines) == 4
    assert all(m.process.stopped for m in machines[:2])
    app.chassis.close()
    assert all(proc.stopped for proc in launcher.started)


def test_power_on_after_the_vm_process_died_starts_a_new_one(vm):
    app, _clock, machines, _launcher = vm
    (dead,) = fakes.machines_of(machines, 1)
    dead.process.stopped = True  # killed behind the emulator's back
    assert _state(app, 1) == 'OFF'
    base.op(app, 'SetBladeOn', bladeId=1)
    (_dead, new) = fakes.machines_of(machines, 1)
    assert new.calls == ['start', ('power_on', True)]
    assert _state(app, 1) == 'ON'


def test_a_failed_qmp_command_leaves_the_real_state(vm):
    app, _clock, machines, _launcher = vm
    (machine,) = fakes.machines_of(machines, 1)

    def broken(disk_first):
        raise qmp.QmpError('QMP connection closed')

    machine.power_on = broken
    reply = base.op(app, 'SetBladeOn', bladeId=1)
    assert reply.status_code == 200
    assert _state(app, 1) == 'OFF'
