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

"""The console error table of CM v2.5, cell by cell (reference 8.2)."""

import pytest

from tests.unit.emulator import base

EMPTY, HARD_OFF, DECOMPRESSING, FREE, HELD = 3, 2, 4, 6, 1
PULLED = 7
OPS = ('Start', 'Send', 'Receive', 'Stop')


@pytest.fixture
def chassis():
    """Blades in every situation of the table.

    :returns: ``(app, token of the session on HELD and on PULLED)``.
    """
    app, _ = base.make_app({'empty_slots': [EMPTY],
                            'slots': {str(HARD_OFF): {'switch_on': False},
                                      str(DECOMPRESSING): {
                                          'switch_on': False}}})
    tokens = {}
    for blade_id in (HELD, PULLED):
        tokens[blade_id] = base.op(app, 'StartBladeSerialSession',
                                   bladeId=blade_id).text(
            'serialSessionToken')
    base.op(app, 'SetPowerOn', bladeId=DECOMPRESSING)
    # The blade leaves its slot; the CM still holds its session.
    app.chassis.update_blade(PULLED, {'present': False})
    return app, tokens


def call(app, op, blade_id, token=None, **params):
    if op == 'Start':
        return base.op(app, 'StartBladeSerialSession', bladeId=blade_id,
                       **params)
    name = {'Send': 'SendBladeSerialData',
            'Receive': 'ReceiveBladeSerialData',
            'Stop': 'StopBladeSerialSession'}[op]
    if op == 'Send':
        params['data'] = 'YQ%3D%3D'
    return base.op(app, name, bladeId=blade_id, sessionToken=token or 'X',
                   **params)


def outcome(reply):
    return reply.text('completionCode')


@pytest.mark.parametrize('op', OPS)
def test_id_out_of_range(chassis, op):
    reply = call(chassis[0], op, 25)
    # The serial APIs leave statusDescription empty for a bad id.
    assert (outcome(reply), reply.text('statusDescription')) == (
        'ParameterOutOfRange', '')


@pytest.mark.parametrize('op', OPS)
def test_hard_off(chassis, op):
    assert outcome(call(chassis[0], op, HARD_OFF)) == 'DevicePoweredOff'
    if op == 'Stop':
        assert outcome(call(chassis[0], op, HARD_OFF,
                            forceKill='true')) == 'DevicePoweredOff'


@pytest.mark.parametrize('op', OPS)
def test_decompressing(chassis, op):
    assert outcome(call(chassis[0], op, DECOMPRESSING)) == (
        'FirmwareDecompressing')


def test_session_already_open_whatever_the_caller(chassis):
    assert outcome(call(chassis[0], 'Start', HELD)) == 'SerialSessionActive'


def test_twelve_sessions_open(chassis):
    app, _ = chassis
    for blade_id in range(8, 18):  # 10 more: 12 with HELD and PULLED
        assert outcome(call(app, 'Start', blade_id)) == 'Success'
    assert outcome(call(app, 'Start', FREE)) == 'MaxSerialSessionReached'


@pytest.mark.parametrize('blade_id', [FREE, EMPTY])
@pytest.mark.parametrize('op', ['Send', 'Receive', 'Stop'])
def test_no_session_and_empty_slot(chassis, op, blade_id):
    assert outcome(call(chassis[0], op, blade_id)) == 'NoActiveSerialSession'


@pytest.mark.parametrize('blade_id', [FREE, EMPTY])
def test_stop_with_force_kill_needs_no_session(chassis, blade_id):
    assert outcome(call(chassis[0], 'Stop', blade_id,
                        forceKill='true')) == 'Success'


def test_empty_slot_start_fails(chassis):
    reply = call(chassis[0], 'Start', EMPTY)
    assert outcome(reply) == 'Failure'
    assert b'<serialSessionToken i:nil="true"/>' in reply.body


@pytest.mark.parametrize('op', ['Send', 'Receive', 'Stop'])
def test_wrong_token(chassis, op):
    app, tokens = chassis
    assert outcome(call(app, op, HELD, 'wrong')) == 'SerialSessionActive'
    assert app.chassis.blade_dict(HELD)['serial_session'] is True


def test_stop_with_force_kill_ignores_a_wrong_token(chassis):
    app, tokens = chassis
    assert outcome(call(app, 'Stop', HELD, 'wrong',
                        forceKill='true')) == 'Success'
    assert app.chassis.blade_dict(HELD)['serial_session'] is False


@pytest.mark.parametrize('op, code', [
    ('Send', 'Failure'), ('Receive', 'Failure'), ('Stop', 'Success')])
def test_bmc_error_while_a_session_exists(chassis, op, code):
    app, tokens = chassis
    assert outcome(call(app, op, PULLED, tokens[PULLED])) == code
    # Only Stop ends the CM's session (its BMC error is only logged).
    assert app.chassis.blade_dict(PULLED)['serial_session'] is (op != 'Stop')
