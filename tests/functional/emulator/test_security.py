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


"""Real NTLM handshakes and real TLS against the emulator process."""

import base64
import http.client
import threading
import time

import pytest
import requests
import requests_ntlm
import spnego

from msftocs_driver.emulator import runner
from tests.functional.emulator import conftest

PATH = '/GetBladeState?bladeId=1'


@pytest.fixture(scope='module')
def ntlm_emulator():
    with runner.EmulatorProcess(auth='ntlm',
                                password=conftest.PASSWORD) as process:
        yield process


def test_requests_ntlm_session(ntlm_emulator):
    with requests.Session() as session:
        session.auth = requests_ntlm.HttpNtlmAuth('admin', conftest.PASSWORD)
        for blade_id in (1, 2, 3):
            reply = session.get(ntlm_emulator.url + 'GetBladeState',
                                params={'bladeId': blade_id}, timeout=10)
            assert reply.status_code == 200
            assert b'<completionCode>Success</completionCode>' in (
                reply.content)


def test_many_ntlm_clients_keep_their_connections(ntlm_emulator):
    """More idle kept-alive connections than cheroot keeps by default."""
    statuses = []

    def client():
        with requests.Session() as session:
            session.auth = requests_ntlm.HttpNtlmAuth('admin',
                                                      conftest.PASSWORD)
            for blade_id in range(1, 6):
                statuses.append(session.get(
                    ntlm_emulator.url + 'GetBladeState',
                    params={'bladeId': blade_id}, timeout=30).status_code)
                time.sleep(0.05)

    threads = [threading.Thread(target=client) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [200] * 80


def test_wrong_ntlm_password_gets_401(ntlm_emulator):
    reply = requests.get(ntlm_emulator.url + 'GetBladeState',
                         params={'bladeId': 1}, timeout=10,
                         auth=requests_ntlm.HttpNtlmAuth('admin', 'wrong'))
    assert reply.status_code == 401
    assert reply.headers['WWW-Authenticate'] == 'Negotiate'


def test_handshake_authenticates_the_tcp_connection(ntlm_emulator):
    """Later requests on the connection need no header, as on HTTP.sys."""
    connection = http.client.HTTPConnection('127.0.0.1', ntlm_emulator.port,
                                            timeout=10)
    try:
        connection.request('GET', PATH)
        challenge = connection.getresponse()
        challenge.read()
        assert challenge.status == 401
        assert challenge.getheader('WWW-Authenticate') == 'Negotiate'

        client = spnego.client('admin', conftest.PASSWORD, protocol='ntlm')
        token = base64.b64encode(client.step()).decode()
        connection.request('GET', PATH,
                           headers={'Authorization': 'Negotiate ' + token})
        reply = connection.getresponse()
        reply.read()
        server_token = reply.getheader('WWW-Authenticate').split()[1]
        token = base64.b64encode(
            client.step(base64.b64decode(server_token))).decode()
        connection.request('GET', PATH,
                           headers={'Authorization': 'Negotiate ' + token})
        reply = connection.getresponse()
        assert (reply.status, reply.read().count(b'Success')) == (200, 1)

        for _ in range(3):
            connection.request('GET', PATH)
            reply = connection.getresponse()
            assert reply.status == 200
            reply.read()
    finally:
        connection.close()

    fresh = http.client.HTTPConnection('127.0.0.1', ntlm_emulator.port,
                                       timeout=10)
    try:
        fresh.request('GET', PATH)
        assert fresh.getresponse().status == 401
    finally:
        fresh.close()


def test_tls_verified_against_the_generated_ca(tls):
    with runner.EmulatorProcess(password=conftest.PASSWORD,
                                tls_cert=tls['cert'],
                                tls_key=tls['key']) as emulator:
        assert emulator.url.startswith('https://127.0.0.1:')
        reply = requests.get(emulator.url + 'GetServiceVersion',
                             auth=('admin', conftest.PASSWORD),
                             verify=tls['ca'], timeout=10)
        assert reply.status_code == 200
        assert b'2.5.0.0' in reply.content
        with pytest.raises(requests.exceptions.SSLError):
            requests.get(emulator.url + 'GetServiceVersion',
                         verify=tls['other_ca'], timeout=10)
        # Plain HTTP to the TLS port does not get an answer in clear.
        with pytest.raises(requests.RequestException):
            requests.get(emulator.url.replace('https', 'http') +
                         'GetServiceVersion', timeout=10)


def test_ntlm_over_tls(tls):
    with runner.EmulatorProcess(auth='ntlm', password=conftest.PASSWORD,
                                tls_cert=tls['cert'],
                                tls_key=tls['key']) as emulator:
        with requests.Session() as session:
            session.auth = requests_ntlm.HttpNtlmAuth('admin',
                                                      conftest.PASSWORD)
            for _ in range(2):
                reply = session.get(emulator.url + 'GetBladeState',
                                    params={'bladeId': 1}, timeout=10,
                                    verify=tls['ca'])
                assert reply.status_code == 200
        # The control helpers authenticate with NTLM too.
        assert emulator.state()['sessions'] == 0
