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


"""Power operations: the Blade_EN switch and host power."""

import pytest

from tests.unit.emulator import base

HEAD = ('<{root} xmlns="http://schemas.datacontract.org/2004/07/'
        'Microsoft.GFS.WCS.Contracts" '
        'xmlns:i="http://www.w3.org/2001/XMLSchema-instance">')


def xml(root, inner):
    return (HEAD.format(root=root) + inner + '</%s>' % root).encode()


def test_get_blade_state_exact_reply(app):
    reply = base.op(app, 'GetBladeState', bladeId=3)
    assert reply.status_code == 200
    assert reply.headers['Content-Type'] == 'application/xml; charset=utf-8'
    assert reply.headers['Cache-Control'] == 'no-cache'
    assert reply.body == xml(
        'BladeStateResponse',
        '<completionCode>Success</completionCode><apiVersion>1</apiVersion>'
        '<statusDescription/><bladeNumber>3</bladeNumber>'
        '<bladeState>OFF</bladeState>')


def test_get_power_state_exact_reply(app):
    reply = base.op(app, 'GetPowerState', bladeId=1)
    assert reply.body == xml(
        'PowerStateResponse',
        '<completionCode>Success</completionCode><apiVersion>1</apiVersion>'
        '<statusDescription>Blade Power is On, firmware decompressed'
        '</statusDescription><bladeNumber>1</bladeNumber>'
        '<Decompression>0</Decompression><powerState>ON</powerState>')


@pytest.mark.parametrize('operation', [
    'GetBladeState', 'SetBladeOn', 'SetBladeOff', 'SetBladeActivePowerCycle',
    'GetPowerState', 'SetPowerOn', 'SetPowerOff'])
@pytest.mark.parametrize('blade_id', [0, 25, -1])
def test_out_of_range_echoes_the_id(app, operation, blade_id):
    reply = base.op(app, operation, bladeId=blade_id)
    assert reply.text('completionCode') == 'ParameterOutOfRange'
    assert reply.text('statusDescription') == 'ParameterOutOfRange'
    assert reply.text('bladeNumber') == str(blade_id)


def test_missing_blade_id_is_zero_and_out_of_range(app):
    reply = base.call(app, '/GetBladeState')
    assert reply.text('completionCode') == 'ParameterOutOfRange'
    assert reply.text('bladeNumber') == '0'


def test_hard_off_then_decompressing_then_on(app, clock):
    assert base.op(app, 'SetPowerOff', bladeId=2).text(
        'completionCode') == 'Success'
    reply = base.op(app, 'GetBladeState', bladeId=2)
    assert reply.children()[-1] == 'bladeState'
    assert (reply.text('completionCode'), reply.text('statusDescription'),
            reply.text('bladeState')) == (
        'DevicePoweredOff', 'DevicePoweredOff', 'NA')
    power = base.op(app, 'GetPowerState', bladeId=2)
    assert (power.text('powerState'), power.text('statusDescription')) == (
        'OFF', 'Blade power is Off')

    base.op(app, 'SetPowerOn', bladeId=2)
    clock.advance(7.5)
    reply = base.op(app, 'GetBladeState', bladeId=2)
    assert (reply.text('completionCode'), reply.text('statusDescription'),
            reply.text('bladeState')) == (
        'FirmwareDecompressing', 'Decompression Time Remaining 20', 'NA')
    # 20.5 s left: the CM truncates the seconds.
    power = base.op(app, 'GetPowerState', bladeId=2)
    assert power.text('powerState') == 'OnFwDecompress'
    assert power.text('Decompression') == '20'
    assert power.text('statusDescription') == (
        'Blade On.  Firmware Decompression Time Remaining: 20')
    assert base.op(app, 'SetBladeOn', bladeId=2).text(
        'completionCode') == 'FirmwareDecompressing'

    clock.advance(20.5)
    assert base.op(app, 'GetBladeState', bladeId=2).text(
        'bladeState') == 'OFF'
    assert base.op(app, 'SetBladeOn', bladeId=2).text(
        'completionCode') == 'Success'
    assert base.op(app, 'GetBladeState', bladeId=2).text('bladeState') == 'ON'


def test_set_power_on_is_a_no_op_when_already_on(app):
    base.op(app, 'SetBladeOn', bladeId=1)
    assert base.op(app, 'SetPowerOn', bladeId=1).text(
        'completionCode') == 'Success'
    assert base.op(app, 'GetBladeState', bladeId=1).text('bladeState') == 'ON'


def test_set_power_off_cuts_the_host(app):
    base.op(app, 'SetBladeOn', bladeId=1)
    base.op(app, 'SetPowerOff', bladeId=1)
    base.op(app, 'SetPowerOn', bladeId=1)
    state = app.chassis.to_dict()['blades']['1']
    assert (state['host_on'], state['decompressing']) == (False, True)


def test_empty_slot_times_out_but_switch_works():
    app, _ = base.make_app({'empty_slots': [7]})
    reply = base.op(app, 'GetBladeState', bladeId=7)
    assert (reply.text('completionCode'), reply.text('statusDescription'),
            reply.text('bladeState')) == ('Timeout', 'Timeout', 'NA')
    # SetBladeOn checks the IPMI result itself: Failure, not Timeout.
    reply = base.op(app, 'SetBladeOn', bladeId=7)
    assert (reply.text('completionCode'),
            reply.text('statusDescription')) == ('Failure', 'Failure')
    assert base.op(app, 'GetPowerState', bladeId=7).text(
        'powerState') == 'ON'
    assert base.op(app, 'SetPowerOff', bladeId=7).text(
        'completionCode') == 'Success'


@pytest.mark.parametrize('config, operation, params', [
    ({}, 'SetBladeActivePowerCycle', {'offTime': 10}),
    ({'defaults': {'power_restore_on': True}}, 'SetPowerOn', {}),
])
def test_a_pulled_blade_does_not_boot_later(config, operation, params):
    app, clock = base.make_app(config)
    base.op(app, 'SetBladeOn', bladeId=5)
    base.op(app, 'SetPowerOff', bladeId=6)
    blade_id = 5 if operation == 'SetBladeActivePowerCycle' else 6
    assert base.op(app, operation, bladeId=blade_id, **params).text(
        'completionCode') == 'Success'
    app.chassis.update_blade(blade_id, {'present': False})
    clock.advance(60)
    assert app.chassis.blade_dict(blade_id)['host_on'] is False
    assert base.op(app, 'GetBladeState', bladeId=blade_id).text(
        'completionCode') == 'Timeout'


@pytest.mark.parametrize('operation', [
    'GetBladeState', 'SetBladeOn', 'SetBladeOff', 'SetBladeActivePowerCycle'])
def test_jbod_rejects_host_power_calls(operation):
    app, _ = base.make_app({'jbod_slots': [4]})
    reply = base.op(app, operation, bladeId=4)
    assert reply.text('completionCode') == 'CommandNotValidForBlade'


def test_set_power_off_forgets_the_cached_jbod_type():
    app, clock = base.make_app({'jbod_slots': [4, 5],
                                'slots': {'5': {'switch_on': False}}})
    # A known JBOD is refused before its power is even looked at...
    assert base.op(app, 'GetBladeState', bladeId=4).text(
        'completionCode') == 'CommandNotValidForBlade'
    # ...but SetPowerOff clears the cached type: Unknown is allowed all.
    assert base.op(app, 'SetPowerOff', bladeId=4).text(
        'completionCode') == 'Success'
    for blade_id in (4, 5):
        assert base.op(app, 'GetBladeState', bladeId=blade_id).text(
            'completionCode') == 'DevicePoweredOff'
        base.op(app, 'SetPowerOn', bladeId=blade_id)
        assert base.op(app, 'GetBladeState', bladeId=blade_id).text(
            'completionCode') == 'FirmwareDecompressing'
    clock.advance(28)
    for blade_id in (4, 5):
        assert base.op(app, 'GetBladeState', bladeId=blade_id).text(
            'completionCode') == 'CommandNotValidForBlade'


def test_power_cycle_turns_an_off_host_on_and_waits_off_time(app, clock):
    assert base.op(app, 'SetBladeActivePowerCycle', bladeId=5).text(
        'completionCode') == 'Success'
    assert base.op(app, 'GetBladeState', bladeId=5).text('bladeState') == 'ON'
    base.op(app, 'SetBladeActivePowerCycle', bladeId=5, offTime=10)
    assert base.op(app, 'GetBladeState', bladeId=5).text(
        'bladeState') == 'OFF'
    clock.advance(10)
    assert base.op(app, 'GetBladeState', bladeId=5).text('bladeState') == 'ON'


def test_power_cycle_powers_an_off_host_on_at_once_whatever_off_time(
        app, clock):
    # The BMC refuses to cycle a host that is off and the CM powers it on
    # instead: the off time of a cycle does not apply.
    assert base.op(app, 'GetBladeState', bladeId=5).text(
        'bladeState') == 'OFF'
    assert base.op(app, 'SetBladeActivePowerCycle', bladeId=5,
                   offTime=30).text('completionCode') == 'Success'
    assert base.op(app, 'GetBladeState', bladeId=5).text('bladeState') == 'ON'


@pytest.mark.parametrize('operation, params', [
    ('SetBladeActivePowerCycle', {'offTime': 256}),
    ('SetBladePowerLimit', {'powerLimitInWatts': 50}),
])
def test_range_checks_come_before_the_bmc_exchange(operation, params):
    # ValidateRequest, then the range check, then IPMI: an empty slot says
    # ParameterOutOfRange (not Timeout) and the bus is not used.
    app, clock = base.make_app({'empty_slots': [2]}, bus_cost=0.5)
    reply = base.op(app, operation, bladeId=2, **params)
    assert (reply.text('completionCode'), reply.text('statusDescription'),
            reply.text('bladeNumber')) == (
        'ParameterOutOfRange', 'ParameterOutOfRange', '2')
    assert clock.slept == []
    # ValidateRequest still comes first.
    base.op(app, 'SetPowerOff', bladeId=2)
    assert base.op(app, operation, bladeId=2, **params).text(
        'completionCode') == 'DevicePoweredOff'


def test_power_cycle_off_time_limits(app):
    assert base.op(app, 'SetBladeActivePowerCycle', bladeId=1,
                   offTime=255).text('completionCode') == 'Success'
    reply = base.op(app, 'SetBladeActivePowerCycle', bladeId=1, offTime=256)
    assert reply.text('completionCode') == 'ParameterOutOfRange'
    # offTime is a uint: a negative value does not even parse.
    assert base.op(app, 'SetBladeActivePowerCycle', bladeId=1,
                   offTime=-1).status_code == 400


def test_all_blades_state_has_one_entry_per_slot_and_per_blade_errors():
    app, _ = base.make_app({'empty_slots': [2], 'jbod_slots': [3],
                            'slots': {'4': {'switch_on': False}}})
    reply = base.op(app, 'GetAllBladesState')
    assert reply.children() == ['completionCode', 'apiVersion',
                                'statusDescription',
                                'bladeStateResponseCollection']
    assert reply.text('statusDescription') == 'Fetched result successfully'
    entries = list(reply.xml.find(base.NS + 'bladeStateResponseCollection'))
    assert len(entries) == 24
    assert reply.children(entries[0]) == [
        'completionCode', 'apiVersion', 'statusDescription', 'bladeNumber',
        'bladeState']
    codes = [e.find(base.NS + 'completionCode').text for e in entries[:5]]
    assert codes == ['Success', 'Timeout', 'CommandNotValidForBlade',
                     'DevicePoweredOff', 'Success']


def test_all_aggregate_fails_when_no_blade_succeeds():
    app, _ = base.make_app({'defaults': {'switch_on': False}})
    reply = base.op(app, 'GetAllBladesState')
    assert (reply.text('completionCode'), reply.text('statusDescription')) == (
        'Failure', 'Failure in fetching result')


def test_all_power_state_and_all_power_on():
    app, _ = base.make_app({'defaults': {'switch_on': False}})
    reply = base.op(app, 'SetAllPowerOn')
    assert reply.children()[-1] == 'bladeResponseCollection'
    states = base.op(app, 'GetAllPowerState')
    entries = list(states.xml.find(base.NS + 'powerStateResponseCollection'))
    assert len(entries) == 24
    assert {e.find(base.NS + 'powerState').text for e in entries} == {
        'OnFwDecompress'}


def test_power_restore_policy_boots_the_host_after_decompression():
    app, clock = base.make_app({'defaults': {'switch_on': False,
                                             'power_restore_on': True}})
    base.op(app, 'SetPowerOn', bladeId=1)
    clock.advance(28)
    assert base.op(app, 'GetBladeState', bladeId=1).text('bladeState') == 'ON'


def test_set_power_off_waits_like_the_cm():
    app, clock = base.make_app(power_off_wait=0.1)
    base.op(app, 'SetPowerOff', bladeId=1)
    assert clock.slept == [0.1]


def test_default_power_state_policy():
    app, clock = base.make_app({'jbod_slots': [2]})
    reply = base.op(app, 'GetBladeDefaultPowerState', bladeId=1)
    assert (reply.xml.tag.endswith('BladeStateResponse'),
            reply.text('bladeState')) == (True, 'OFF')
    assert base.op(app, 'SetBladeDefaultPowerStateOn', bladeId=1).text(
        'completionCode') == 'Success'
    assert base.op(app, 'SetBladeDefaultPowerStateOn', bladeId=2).text(
        'completionCode') == 'Success'
    base.op(app, 'SetPowerOff', bladeId=1)
    base.op(app, 'SetPowerOn', bladeId=1)
    clock.advance(28)
    assert base.op(app, 'GetBladeState', bladeId=1).text('bladeState') == 'ON'
    reply = base.op(app, 'GetAllBladesDefaultPowerState')
    entries = reply.xml.find(base.NS + 'bladeStateResponseCollection')
    assert [e.find(base.NS + 'bladeState').text for e in entries][:3] == [
        'ON', 'ON', 'OFF']
    base.op(app, 'SetAllBladesDefaultPowerStateOff')
    assert base.op(app, 'GetBladeDefaultPowerState', bladeId=1).text(
        'bladeState') == 'OFF'
