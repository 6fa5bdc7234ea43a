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


"""Boot override, LEDs and power capping operations."""

import pytest

from tests.unit.emulator import base


def state(app, blade_id):
    return app.chassis.to_dict()['blades'][str(blade_id)]


def test_next_boot_defaults_and_reply_order(app):
    reply = base.op(app, 'GetNextBoot', bladeId=1)
    assert reply.children() == ['completionCode', 'apiVersion',
                                'statusDescription', 'bladeNumber',
                                'nextBoot']
    assert (reply.text('statusDescription'), reply.text('nextBoot')) == (
        'Success', 'NoOverride')


@pytest.mark.parametrize('boot_type', ['ForcePxe', 'forcepxe', '2', ' 2'])
def test_set_next_boot_by_name_or_number(app, boot_type):
    reply = base.op(app, 'SetNextBoot', bladeId=1, bootType=boot_type,
                    uefi='True', persistent='false')
    assert (reply.text('completionCode'), reply.text('statusDescription'),
            reply.text('nextBoot')) == ('Success', 'Success', 'ForcePxe')
    assert state(app, 1)['next_boot_uefi'] is True
    assert base.op(app, 'GetNextBoot', bladeId=1).text(
        'nextBoot') == 'ForcePxe'


def test_set_next_boot_unknown_and_undefined(app):
    reply = base.op(app, 'SetNextBoot', bladeId=1, bootType='Unknown')
    assert (reply.text('completionCode'), reply.text('statusDescription')) == (
        'ParameterOutOfRange', 'ParameterOutOfRange Cannot be set to Unknown.')
    reply = base.op(app, 'SetNextBoot', bladeId=1, bootType='9')
    assert reply.text('completionCode') == 'Failure'
    assert base.op(app, 'SetNextBoot', bladeId=1,
                   bootType='Floppy').status_code == 400


def test_one_shot_override_is_consumed_by_the_next_boot(app):
    base.op(app, 'SetNextBoot', bladeId=1, bootType='ForcePxe')
    base.op(app, 'SetBladeOff', bladeId=1)
    assert state(app, 1)['next_boot'] == 'ForcePxe'
    base.op(app, 'SetBladeOn', bladeId=1)
    assert state(app, 1)['next_boot'] == 'NoOverride'


def test_persistent_override_survives_boots(app):
    base.op(app, 'SetNextBoot', bladeId=1, bootType='ForceDefaultHdd',
            persistent='true')
    base.op(app, 'SetBladeActivePowerCycle', bladeId=1)
    assert base.op(app, 'GetNextBoot', bladeId=1).text(
        'nextBoot') == 'ForceDefaultHdd'
    base.op(app, 'SetNextBoot', bladeId=1, bootType='NoOverride')
    assert state(app, 1)['next_boot_persistent'] is False


def test_next_boot_on_a_hard_off_blade(app):
    base.op(app, 'SetPowerOff', bladeId=1)
    reply = base.op(app, 'SetNextBoot', bladeId=1, bootType='ForcePxe')
    assert (reply.text('completionCode'), reply.text('nextBoot')) == (
        'DevicePoweredOff', 'Unknown')


def test_blade_and_chassis_leds(app):
    assert base.op(app, 'SetBladeAttentionLEDOn', bladeId=2).text(
        'completionCode') == 'Success'
    assert state(app, 2)['led_on'] is True
    base.op(app, 'SetBladeAttentionLEDOff', bladeId=2)
    assert state(app, 2)['led_on'] is False

    reply = base.op(app, 'GetChassisAttentionLEDStatus')
    assert reply.children()[-1] == 'ledState'
    assert reply.text('ledState') == 'OFF'
    assert base.op(app, 'SetChassisAttentionLEDOn').xml.tag.endswith(
        'ChassisResponse')
    assert base.op(app, 'GetChassisAttentionLEDStatus').text(
        'ledState') == 'ON'


def test_power_reading_depends_on_host_and_limit(app):
    reply = base.op(app, 'GetBladePowerReading', bladeId=1)
    assert reply.children()[-1] == 'powerReading'
    assert reply.text('powerReading') == '12'
    base.op(app, 'SetBladeOn', bladeId=1)
    assert base.op(app, 'GetBladePowerReading', bladeId=1).text(
        'powerReading') == '187.5'
    base.op(app, 'SetBladePowerLimit', bladeId=1, powerLimitInWatts='150.5')
    base.op(app, 'SetBladePowerLimitOn', bladeId=1)
    assert base.op(app, 'GetBladePowerReading', bladeId=1).text(
        'powerReading') == '150.5'


def test_power_limit_reply_order_and_range(app):
    reply = base.op(app, 'GetBladePowerLimit', bladeId=3)
    assert reply.children()[-2:] == ['isPowerLimitActive', 'powerLimit']
    assert (reply.text('isPowerLimitActive'), reply.text('powerLimit')) == (
        'false', '400')
    for watts in ('119.9', '1000.1', 'NaN'):
        assert base.op(app, 'SetBladePowerLimit', bladeId=3,
                       powerLimitInWatts=watts).text(
            'completionCode') == 'ParameterOutOfRange'
    for watts in ('120', '1000'):
        assert base.op(app, 'SetBladePowerLimit', bladeId=3,
                       powerLimitInWatts=watts).text(
            'completionCode') == 'Success'
    base.op(app, 'SetBladePowerLimitOn', bladeId=3)
    assert base.op(app, 'GetBladePowerLimit', bladeId=3).text(
        'isPowerLimitActive') == 'true'


def test_power_capping_errors():
    app, _ = base.make_app({'empty_slots': [1], 'jbod_slots': [2]})
    reading = base.op(app, 'GetBladePowerReading', bladeId=1)
    assert (reading.text('completionCode'), reading.text('statusDescription'),
            reading.text('powerReading')) == ('Failure', 'Failure', '-1')
    limit = base.op(app, 'GetBladePowerLimit', bladeId=2)
    assert (limit.text('completionCode'), limit.text('powerLimit')) == (
        'CommandNotValidForBlade', '-1')
    all_readings = base.op(app, 'GetAllBladesPowerReading')
    entries = all_readings.xml.find(base.NS + 'bladePowerReadingCollection')
    assert len(entries) == 24


def test_set_next_boot_unknown_is_refused_before_the_bmc_exchange():
    app, clock = base.make_app({'empty_slots': [2]}, bus_cost=0.5)
    reply = base.op(app, 'SetNextBoot', bladeId=2, bootType='Unknown')
    assert (reply.text('completionCode'), reply.text('statusDescription'),
            reply.text('nextBoot')) == (
        'ParameterOutOfRange', 'ParameterOutOfRange Cannot be set to Unknown.',
        'Unknown')
    assert clock.slept == []
    # An undefined number does reach the BMC: the empty slot times out.
    assert base.op(app, 'SetNextBoot', bladeId=2, bootType=9).text(
        'completionCode') == 'Timeout'
    assert clock.slept == [0.5]
