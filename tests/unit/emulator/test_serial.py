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


"""Blade serial console sessions (CM v2.5 rules) and the fake host."""

import base64
import re
from urllib import parse

import pytest

from msftocs_driver.emulator import console
from tests.unit.emulator import base


def start(app, blade_id=1, **params):
    reply = base.op(app, 'StartBladeSerialSession', bladeId=blade_id,
                    **params)
    return reply, reply.text('serialSessionToken')


def send(app, token, data, blade_id=1):
    encoded = parse.quote(base64.b64encode(data).decode(), safe='')
    return base.call(app, '/SendBladeSerialData',
                     'bladeId=%d&sessionToken=%s&data=%s'
                     % (blade_id, token, encoded))


def receive(app, token, blade_id=1):
    reply = base.op(app, 'ReceiveBladeSerialData', bladeId=blade_id,
                    sessionToken=token)
    data = reply.text('data')
    return reply, base64.b64decode(data) if data else data


def stop(app, token, blade_id=1, **params):
    return base.op(app, 'StopBladeSerialSession', bladeId=blade_id,
                   sessionToken=token, **params)


def read_all(app, token, blade_id=1):
    out = b''
    while True:
        reply, data = receive(app, token, blade_id)
        assert reply.text('completionCode') == 'Success'
        if not data:
            return out
        out += data


def test_start_reply_and_token_format(app):
    reply, token = start(app)
    assert reply.children() == ['completionCode', 'apiVersion',
                                'statusDescription', 'serialSessionToken']
    assert reply.text('completionCode') == 'Success'
    assert re.fullmatch(r'([0-9A-F]{2}-){7}[0-9A-F]{2}', token)
    assert '00' not in token.split('-')


def test_one_session_per_blade(app):
    start(app)
    reply, token = start(app)
    assert reply.text('completionCode') == 'SerialSessionActive'
    assert reply.text('statusDescription') == ''
    nil = reply.xml.find(base.NS + 'serialSessionToken')
    assert nil.get('{http://www.w3.org/2001/XMLSchema-instance}nil') == 'true'


def test_at_most_twelve_sessions_per_chassis(app):
    for blade_id in range(1, 13):
        assert start(app, blade_id)[0].text('completionCode') == 'Success'
    reply, _ = start(app, 13)
    assert reply.text('completionCode') == 'MaxSerialSessionReached'
    assert app.chassis.to_dict()['sessions'] == 12


@pytest.mark.parametrize('params,code,description', [
    ({'bladeId': 25}, 'ParameterOutOfRange', ''),
    ({'bladeId': 1, 'sessionTimeoutInSecs': 3601}, 'ParameterOutOfRange',
     'Session Timeout out of range'),
    ({'bladeId': 1, 'sessionTimeoutInSecs': -1}, 'ParameterOutOfRange',
     'Session Timeout out of range'),
])
def test_start_parameter_checks(app, params, code, description):
    reply = base.op(app, 'StartBladeSerialSession', **params)
    assert (reply.text('completionCode'),
            reply.text('statusDescription')) == (code, description)


def test_start_on_hard_off_decompressing_and_empty_slots():
    app, clock = base.make_app({'empty_slots': [3],
                                'slots': {'2': {'switch_on': False}}})
    assert start(app, 2)[0].text('completionCode') == 'DevicePoweredOff'
    base.op(app, 'SetPowerOn', bladeId=2)
    clock.advance(1)
    reply, _ = start(app, 2)
    assert (reply.text('completionCode'), reply.text('statusDescription')) == (
        'FirmwareDecompressing', 'Decompression Time Remaining 27')
    assert start(app, 3)[0].text('completionCode') == 'Failure'


def test_start_with_power_on_wait_switches_on_and_waits():
    app, clock = base.make_app({'slots': {'2': {'switch_on': False}}})
    reply, token = start(app, 2, powerOnWait='true')
    assert reply.text('completionCode') == 'Success'
    assert clock.slept == [28]


def test_jbod_may_open_a_console():
    app, _ = base.make_app({'jbod_slots': [6]})
    assert start(app, 6)[0].text('completionCode') == 'Success'


def test_host_boot_banner_echo_and_login_prompt(app):
    _, token = start(app)
    assert read_all(app, token) == b''
    idle, data = receive(app, token)
    assert (idle.text('completionCode'), idle.text('statusDescription'),
            data) == ('Success', 'Success', '')
    assert b'<data/>' in idle.body

    base.op(app, 'SetBladeOn', bladeId=1)
    output = read_all(app, token)
    assert b'host powered on' in output
    assert output.endswith(b'blade1 login: ')

    assert send(app, token, b'root\r\n').text('statusDescription') == (
        'Success')
    assert read_all(app, token) == b'root\r\nblade1 login: '
    send(app, token, b'x\r')
    send(app, token, b'\ny\n')
    assert read_all(app, token) == (b'x\r\nblade1 login: y\r\nblade1 login: ')


def test_receive_returns_at_most_1024_bytes(app):
    _, token = start(app)
    base.op(app, 'SetBladeOn', bladeId=1)
    send(app, token, b'a' * 3000)
    sizes = []
    while True:
        _, data = receive(app, token)
        if not data:
            break
        sizes.append(len(data))
    assert max(sizes) == 1024 and len(sizes) >= 3


def test_host_that_is_off_ignores_input(app):
    _, token = start(app)
    assert send(app, token, b'hello\r').text('completionCode') == 'Success'
    assert read_all(app, token) == b''


def test_start_flushes_output_produced_before_it(app):
    base.op(app, 'SetBladeOn', bladeId=1)  # banner with no session open
    _, token = start(app)
    assert read_all(app, token) == b''


def test_token_checks(app):
    _, token = start(app)
    for reply in (send(app, 'AA-BB', b'x'), receive(app, 'AA-BB')[0],
                  stop(app, 'AA-BB')):
        assert reply.text('completionCode') == 'SerialSessionActive'
    for reply in (send(app, token, b'x', blade_id=2),
                  receive(app, token, blade_id=2)[0],
                  stop(app, token, blade_id=2)):
        assert reply.text('completionCode') == 'NoActiveSerialSession'
    assert send(app, token, b'', blade_id=30).text(
        'completionCode') == 'ParameterOutOfRange'


def test_send_size_limit(app):
    _, token = start(app)
    reply = send(app, token, b'x' * 61441)
    assert reply.text('completionCode') == 'ParameterOutOfRange'
    assert send(app, token, b'x' * 61440).text('completionCode') == 'Success'


def test_stop_and_force_kill(app):
    _, token = start(app)
    reply = stop(app, token)
    assert (reply.text('completionCode'),
            reply.text('statusDescription')) == ('Success', 'Success')
    assert stop(app, token).text('completionCode') == 'NoActiveSerialSession'
    assert stop(app, '', forceKill='true').text('completionCode') == 'Success'
    start(app)
    assert stop(app, 'wrong', forceKill='True').text(
        'completionCode') == 'Success'
    assert start(app)[0].text('completionCode') == 'Success'


def test_serial_calls_on_a_hard_off_blade(app):
    _, token = start(app)
    base.op(app, 'SetPowerOff', bladeId=1)
    for reply in (send(app, token, b'x'), receive(app, token)[0],
                  stop(app, token), stop(app, token, forceKill='true')):
        assert reply.text('completionCode') == 'DevicePoweredOff'
    base.op(app, 'SetPowerOn', bladeId=1)
    app.chassis.clock.advance(28)
    # SetPowerOff killed the session.
    assert receive(app, token)[0].text(
        'completionCode') == 'NoActiveSerialSession'


def test_inactivity_timeout_refreshed_by_send_not_receive(app, clock):
    _, token = start(app, sessionTimeoutInSecs=60)
    clock.advance(50)
    receive(app, token)
    clock.advance(11)
    assert app.chassis.expire_sessions() == [1]
    assert receive(app, token)[0].text(
        'completionCode') == 'NoActiveSerialSession'

    _, token = start(app, sessionTimeoutInSecs=60)
    clock.advance(50)
    assert send(app, token, b'').text('completionCode') == 'Success'
    clock.advance(50)
    assert app.chassis.expire_sessions() == []
    clock.advance(11)
    assert app.chassis.expire_sessions() == [1]


def test_default_timeout_is_300_seconds(app, clock):
    start(app)
    clock.advance(300)
    assert app.chassis.expire_sessions() == []
    clock.advance(1)
    assert app.chassis.expire_sessions() == [1]


def test_overflow_is_reported_once_and_the_session_stays(app):
    _, token = start(app)
    base.op(app, 'SetBladeOn', bladeId=1)
    blade_console = app.chassis.blade(1).console
    blade_console.host_input(b'z' * console.BUFFER_CAPACITY, True)
    reply, _ = receive(app, token)
    assert reply.text('completionCode') == 'BmcRxSerialBufferOverflow'
    assert len(read_all(app, token)) == console.BUFFER_CAPACITY


def test_bad_base64_is_a_400(app):
    _, token = start(app)
    reply = base.call(app, '/SendBladeSerialData',
                      'bladeId=1&sessionToken=%s&data=abc' % token)
    assert reply.status_code == 400
    assert reply.headers['Content-Type'].startswith('text/html')


def test_serial_blade_ids_wrap_around_at_256(app):
    # The serial APIs take (byte)bladeId: 257 is blade 1.
    reply, token = start(app, 257)
    assert reply.text('completionCode') == 'Success'
    assert app.chassis.to_dict()['blades']['1']['serial_session'] is True
    assert stop(app, token, blade_id=1).text('completionCode') == 'Success'
    assert start(app, 255)[0].text('completionCode') == 'ParameterOutOfRange'
