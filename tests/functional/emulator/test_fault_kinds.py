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


"""drop_after, drop_before, drip and hang over real HTTP (and NTLM).

The calls are made with the standard library's ``http.client`` (or plain
requests for NTLM), never with the project's client. Durations are only
checked from below (a drip cannot be faster than its byte pace), or
against a generous bound where the test is about not being stuck.
"""

import base64
import http.client
import socket
import threading
import time

import pytest
import requests
import requests_ntlm

from msftocs_driver.emulator import runner
from tests.functional.emulator import conftest

BASIC = 'Basic ' + base64.b64encode(
    ('admin:%s' % conftest.PASSWORD).encode()).decode()


def connect(emulator, timeout=30):
    return http.client.HTTPConnection('127.0.0.1', emulator.port,
                                      timeout=timeout)


def get(conn, operation, query='bladeId=1', authorization=BASIC):
    headers = {'Authorization': authorization} if authorization else {}
    conn.request('GET', '/%s?%s' % (operation, query), headers=headers)
    return conn.getresponse()


def host_on(emulator, blade_id=1):
    return emulator.blade(blade_id)['host_on']


def test_drop_after_runs_the_operation_and_closes(emulator):
    emulator.add_fault(kind='drop_after', operations=['SetBladeOn'], count=1)
    conn = connect(emulator)
    try:
        with pytest.raises(http.client.RemoteDisconnected):
            get(conn, 'SetBladeOn')
    finally:
        conn.close()
    assert host_on(emulator) is True


def test_drop_before_closes_without_running_it(emulator):
    emulator.add_fault(kind='drop_before', operations=['SetBladeOn'],
                       count=1)
    conn = connect(emulator)
    try:
        with pytest.raises(http.client.RemoteDisconnected):
            get(conn, 'SetBladeOn')
    finally:
        conn.close()
    assert host_on(emulator) is False


def test_drip_sends_headers_then_the_body_slowly(emulator):
    conn = connect(emulator)
    try:
        expected = get(conn, 'GetBladeState').read()
        pace = 0.01
        emulator.add_fault(kind='drip', seconds=pace, count=1,
                           operations=['GetBladeState'])
        started = time.monotonic()
        response = get(conn, 'GetBladeState')
        headers_after = time.monotonic() - started
        assert response.status == 200
        assert int(response.getheader('Content-Length')) == len(expected)
        body = response.read()
        total = time.monotonic() - started
    finally:
        conn.close()
    assert body == expected
    floor = pace * (len(expected) - 1)
    assert total >= floor
    # The headers came first, well before the body was complete.
    assert headers_after < floor / 2


def test_hang_never_answers_or_runs_then_clears(emulator):
    emulator.add_fault(kind='hang', seconds=300, count=2,
                       operations=['SetBladeOn'])
    for _ in range(2):
        conn = connect(emulator, timeout=1)
        try:
            with pytest.raises(socket.timeout):
                get(conn, 'SetBladeOn')
        finally:
            conn.close()
    assert host_on(emulator) is False
    assert emulator.clear_faults() == {'faults': []}
    conn = connect(emulator)
    try:
        assert get(conn, 'SetBladeOn').status == 200
    finally:
        conn.close()
    assert host_on(emulator) is True


def test_hang_for_its_seconds_then_closes(emulator):
    emulator.add_fault(kind='hang', seconds=0.5, count=1)
    conn = connect(emulator)
    try:
        started = time.monotonic()
        with pytest.raises(http.client.RemoteDisconnected):
            get(conn, 'SetBladeOn')
        assert time.monotonic() - started >= 0.5
    finally:
        conn.close()
    assert host_on(emulator) is False


@pytest.mark.parametrize('kind', ['hang', 'drip'])
def test_a_stopped_emulator_exits_promptly_during_a_stall(kind):
    process = runner.EmulatorProcess(password=conftest.PASSWORD).start()
    outcome = {}

    def stalled_call():
        conn = connect(process, timeout=60)
        try:
            outcome['response'] = get(conn, 'GetBladeState').read()
        except Exception as exc:
            outcome['error'] = exc
        finally:
            conn.close()

    try:
        process.add_fault(kind=kind, seconds=3600)
        caller = threading.Thread(target=stalled_call)
        caller.start()
        time.sleep(0.5)
        started = time.monotonic()
        # 0 means it exited on SIGTERM by itself, not by the runner's
        # SIGKILL after STOP_TIMEOUT.
        assert process.stop() == 0
        assert time.monotonic() - started < runner.STOP_TIMEOUT
        caller.join(30)
        assert not caller.is_alive()
        assert 'error' in outcome
    finally:
        process.stop()


@pytest.fixture(scope='module')
def ntlm_emulator():
    with runner.EmulatorProcess(auth='ntlm',
                                password=conftest.PASSWORD) as process:
        yield process


def ntlm_call(emulator, timeout=30):
    with requests.Session() as session:
        session.trust_env = False
        session.auth = requests_ntlm.HttpNtlmAuth('admin', conftest.PASSWORD)
        return session.get(emulator.url + 'GetBladeState',
                           params={'bladeId': 1}, timeout=timeout)


@pytest.mark.parametrize('leg', ['unauthenticated', 'challenge', 'reply'])
def test_drip_on_each_leg_of_an_ntlm_handshake(ntlm_emulator, leg):
    ntlm_emulator.reset()
    pace = 0.01
    ntlm_emulator.add_fault(kind='drip', seconds=pace, count=1, legs=[leg],
                            operations=['GetBladeState'])
    started = time.monotonic()
    reply = ntlm_call(ntlm_emulator)
    elapsed = time.monotonic() - started
    assert reply.status_code == 200
    # That leg was dripped (the fault fired and it took its pace per byte)
    # and the handshake still completed.
    assert ntlm_emulator.clear_faults() == {'faults': []}
    dripped = len(reply.content) if leg == 'reply' else len(
        b'<!DOCTYPE html><html><head><title>Unauthorized</title></head>'
        b'<body><h1>Unauthorized</h1><p>Access is denied.</p></body></html>')
    assert elapsed >= pace * (dripped - 1)


def test_hang_on_the_ntlm_challenge_leg(ntlm_emulator):
    ntlm_emulator.reset()
    ntlm_emulator.add_fault(kind='hang', seconds=300, legs=['challenge'],
                            count=1)
    with pytest.raises(requests.exceptions.ReadTimeout):
        ntlm_call(ntlm_emulator, timeout=1)
    ntlm_emulator.clear_faults()
    assert ntlm_call(ntlm_emulator).status_code == 200
