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


"""Completion codes as ChassisManager.cs sets them, in both CM versions."""

import pytest

from tests.unit.emulator import base
from tests.unit.emulator import test_serial as serial

EMPTY, JBOD = 7, 12
VERSIONS = ['2.5', '2.0']


@pytest.fixture(params=VERSIONS)
def app(request):
    return base.make_app({'empty_slots': [EMPTY], 'jbod_slots': [JBOD]},
                         cm_version=request.param)[0]


def status(reply):
    return reply.text('completionCode'), reply.text('statusDescription')


@pytest.mark.parametrize('operation,params', [
    ('SetBladeOn', {}), ('SetBladeOff', {}),
    ('SetBladeActivePowerCycle', {'offTime': 0}),
    ('SetBladeAttentionLEDOn', {}), ('SetBladeAttentionLEDOff', {}),
    ('GetBladePowerReading', {}), ('GetBladePowerLimit', {}),
    ('SetBladePowerLimit', {'powerLimitInWatts': 300}),
    ('SetBladePowerLimitOn', {}), ('SetBladePowerLimitOff', {})])
def test_unreachable_bmc_is_failure_for_calls_checking_ipmi(
        app, operation, params):
    reply = base.op(app, operation, bladeId=EMPTY, **params)
    assert status(reply) == ('Failure', 'Failure')


@pytest.mark.parametrize('operation', ['GetBladeState', 'GetBladeInfo',
                                       'GetNextBoot'])
def test_unreachable_bmc_is_still_timeout_for_reads(app, operation):
    reply = base.op(app, operation, bladeId=EMPTY)
    assert status(reply) == ('Timeout', 'Timeout')


def test_blade_health_timeout_has_an_empty_description(app):
    reply = base.op(app, 'GetBladeHealth', bladeId=EMPTY)
    assert status(reply) == ('Timeout', '')
    assert b'<statusDescription/>' in reply.body


@pytest.mark.parametrize('operation', ['SetChassisAttentionLEDOn',
                                       'SetChassisAttentionLEDOff'])
def test_chassis_led_success_has_an_empty_description(app, operation):
    reply = base.op(app, operation)
    assert status(reply) == ('Success', '')
    assert b'<statusDescription/>' in reply.body


def test_failed_receive_carries_empty_data(app):
    reply, _data = serial.receive(app, 'no-such-token', 1)
    assert reply.text('completionCode') == 'NoActiveSerialSession'
    assert b'<data/>' in reply.body
    assert b'i:nil' not in reply.body


def test_chassis_info_failing_blade_has_one_nic_entry(app):
    reply = base.op(app, 'GetChassisInfo', bladeInfo='true')
    blades = reply.xml.find(base.NS + 'bladeCollections')
    by_number = {int(b.find(base.NS + 'bladeNumber').text): b
                 for b in blades}
    for blade_id, expected in ((EMPTY, 'Timeout'),
                               (JBOD, 'CommandNotValidForBlade')):
        nics = by_number[blade_id].find(base.NS + 'bladeMacAddress')
        assert len(nics) == 1
        (nic,) = nics
        assert nic.find(base.NS + 'completionCode').text == expected
        assert nic.find(base.NS + 'deviceId').text == '0'
        assert (nic.find(base.NS + 'macAddress').text or '') == ''
    nics = by_number[1].find(base.NS + 'bladeMacAddress')
    assert [nic.find(base.NS + 'deviceId').text for nic in nics] == ['1', '2']


def test_chassis_info_uptime_has_fractional_seconds():
    app, clock = base.make_app()
    clock.advance(3725.25)
    reply = base.op(app, 'GetChassisInfo', chassisControllerInfo='true')
    controller = reply.xml.find(base.NS + 'chassisController')
    assert controller.find(base.NS + 'systemUptime').text == (
        '01:02:05.2500000')
    clock.advance(86400 - 0.25)
    reply = base.op(app, 'GetChassisInfo', chassisControllerInfo='true')
    controller = reply.xml.find(base.NS + 'chassisController')
    assert controller.find(base.NS + 'systemUptime').text == '1.01:02:05'


def test_blade_info_on_a_jbod_lists_nic_entries_with_errors(app):
    reply = base.op(app, 'GetBladeInfo', bladeId=JBOD)
    assert reply.text('completionCode') == 'Success'
    assert reply.text('bladeType') == 'Jbod'
    nics = reply.xml.find(base.NS + 'macAddress')
    assert [(nic.find(base.NS + 'deviceId').text,
             nic.find(base.NS + 'completionCode').text) for nic in nics] == [
        ('1', 'Failure'), ('2', 'Failure')]


@pytest.mark.parametrize('version,left', [('2.5', '27'), ('2.0', '34')])
def test_decompression_seconds_are_truncated(version, left):
    app, clock = base.make_app(cm_version=version)
    base.op(app, 'SetPowerOff', bladeId=3)
    base.op(app, 'SetPowerOn', bladeId=3)
    clock.advance(0.5)
    power = base.op(app, 'GetPowerState', bladeId=3)
    assert power.text('Decompression') == left
    reply = base.op(app, 'GetBladeState', bladeId=3)
    assert status(reply) == ('FirmwareDecompressing',
                             'Decompression Time Remaining %s' % left)
