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


"""CM v2.0 mode: versions, one chassis-wide console, ApiGreenSignalling."""

import json

import pytest

from msftocs_driver.emulator import cli
from msftocs_driver.emulator import config
from tests.unit.emulator import base
from tests.unit.emulator import test_serial as serial

HOLDER, OTHER = 1, 5


def v20(**overrides):
    return base.make_app(cm_version='2.0', **overrides)


def code(reply):
    return reply.text('completionCode')


def control(app, method, path, body=None):
    raw = b'' if body is None else json.dumps(body).encode()
    reply = base.call(app, '/_emulator/' + path, method=method, body=raw)
    return reply.status_code, json.loads(reply.body)


def session_open(app, blade_id=HOLDER):
    return app.chassis.to_dict()['blades'][str(blade_id)]['serial_session']


def killed(app):
    return app.chassis.cm_dict()['serial_sessions_killed']


@pytest.fixture
def with_session():
    app, clock = v20()
    base.op(app, 'SetBladeOn', bladeId=HOLDER)  # before the session
    reply, token = serial.start(app, HOLDER)
    assert code(reply) == 'Success'
    return app, clock, token


@pytest.mark.parametrize('version,expected', [('2.5', '2.5.0.0'),
                                              ('2.0', '2.0.1.3')])
def test_service_version(version, expected):
    app, _ = base.make_app(cm_version=version)
    assert base.op(app, 'GetServiceVersion').text(
        'serviceVersion') == expected
    info = base.op(app, 'GetChassisInfo', chassisControllerInfo='true')
    controller = info.xml.find(base.NS + 'chassisController')
    assert controller.find(base.NS + 'softwareVersion').text == expected


@pytest.mark.parametrize('version,overrides,seconds', [
    ('2.5', {}, '28'), ('2.0', {}, '35'),
    ('2.0', {'decompression_seconds': 3}, '3')])
def test_decompression_default_follows_the_version(version, overrides,
                                                   seconds):
    app, _ = base.make_app(cm_version=version, **overrides)
    base.op(app, 'SetPowerOff', bladeId=2)
    base.op(app, 'SetPowerOn', bladeId=2)
    assert base.op(app, 'GetPowerState', bladeId=2).text(
        'Decompression') == seconds


def test_power_limit_has_no_active_flag():
    app, _ = v20()
    reply = base.op(app, 'GetBladePowerLimit', bladeId=1)
    assert reply.children() == ['completionCode', 'apiVersion',
                                'statusDescription', 'bladeNumber',
                                'powerLimit']
    app, _ = base.make_app()
    assert 'isPowerLimitActive' in base.op(
        app, 'GetBladePowerLimit', bladeId=1).children()


def test_one_serial_session_per_chassis(with_session):
    app, _, token = with_session
    reply, _other = serial.start(app, OTHER)
    assert code(reply) == 'SerialSessionActive'
    assert b'<serialSessionToken i:nil="true"/>' in reply.body
    assert code(serial.stop(app, token, HOLDER)) == 'Success'
    reply, other = serial.start(app, OTHER)
    assert code(reply) == 'Success'


def test_session_timeout_has_no_upper_bound():
    app, _ = v20()
    reply, _token = serial.start(app, HOLDER, sessionTimeoutInSecs=86400)
    assert code(reply) == 'Success'
    app, _ = base.make_app()
    reply, _token = serial.start(app, HOLDER, sessionTimeoutInSecs=86400)
    assert code(reply) == 'ParameterOutOfRange'


GREEN_SIGNALLED = [
    ('SetBladeOn', {}), ('SetBladeOff', {}),
    ('SetBladeActivePowerCycle', {'offTime': 0}), ('GetBladeState', {}),
    ('GetNextBoot', {}), ('SetNextBoot', {'bootType': 'ForcePxe'}),
    ('GetBladeInfo', {}), ('GetBladeHealth', {}),
    ('SetBladeAttentionLEDOn', {}), ('SetBladeAttentionLEDOff', {}),
    ('GetBladePowerReading', {}), ('GetBladePowerLimit', {}),
    ('SetBladePowerLimit', {'powerLimitInWatts': 300}),
    ('SetBladePowerLimitOn', {}), ('SetBladePowerLimitOff', {}),
    ('SetBladeDefaultPowerStateOn', {}), ('GetBladeDefaultPowerState', {}),
]
CHASSIS_WIDE = ['GetChassisInfo', 'GetAllBladesState', 'GetAllBladesInfo',
                'GetAllBladesPowerReading', 'GetAllBladesPowerLimit']


@pytest.mark.parametrize('operation,params', GREEN_SIGNALLED)
def test_blade_apis_on_any_blade_kill_the_session(with_session, operation,
                                                  params):
    app, _, token = with_session
    reply = base.op(app, operation, bladeId=OTHER, **params)
    assert code(reply) == 'Success'
    assert not session_open(app)
    assert killed(app) == 1
    _reply, data = serial.receive(app, token, HOLDER)
    assert code(_reply) == 'NoActiveSerialSession'


@pytest.mark.parametrize('operation', CHASSIS_WIDE)
def test_chassis_wide_apis_kill_the_session(with_session, operation):
    app, _, _token = with_session
    assert code(base.op(app, operation)) == 'Success'
    assert not session_open(app)
    assert killed(app) == 1


@pytest.mark.parametrize('operation,params', [
    ('GetPowerState', {'bladeId': OTHER}), ('SetPowerOn', {'bladeId': OTHER}),
    ('SetPowerOff', {'bladeId': OTHER}), ('GetAllPowerState', {}),
    ('GetChassisHealth', {}), ('GetServiceVersion', {}),
    ('GetChassisAttentionLEDStatus', {}), ('SetChassisAttentionLEDOn', {}),
])
def test_apis_that_leave_the_session_alone(with_session, operation, params):
    app, _, token = with_session
    assert code(base.op(app, operation, **params)) == 'Success'
    assert session_open(app)
    assert killed(app) == 0
    assert code(serial.send(app, token, b'x')) == 'Success'


def test_set_power_off_kills_only_its_own_blades_session(with_session):
    app, _, _token = with_session
    base.op(app, 'SetPowerOff', bladeId=OTHER)
    assert session_open(app)
    base.op(app, 'SetPowerOff', bladeId=HOLDER)
    assert not session_open(app)
    # Not ApiGreenSignalling: the kill counter does not move.
    assert killed(app) == 0


def test_without_kill_the_apis_are_refused_and_the_session_stays():
    app, _ = v20(kill_serial_session=False)
    _reply, token = serial.start(app, HOLDER)
    reply = base.op(app, 'GetBladeState', bladeId=OTHER)
    assert (code(reply), reply.text('statusDescription'),
            reply.text('bladeState')) == (
        'SerialSessionActive', 'Device busy.Another serial session active.',
        'NA')
    entries = base.op(app, 'GetAllBladesState')
    assert code(entries) == 'Failure'
    collection = entries.xml.find(base.NS + 'bladeStateResponseCollection')
    assert {entry.find(base.NS + 'completionCode').text
            for entry in collection} == {'SerialSessionActive'}
    info = base.op(app, 'GetChassisInfo')
    assert code(info) == 'SerialSessionActive'
    assert len(info.xml.find(base.NS + 'bladeCollections')) == 0
    assert session_open(app) and killed(app) == 0
    assert code(serial.send(app, token, b'x')) == 'Success'
    # Blade_EN reads still work: GetPowerState never runs the check.
    assert code(base.op(app, 'GetPowerState', bladeId=OTHER)) == 'Success'


def test_idle_receive_answers_timeout_after_the_read_timeout(with_session):
    app, clock, token = with_session
    while True:
        clock.slept.clear()
        reply, data = serial.receive(app, token, HOLDER)
        if code(reply) != 'Success':
            break
        assert data
    assert code(reply) == 'Timeout'
    assert clock.slept == [0.1]
    assert b'<data/>' in reply.body


def test_send_writes_one_byte_every_75_ms(with_session):
    app, clock, token = with_session
    clock.slept.clear()
    reply = serial.send(app, token, b'ls\r')
    assert code(reply) == 'Success'
    assert clock.slept == [0.075] * 3
    out = b''
    while True:
        reply, data = serial.receive(app, token, HOLDER)
        if code(reply) != 'Success':
            break
        out += data
    assert out.endswith(b'ls\r\nblade1 login: ')


def test_empty_send_fails(with_session):
    app, _, token = with_session
    reply = serial.send(app, token, b'')
    assert (code(reply), reply.text('statusDescription')) == (
        'Failure', 'Failure')


def test_serial_calls_naming_another_blade(with_session):
    app, _, token = with_session
    assert code(serial.send(app, token, b'x', OTHER)) == 'SerialSessionActive'
    assert code(serial.receive(app, token, OTHER)[0]) == 'SerialSessionActive'
    assert code(serial.stop(app, token, OTHER)) == 'SerialSessionActive'
    assert session_open(app)


def test_force_stop_stops_whichever_blade_holds_the_session(with_session):
    app, _, _token = with_session
    reply = serial.stop(app, 'whatever', OTHER, forceKill='true')
    assert code(reply) == 'Success'
    assert not session_open(app)
    reply = serial.stop(app, 'whatever', OTHER, forceKill='true')
    assert code(reply) == 'NoActiveSerialSession'
    # v2.5: forceKill succeeds without a session.
    app, _ = base.make_app()
    assert code(serial.stop(app, 'x', OTHER, forceKill='true')) == 'Success'


def test_no_overflow_code_in_v20(with_session):
    app, _, token = with_session
    blade = app.chassis.blade(HOLDER)
    blade.console.flush()
    blade.console.overflowed = True
    reply, _data = serial.receive(app, token, HOLDER)
    assert code(reply) != 'BmcRxSerialBufferOverflow'


def test_control_api_switches_versions_and_reports_the_counter(with_session):
    app, _, _token = with_session
    status, cm = control(app, 'GET', 'cm')
    assert (status, cm) == (200, {
        'version': '2.0', 'service_version': '2.0.1.3',
        'kill_serial_session': True, 'serial_sessions_killed': 0})
    base.op(app, 'GetBladeState', bladeId=OTHER)
    assert control(app, 'GET', 'state')[1]['cm'][
        'serial_sessions_killed'] == 1
    control(app, 'POST', 'stats/reset')
    assert killed(app) == 0
    status, cm = control(app, 'POST', 'cm', {'version': '2.5',
                                             'kill_serial_session': False})
    assert (status, cm['version'], cm['kill_serial_session']) == (
        200, '2.5', False)
    assert base.op(app, 'GetServiceVersion').text(
        'serviceVersion') == '2.5.0.0'
    control(app, 'POST', 'reset')
    assert control(app, 'GET', 'cm')[1]['version'] == '2.0'


@pytest.mark.parametrize('body,field', [
    ({'version': '3.0'}, 'cm_version'), ({'version': 2.0}, 'version'),
    ({'kill_serial_session': 'on'}, 'kill_serial_session'),
    ({'colour': 1}, 'colour')])
def test_control_api_errors_name_the_field(body, field):
    app, _ = v20()
    status, reply = control(app, 'POST', 'cm', body)
    assert status == 400
    assert reply['error'].startswith(field)


def test_cli_flags_and_config_file(tmp_path):
    args = cli.parse_args(['--cm-version', '2.0',
                           '--kill-serial-session', 'off'])
    app = cli.build_app(args)
    assert app.chassis.cm_dict()['version'] == '2.0'
    assert app.chassis.kill_serial_session is False
    assert app.chassis.decompression_seconds == 35
    path = tmp_path / 'c.json'
    path.write_text('{"cm_version": "2.0", "kill_serial_session": false}')
    app = cli.build_app(cli.parse_args(['--config', str(path),
                                        '--kill-serial-session', 'on']))
    assert (app.chassis.profile.version,
            app.chassis.kill_serial_session) == ('2.0', True)
    assert cli.build_app(cli.parse_args([])).chassis.profile.version == '2.5'
    with pytest.raises(SystemExit):
        cli.parse_args(['--cm-version', '1.0'])


@pytest.mark.parametrize('data,field', [
    ({'cm_version': '1.0'}, 'cm_version'), ({'cm_version': 2}, 'cm_version'),
    ({'kill_serial_session': 1}, 'kill_serial_session')])
def test_config_errors_name_the_field(data, field):
    with pytest.raises(config.ConfigError, match='^%s: ' % field):
        config.build(data)
