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


"""A ``--cm-version 2.0`` emulator process over real HTTP.

Read with requests and ElementTree, not with the project's client. Times
are only checked from below (a 75 ms-per-byte Send cannot be faster).
"""

import base64
import time
import xml.etree.ElementTree as ET

import pytest
import requests

from msftocs_driver.emulator import runner
from tests.functional.emulator.conftest import PASSWORD

NS = '{http://schemas.datacontract.org/2004/07/Microsoft.GFS.WCS.Contracts}'
HOLDER, OTHER = 2, 9


@pytest.fixture(scope='module')
def v20_process():
    with runner.EmulatorProcess(password=PASSWORD, cm_version='2.0',
                                decompression_seconds=1) as process:
        yield process


@pytest.fixture
def v20(v20_process):
    v20_process.reset()
    return v20_process


def call(cm, operation, **params):
    reply = requests.get(cm.url + operation, params=params,
                         auth=('admin', PASSWORD), timeout=30)
    assert reply.status_code == 200, reply.text
    return ET.fromstring(reply.content)


def text(root, name):
    element = root.find(NS + name)
    return None if element is None else (element.text or '')


def code(root):
    return text(root, 'completionCode')


def start(cm, blade_id=HOLDER):
    root = call(cm, 'StartBladeSerialSession', bladeId=blade_id,
                sessionTimeoutInSecs=0)
    return code(root), text(root, 'serialSessionToken')


def test_version_and_limit_reply(v20):
    assert text(call(v20, 'GetServiceVersion'),
                'serviceVersion') == '2.0.1.3'
    limit = call(v20, 'GetBladePowerLimit', bladeId=1)
    assert limit.find(NS + 'isPowerLimitActive') is None
    assert v20.cm()['version'] == '2.0'


def test_power_sync_kills_the_console_and_the_counter_counts(v20):
    outcome, token = start(v20)
    assert outcome == 'Success'
    assert code(call(v20, 'GetPowerState', bladeId=OTHER)) == 'Success'
    assert v20.serial_sessions_killed() == 0
    # One power-sync style read of any blade kills the console.
    assert code(call(v20, 'GetBladeState', bladeId=OTHER)) == 'Success'
    assert v20.serial_sessions_killed() == 1
    assert v20.state()['sessions'] == 0
    receive = call(v20, 'ReceiveBladeSerialData', bladeId=HOLDER,
                   sessionToken=token)
    assert code(receive) == 'NoActiveSerialSession'


def test_one_console_per_chassis_then_idle_timeout_and_slow_send(v20):
    call(v20, 'SetBladeOn', bladeId=HOLDER)
    outcome, token = start(v20)
    assert outcome == 'Success'
    assert start(v20, OTHER)[0] == 'SerialSessionActive'
    # Drain the buffer; the idle answer is Timeout after the read timeout.
    while True:
        started = time.monotonic()
        reply = call(v20, 'ReceiveBladeSerialData', bladeId=HOLDER,
                     sessionToken=token)
        if code(reply) != 'Success':
            break
    assert code(reply) == 'Timeout'
    assert time.monotonic() - started >= 0.1
    data = b'echo hi\r'
    started = time.monotonic()
    sent = call(v20, 'SendBladeSerialData', bladeId=HOLDER,
                sessionToken=token, data=base64.b64encode(data).decode())
    assert code(sent) == 'Success'
    assert time.monotonic() - started >= 0.075 * len(data)
    empty = call(v20, 'SendBladeSerialData', bladeId=HOLDER,
                 sessionToken=token, data='')
    assert code(empty) == 'Failure'
    stopped = call(v20, 'StopBladeSerialSession', bladeId=OTHER,
                   sessionToken='', forceKill='true')
    assert code(stopped) == 'Success'
    again = call(v20, 'StopBladeSerialSession', bladeId=OTHER,
                 sessionToken='', forceKill='true')
    assert code(again) == 'NoActiveSerialSession'
    assert v20.serial_sessions_killed() == 0


def test_kill_off_refuses_blade_apis_and_keeps_the_console(v20):
    v20.cm(kill_serial_session=False)
    outcome, token = start(v20)
    assert outcome == 'Success'
    state = call(v20, 'GetBladeState', bladeId=OTHER)
    assert (code(state), text(state, 'statusDescription')) == (
        'SerialSessionActive', 'Device busy.Another serial session active.')
    assert code(call(v20, 'GetPowerState', bladeId=OTHER)) == 'Success'
    assert v20.state()['sessions'] == 1
    assert v20.serial_sessions_killed() == 0


def test_kill_off_from_the_command_line():
    with runner.EmulatorProcess(password=PASSWORD, cm_version='2.0',
                                kill_serial_session=False) as process:
        assert process.cm() == {
            'version': '2.0', 'service_version': '2.0.1.3',
            'kill_serial_session': False, 'serial_sessions_killed': 0}
        process.set_blade(3, switch_on=False)
        process.set_blade(3, switch_on=True)
        # 35 s of decompression by default on v2.0 (truncated seconds).
        assert int(text(call(process, 'GetPowerState', bladeId=3),
                        'Decompression')) in (33, 34)
