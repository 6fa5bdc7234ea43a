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

"""Replies byte for byte as the reference's example XML (reference 7)."""

import pytest

from tests.unit.emulator import base

ROOT = ('<%s xmlns="http://schemas.datacontract.org/2004/07/'
        'Microsoft.GFS.WCS.Contracts" '
        'xmlns:i="http://www.w3.org/2001/XMLSchema-instance">')


def envelope(code, description=''):
    status = ('<statusDescription>%s</statusDescription>' % description
              if description else '<statusDescription/>')
    return ('<completionCode>%s</completionCode><apiVersion>1</apiVersion>'
            '%s' % (code, status))


def reply(root, inner):
    return ((ROOT % root) + inner + '</%s>' % root).encode()


BLADE_OFF = {'slots': {'2': {'switch_on': False}}}
MACS = {'macs': {'3': ['00:15:5D:0A:1B:2C', None]}}


@pytest.mark.parametrize('config, operation, params, expected', [
    ({}, 'SetBladeOn', {'bladeId': 1}, reply(
        'BladeResponse',
        envelope('Success') + '<bladeNumber>1</bladeNumber>')),
    (BLADE_OFF, 'SetBladeOn', {'bladeId': 2}, reply(
        'BladeResponse', envelope('DevicePoweredOff', 'DevicePoweredOff')
        + '<bladeNumber>2</bladeNumber>')),
    ({}, 'SetBladeOn', {'bladeId': 25}, reply(
        'BladeResponse', envelope('ParameterOutOfRange', 'ParameterOutOfRange')
        + '<bladeNumber>25</bladeNumber>')),
    ({'empty_slots': [7]}, 'GetBladeState', {'bladeId': 7}, reply(
        'BladeStateResponse', envelope('Timeout', 'Timeout')
        + '<bladeNumber>7</bladeNumber><bladeState>NA</bladeState>')),
    ({}, 'GetNextBoot', {'bladeId': 1}, reply(
        'BootResponse', envelope('Success', 'Success')
        + '<bladeNumber>1</bladeNumber><nextBoot>NoOverride</nextBoot>')),
    ({}, 'SetNextBoot', {'bladeId': 1, 'bootType': 'ForcePxe'}, reply(
        'BootResponse', envelope('Success', 'Success')
        + '<bladeNumber>1</bladeNumber><nextBoot>ForcePxe</nextBoot>')),
    (MACS, 'GetBladeInfo', {'bladeId': 3}, reply(
        'BladeInfoResponse', envelope('Success')
        + '<bladeNumber>3</bladeNumber><bladeType>Server</bladeType>'
        '<serialNumber>EMU0303230103</serialNumber><assetTag/>'
        '<firmwareVersion>03.05.09</firmwareVersion>'
        '<hardwareVersion>C1030Q</hardwareVersion><macAddress>'
        '<NicInfo>' + envelope('Success') + '<deviceId>1</deviceId>'
        '<macAddress>00:15:5D:0A:1B:2C</macAddress></NicInfo>'
        '<NicInfo>' + envelope('Success', 'Not Present')
        + '<deviceId>2</deviceId><macAddress/></NicInfo></macAddress>')),
    ({}, 'GetServiceVersion', {}, reply(
        'ServiceVersionResponse', envelope('Success')
        + '<serviceVersion>2.5.0.0</serviceVersion>')),
    ({}, 'GetBladePowerLimit', {'bladeId': 1}, reply(
        'BladePowerLimitResponse', envelope('Success')
        + '<bladeNumber>1</bladeNumber>'
        '<isPowerLimitActive>false</isPowerLimitActive>'
        '<powerLimit>400</powerLimit>')),
    ({}, 'GetChassisAttentionLEDStatus', {}, reply(
        'LedStatusResponse',
        envelope('Success') + '<ledState>OFF</ledState>')),
    # The reference's base-envelope example names SetChassisAttentionLEDOn
    # too, but ChassisManager.cs v2.5 sets no statusDescription there.
    ({}, 'SetChassisAttentionLEDOn', {}, reply(
        'ChassisResponse', envelope('Success'))),
    ({}, 'StopBladeSerialSession', {'bladeId': 1, 'forceKill': 'true'}, reply(
        'ChassisResponse', envelope('Success', 'Success'))),
])
def test_reply_matches_the_reference_example(config, operation, params,
                                             expected):
    app, _ = base.make_app(config)
    assert base.op(app, operation, **params).body == expected


def test_start_serial_session_success_and_failure():
    app, _ = base.make_app()
    first = base.op(app, 'StartBladeSerialSession', bladeId=1)
    token = first.text('serialSessionToken')
    assert first.body == reply('StartSerialResponse', envelope('Success')
                               + '<serialSessionToken>%s</serialSessionToken>'
                               % token)
    assert base.op(app, 'StartBladeSerialSession', bladeId=1).body == reply(
        'StartSerialResponse', envelope('SerialSessionActive')
        + '<serialSessionToken i:nil="true"/>')


def test_receive_serial_data_with_nothing_buffered():
    app, _ = base.make_app()
    token = base.op(app, 'StartBladeSerialSession', bladeId=1).text(
        'serialSessionToken')
    assert base.op(app, 'ReceiveBladeSerialData', bladeId=1,
                   sessionToken=token).body == reply(
        'SerialDataResponse', envelope('Success', 'Success') + '<data/>')


def test_chassis_health_blade_shells_only():
    app, _ = base.make_app({'blades': 24})
    shells = ''.join(
        '<BladeShellResponse>' + envelope('Success')
        + '<bladeNumber>%d</bladeNumber><bladeType>Server</bladeType>'
        '<bladeState>ON</bladeState></BladeShellResponse>' % blade_id
        for blade_id in range(1, 25))
    assert base.op(app, 'GetChassisHealth', bladeHealth='true').body == reply(
        'ChassisHealthResponse', envelope('Success')
        + '<bladeShellCollection>' + shells + '</bladeShellCollection>'
        '<fanInfoCollection/><psuInfoCollection/><batteryInfoCollection/>')
