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

"""The emulator's error matrix over real HTTP, read with a plain XML parser.

These tests talk to a running emulator with ``requests`` and the standard
library's ElementTree, not with the project's client, so that the client and
the emulator cannot agree on a mistake. Each row is one situation of the API
reference (sections 6, 8.2 and 9) and the completion code it must produce.
"""

import base64
import time
import xml.etree.ElementTree as ET

import pytest
import requests

from tests.functional.emulator.conftest import PASSWORD

NS = '{http://schemas.datacontract.org/2004/07/Microsoft.GFS.WCS.Contracts}'
EMPTY, JBOD, HARD_OFF, DECOMPRESSING, SERVER = 2, 3, 4, 5, 6


@pytest.fixture
def chassis(emulator):
    """Blades in every situation of the matrix, on a fresh chassis."""
    cm = emulator
    cm.set_blade(EMPTY, present=False)
    cm.set_blade(JBOD, type='Jbod')
    cm.set_blade(HARD_OFF, switch_on=False)
    cm.set_blade(DECOMPRESSING, switch_on=False, decompression_seconds=600)
    call(cm, 'SetPowerOn', bladeId=DECOMPRESSING)
    return cm


def call(cm, operation, **params):
    """Run one operation; return the parsed reply root."""
    reply = requests.get(cm.url + operation, params=params,
                         auth=('admin', PASSWORD), timeout=30)
    assert reply.status_code == 200, reply.text
    assert reply.headers['Cache-Control'] == 'no-cache'
    return ET.fromstring(reply.content)


def code(root):
    return root.find(NS + 'completionCode').text


def text(root, name):
    return root.find(NS + name).text


@pytest.mark.parametrize('operation,params,expected', [
    # Section 9: ids out of range; bladeNumber echoes the bad id.
    ('GetBladeState', {'bladeId': 25}, 'ParameterOutOfRange'),
    ('SetBladeOn', {'bladeId': 0}, 'ParameterOutOfRange'),
    ('GetBladeState', {}, 'ParameterOutOfRange'),
    # Section 6.1: a hard-off blade is DevicePoweredOff, not OFF.
    ('GetBladeState', {'bladeId': HARD_OFF}, 'DevicePoweredOff'),
    ('SetBladeOn', {'bladeId': HARD_OFF}, 'DevicePoweredOff'),
    ('GetNextBoot', {'bladeId': HARD_OFF}, 'DevicePoweredOff'),
    # ... but the Blade_EN calls work on it.
    ('GetPowerState', {'bladeId': HARD_OFF}, 'Success'),
    # Just switched on: the BMC firmware decompresses.
    ('GetBladeState', {'bladeId': DECOMPRESSING}, 'FirmwareDecompressing'),
    ('SetNextBoot', {'bladeId': DECOMPRESSING, 'bootType': 'ForcePxe'},
     'FirmwareDecompressing'),
    # Empty slot: BMC calls time out, Blade_EN calls succeed.
    ('GetBladeState', {'bladeId': EMPTY}, 'Timeout'),
    ('GetBladeInfo', {'bladeId': EMPTY}, 'Timeout'),
    ('GetPowerState', {'bladeId': EMPTY}, 'Success'),
    ('StartBladeSerialSession', {'bladeId': EMPTY}, 'Failure'),
    # ... except those that check the IPMI result themselves: Failure.
    ('SetBladeOn', {'bladeId': EMPTY}, 'Failure'),
    ('SetBladeOff', {'bladeId': EMPTY}, 'Failure'),
    ('SetBladeActivePowerCycle', {'bladeId': EMPTY, 'offTime': 0},
     'Failure'),
    ('SetBladeAttentionLEDOn', {'bladeId': EMPTY}, 'Failure'),
    ('GetBladePowerReading', {'bladeId': EMPTY}, 'Failure'),
    ('GetBladePowerLimit', {'bladeId': EMPTY}, 'Failure'),
    ('SetBladePowerLimitOn', {'bladeId': EMPTY}, 'Failure'),
    ('GetBladeHealth', {'bladeId': EMPTY}, 'Timeout'),
    # JBOD: no host power, boot or LED; inventory and Blade_EN allowed.
    ('SetBladeOn', {'bladeId': JBOD}, 'CommandNotValidForBlade'),
    ('GetBladeState', {'bladeId': JBOD}, 'CommandNotValidForBlade'),
    ('GetNextBoot', {'bladeId': JBOD}, 'CommandNotValidForBlade'),
    ('GetBladeInfo', {'bladeId': JBOD}, 'Success'),
    ('SetPowerOff', {'bladeId': JBOD}, 'Success'),
    # Value ranges.
    ('SetBladeActivePowerCycle', {'bladeId': SERVER, 'offTime': 256},
     'ParameterOutOfRange'),
    ('SetBladePowerLimit', {'bladeId': SERVER, 'powerLimitInWatts': 119},
     'ParameterOutOfRange'),
    ('SetBladePowerLimit', {'bladeId': SERVER, 'powerLimitInWatts': 1001},
     'ParameterOutOfRange'),
    ('SetNextBoot', {'bladeId': SERVER, 'bootType': 'Unknown'},
     'ParameterOutOfRange'),
    ('StartBladeSerialSession',
     {'bladeId': SERVER, 'sessionTimeoutInSecs': 3601},
     'ParameterOutOfRange'),
    # No session yet.
    ('SendBladeSerialData',
     {'bladeId': SERVER, 'sessionToken': '00-00', 'data': ''},
     'NoActiveSerialSession'),
    ('StopBladeSerialSession', {'bladeId': SERVER, 'sessionToken': '00-00'},
     'NoActiveSerialSession'),
    ('StopBladeSerialSession',
     {'bladeId': SERVER, 'sessionToken': '00-00', 'forceKill': 'true'},
     'Success'),
])
def test_completion_code(chassis, operation, params, expected):
    root = call(chassis, operation, **params)
    assert code(root) == expected
    number = root.find(NS + 'bladeNumber')
    if number is not None and 'bladeId' in params:
        assert number.text == str(params['bladeId'])


def test_corrected_descriptions_and_empty_elements(chassis):
    """Descriptions and elements as ChassisManager.cs v2.5 sets them."""
    health = call(chassis, 'GetBladeHealth', bladeId=EMPTY)
    assert text(health, 'statusDescription') is None  # empty element
    power = call(chassis, 'SetBladeOn', bladeId=EMPTY)
    assert text(power, 'statusDescription') == 'Failure'
    led = call(chassis, 'SetChassisAttentionLEDOn')
    assert (code(led), text(led, 'statusDescription')) == ('Success', None)
    receive = requests.get(
        chassis.url + 'ReceiveBladeSerialData',
        params={'bladeId': SERVER, 'sessionToken': '00-00'},
        auth=('admin', PASSWORD), timeout=30)
    assert b'<data/>' in receive.content
    jbod = call(chassis, 'GetBladeInfo', bladeId=JBOD)
    nics = jbod.find(NS + 'macAddress')
    assert [code(nic) for nic in nics] == ['Failure', 'Failure']
    info = call(chassis, 'GetChassisInfo')
    uptime = text(info.find(NS + 'chassisController'), 'systemUptime')
    assert len(uptime.rpartition('.')[2]) == 7  # 100 ns ticks
    for entry in info.find(NS + 'bladeCollections'):
        if text(entry, 'bladeNumber') == str(EMPTY):
            (nic,) = entry.find(NS + 'bladeMacAddress')
            assert (code(nic), text(nic, 'deviceId')) == ('Timeout', '0')


def test_decompression_time_is_reported(chassis):
    root = call(chassis, 'GetBladeState', bladeId=DECOMPRESSING)
    assert text(root, 'statusDescription').startswith(
        'Decompression Time Remaining ')
    assert text(root, 'bladeState') == 'NA'
    power = call(chassis, 'GetPowerState', bladeId=DECOMPRESSING)
    assert text(power, 'powerState') == 'OnFwDecompress'
    assert int(text(power, 'Decompression')) > 0


@pytest.mark.parametrize('query', [
    'GetBladeState?bladeId=abc',
    'SetNextBoot?bladeId=1&bootType=ForcePxe&uefi=1',
    'SetBladeActivePowerCycle?bladeId=1&offTime=-1',
])
def test_unparsable_values_get_an_html_400(chassis, query):
    reply = requests.get(chassis.url + query, auth=('admin', PASSWORD),
                         timeout=30)
    assert reply.status_code == 400
    assert reply.headers['Content-Type'].startswith('text/html')


def test_names_are_case_insensitive(chassis):
    reply = requests.get(chassis.url + 'getbladestate?BLADEID=%d' % SERVER,
                         auth=('admin', PASSWORD), timeout=30)
    assert code(ET.fromstring(reply.content)) == 'Success'


def test_serial_session_table_and_console_round_trip(chassis):
    call(chassis, 'SetBladeOn', bladeId=SERVER)
    start = call(chassis, 'StartBladeSerialSession', bladeId=SERVER,
                 sessionTimeoutInSecs=60)
    assert code(start) == 'Success'
    token = text(start, 'serialSessionToken')
    assert len(token) == 23 and token.count('-') == 7
    # One session per blade, whoever asks.
    again = call(chassis, 'StartBladeSerialSession', bladeId=SERVER)
    assert code(again) == 'SerialSessionActive'
    # A wrong token is refused.
    wrong = call(chassis, 'SendBladeSerialData', bladeId=SERVER,
                 sessionToken='01-02-03-04-05-06-07-08', data='')
    assert code(wrong) == 'SerialSessionActive'
    # Raw bytes travel base64-encoded; '+' must survive the query string.
    typed = b'\xfb\xefroot\r\n'
    assert b'+' in base64.b64encode(typed)
    sent = call(chassis, 'SendBladeSerialData', bladeId=SERVER,
                sessionToken=token, data=base64.b64encode(typed).decode())
    assert code(sent) == 'Success'
    output = b''
    deadline = time.monotonic() + 10
    while b'login:' not in output.split(b'root')[-1]:
        assert time.monotonic() < deadline, output
        got = call(chassis, 'ReceiveBladeSerialData', bladeId=SERVER,
                   sessionToken=token)
        assert code(got) == 'Success'
        output += base64.b64decode(text(got, 'data') or '')
        time.sleep(0.05)
    assert typed.rstrip(b'\r\n') in output
    stopped = call(chassis, 'StopBladeSerialSession', bladeId=SERVER,
                   sessionToken=token)
    assert code(stopped) == 'Success'
    assert chassis.blade(SERVER)['serial_session'] is False


def test_at_most_twelve_serial_sessions(chassis):
    blades = list(range(7, 20))
    results = [code(call(chassis, 'StartBladeSerialSession', bladeId=b))
               for b in blades]
    assert results == ['Success'] * 12 + ['MaxSerialSessionReached']
