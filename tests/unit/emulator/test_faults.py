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


"""The stalling and connection-closing fault kinds: drop_after/before,
drip (also on the legs of an NTLM handshake) and hang."""

import json

import pytest

from msftocs_driver.emulator import auth
from msftocs_driver.emulator import faults
from msftocs_driver.emulator import stalls
from tests.unit.emulator import base
from tests.unit.emulator import test_auth


UNAUTHORIZED_PAGE = base.call(
    base.make_app()[0], '/GetBladeState', authorization=None).body


def control(app, method, path, body=None):
    raw = b'' if body is None else json.dumps(body).encode()
    reply = base.call(app, '/_emulator/' + path, method=method, body=raw)
    return reply.status_code, json.loads(reply.body)


def add_fault(app, **spec):
    if isinstance(app.authenticator, auth.NtlmAuthenticator):
        app.faults.add(faults.parse_fault(spec, ['GetBladeState']))
        return {'faults': app.faults.list()}
    status, reply = control(app, 'POST', 'faults', spec)
    assert status == 200, reply
    return reply


def host_on(app, blade_id=1):
    return app.chassis.to_dict()['blades'][str(blade_id)]['host_on']


def raw_call(app, path, query='', authorization=base.BASIC, environ=None):
    """Call the app; return (status, headers, the body iterable)."""
    env = {'REQUEST_METHOD': 'GET', 'PATH_INFO': path,
           'QUERY_STRING': query, 'REMOTE_ADDR': '127.0.0.1',
           'REMOTE_PORT': '40000', 'CONTENT_LENGTH': '0'}
    if authorization:
        env['HTTP_AUTHORIZATION'] = authorization
    env.update(environ or {})
    captured = {}

    def start_response(status, headers, exc_info=None):
        captured['status'], captured['headers'] = status, dict(headers)

    body = app(env, start_response)
    return captured.get('status'), captured.get('headers'), body


@pytest.fixture
def app_clock():
    return base.make_app()


@pytest.mark.parametrize('kind', ['drop_after', 'drop'])
def test_drop_after_runs_the_operation_then_closes(app_clock, kind):
    app, _ = app_clock
    add_fault(app, kind=kind, count=1, operations=['SetBladeOn'])
    with pytest.raises(faults.ConnectionDrop):
        base.op(app, 'SetBladeOn', bladeId=1)
    assert host_on(app) is True
    assert control(app, 'GET', 'faults')[1] == {'faults': []}


def test_drop_before_closes_without_running_the_operation(app_clock):
    app, _ = app_clock
    add_fault(app, kind='drop_before', count=1)
    with pytest.raises(faults.ConnectionDrop):
        base.op(app, 'SetBladeOn', bladeId=1)
    assert host_on(app) is False
    assert base.op(app, 'SetBladeOn', bladeId=1).text(
        'completionCode') == 'Success'


def test_hang_for_a_count_of_calls_never_runs_the_operation(app_clock):
    app, clock = app_clock
    add_fault(app, kind='hang', seconds=2, count=2,
              operations=['SetBladeOn'])
    for _ in range(2):
        before = clock.now
        with pytest.raises(faults.ConnectionDrop):
            base.op(app, 'SetBladeOn', bladeId=1)
        assert clock.now - before == pytest.approx(2)
        assert all(step <= stalls.STALL_SLICE for step in clock.slept)
    assert host_on(app) is False
    assert base.op(app, 'SetBladeOn', bladeId=1).text(
        'completionCode') == 'Success'
    assert host_on(app) is True


def test_hang_ends_at_once_when_the_server_stops():
    app, clock = base.make_app()
    slept = []

    def stopping_sleep(seconds):
        slept.append(seconds)
        return True  # threading.Event.wait: the stop event is set

    app.sleep = stopping_sleep
    add_fault(app, kind='hang', seconds=3600)
    with pytest.raises(faults.ConnectionDrop):
        base.op(app, 'SetBladeOn', bladeId=1)
    assert slept == [stalls.STALL_SLICE]
    assert host_on(app) is False


def test_hang_ends_when_the_faults_are_cleared():
    app, _ = base.make_app()
    slept = []

    def sleep(seconds):
        slept.append(seconds)
        app.faults.clear()

    app.sleep = sleep
    add_fault(app, kind='hang', seconds=3600)
    with pytest.raises(faults.ConnectionDrop):
        base.op(app, 'SetBladeOn', bladeId=1)
    assert len(slept) == 1
    assert host_on(app) is False


def test_drip_sends_the_body_a_byte_at_a_time(app_clock):
    app, clock = app_clock
    expected = base.op(app, 'GetBladeState', bladeId=1).body
    add_fault(app, kind='drip', seconds=0.1, count=1)
    status, headers, body = raw_call(app, '/GetBladeState', 'bladeId=1')
    assert status == '200 OK'
    assert headers['Content-Length'] == str(len(expected))
    chunks = []
    for chunk in body:
        chunks.append((chunk, clock.now))
    assert b''.join(chunk for chunk, _ in chunks) == expected
    assert all(len(chunk) == 1 for chunk, _ in chunks)
    times = [at for _, at in chunks]
    assert [round(b - a, 6) for a, b in zip(times, times[1:])] == [
        0.1] * (len(expected) - 1)
    assert base.op(app, 'GetBladeState', bladeId=1).body == expected


def test_drip_runs_the_operation(app_clock):
    app, _ = app_clock
    add_fault(app, kind='drip', seconds=0.01, count=1)
    reply = base.op(app, 'SetBladeOn', bladeId=1)
    assert reply.text('completionCode') == 'Success'
    assert host_on(app) is True


def test_drip_sends_the_rest_at_once_after_a_clear(app_clock):
    app, _ = app_clock
    expected = base.op(app, 'GetBladeState', bladeId=1).body
    add_fault(app, kind='drip', seconds=60)
    _status, _headers, body = raw_call(app, '/GetBladeState', 'bladeId=1')
    body = iter(body)
    first, second = next(body), next(body)
    app.faults.clear()
    rest = b''.join(body)
    assert (first, second) == (expected[:1], expected[1:2])
    assert first + second + rest == expected


def test_drip_closes_the_connection_when_the_server_stops(app_clock):
    app, _ = app_clock
    app.sleep = lambda seconds: True
    add_fault(app, kind='drip', seconds=60)
    _status, _headers, body = raw_call(app, '/GetBladeState', 'bladeId=1')
    body = iter(body)
    next(body)
    with pytest.raises(faults.ConnectionDrop):
        next(body)


def test_basic_401_drips_on_the_unauthenticated_leg(app_clock):
    app, clock = app_clock
    add_fault(app, kind='drip', seconds=0.5, count=1,
              legs=['unauthenticated'])
    before = clock.now
    reply = base.call(app, '/GetBladeState', 'bladeId=1',
                      authorization=None)
    assert reply.status_code == 401
    assert reply.headers['Content-Length'] == str(len(reply.body))
    assert clock.now - before == pytest.approx(0.5 * (len(reply.body) - 1))
    # The operation's own reply is not a leg of that fault.
    assert base.op(app, 'GetBladeState', bladeId=1).status_code == 200


@pytest.fixture
def ntlm_app(monkeypatch):
    monkeypatch.delenv('NTLM_USER_FILE', raising=False)
    authenticator = auth.NtlmAuthenticator(base.USER, base.PASSWORD)
    app, clock = base.make_app(authenticator=authenticator)
    yield app, clock
    authenticator.close()


@pytest.mark.parametrize('leg', ['unauthenticated', 'challenge', 'reply'])
def test_drip_on_one_leg_of_an_ntlm_handshake(ntlm_app, leg):
    app, clock = ntlm_app
    add_fault(app, kind='drip', seconds=0.2, legs=[leg],
              operations=['GetBladeState'])
    clock.slept.clear()
    reply = test_auth.handshake(app, test_auth.Connection())
    assert reply.text('completionCode') == 'Success'
    # The dripped leg, and only it, slept before every byte but the first;
    # the handshake still completed.
    dripped = len(reply.body if leg == 'reply' else UNAUTHORIZED_PAGE)
    assert clock.slept == [0.2] * (dripped - 1)


def test_drip_on_every_ntlm_leg_counts_each_leg(ntlm_app):
    app, clock = ntlm_app
    add_fault(app, kind='drip', seconds=0.25, count=3,
              legs=['unauthenticated', 'challenge', 'reply'])
    clock.slept.clear()
    reply = test_auth.handshake(app, test_auth.Connection())
    assert reply.text('completionCode') == 'Success'
    assert app.faults.list() == []
    assert clock.slept == [0.25] * (
        2 * (len(UNAUTHORIZED_PAGE) - 1) + len(reply.body) - 1)


def test_hang_on_the_challenge_leg(ntlm_app):
    app, _ = ntlm_app
    add_fault(app, kind='hang', seconds=5, legs=['challenge'], count=1)
    with pytest.raises(faults.ConnectionDrop):
        test_auth.handshake(app, test_auth.Connection())
    assert test_auth.handshake(app, test_auth.Connection()).text(
        'completionCode') == 'Success'


def test_control_requests_are_never_faulted(app_clock):
    app, _ = app_clock
    add_fault(app, kind='hang', seconds=5, legs=['unauthenticated', 'reply'])
    assert control(app, 'GET', 'faults')[0] == 200
    reply = base.call(app, '/_emulator/state', authorization=None)
    assert reply.status_code == 401


@pytest.mark.parametrize('spec,field', [
    ({'kind': 'drip'}, 'seconds'),
    ({'kind': 'hang'}, 'seconds'),
    ({'kind': 'hang', 'seconds': -1}, 'seconds'),
    ({'kind': 'drop_after', 'legs': ['reply']}, 'legs'),
    ({'kind': 'drip', 'seconds': 1, 'legs': []}, 'legs'),
    ({'kind': 'drip', 'seconds': 1, 'legs': ['second']}, 'legs'),
    ({'kind': 'drip', 'seconds': 1, 'legs': 'reply'}, 'legs'),
])
def test_bad_timed_faults_name_the_field(spec, field):
    with pytest.raises(faults.FaultError, match='^%s: ' % field):
        faults.parse_fault(spec, ['GetBladeState'])


def test_fault_listing_shows_the_legs(app_clock):
    app, _ = app_clock
    reply = add_fault(app, kind='drip', seconds=1,
                      legs=['reply', 'unauthenticated'])
    assert reply['faults'][0]['legs'] == ['unauthenticated', 'reply']
    reply = add_fault(app, kind='drop_after')
    assert reply['faults'][1]['legs'] == ['reply']
