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

"""Tests of the authentication schemes: auto, Basic in UTF-8, hints."""

import base64
import http.server
import logging
import threading
from unittest import mock

import pytest
import requests
import requests_ntlm

from msftocs_driver.ocs import auth
from msftocs_driver.ocs import connector
from msftocs_driver.ocs import exceptions
from tests.unit.ocs import test_connector as helpers

NEGOTIATE = {'WWW-Authenticate': 'Negotiate, NTLM'}
BASIC = {'WWW-Authenticate': 'Basic realm="cm"'}


def _harness(**kwargs):
    kwargs.setdefault('auth', 'auto')
    h = helpers.Harness(**kwargs)
    patcher = mock.patch.object(h.connector, '_new_session', h.new_session)
    patcher.start()
    h.stop = patcher.stop
    return h


@pytest.fixture
def auto():
    h = _harness()
    yield h
    h.stop()


@pytest.mark.parametrize('challenge,scheme,auth_class', [
    (NEGOTIATE, 'ntlm', requests_ntlm.HttpNtlmAuth),
    ({'WWW-Authenticate': 'Negotiate'}, 'ntlm', requests_ntlm.HttpNtlmAuth),
    ({'WWW-Authenticate': 'Basic realm="cm", NTLM'}, 'ntlm',
     requests_ntlm.HttpNtlmAuth),
    (BASIC, 'basic', auth.Utf8BasicAuth),
])
def test_auto_learns_from_the_first_challenge(auto, challenge, scheme,
                                              auth_class):
    auto.script.extend([(401, b'', challenge), (200, helpers.OK),
                        (200, helpers.OK)])
    assert helpers.call(auto, helpers.SEND, True) == helpers.OK
    session, = auto.sessions
    # Nothing secret before the challenge; then the learned scheme.
    assert session.sent_auth[0] is None
    assert isinstance(session.sent_auth[1], auth_class)
    assert auth.learned('http://cm.example:8000') == scheme
    # Remembered for the endpoint: another client does not ask again.
    other = _harness()
    other.script.append((200, helpers.OK))
    helpers.call(other, helpers.READ, False)
    assert isinstance(other.sessions[0].sent_auth[0], auth_class)
    other.stop()


def test_auto_with_no_supported_scheme(auto):
    auto.script.append((401, b'', {'WWW-Authenticate': 'Digest realm="x"'}))
    with pytest.raises(exceptions.AuthenticationError,
                       match='offers no authentication scheme this client '
                             'supports .HTTP 401, offered: digest'):
        helpers.call(auto, helpers.READ, False)
    auto.script.append((401, b''))
    with pytest.raises(exceptions.AuthenticationError,
                       match='offered: none'):
        helpers.call(auto, helpers.READ, False)
    assert auth.learned('http://cm.example:8000') is None


def test_auto_without_authentication(auto):
    auto.script.append((200, helpers.OK))
    assert helpers.call(auto, helpers.READ, False) == helpers.OK
    assert auth.learned('http://cm.example:8000') is None


def test_auto_relearns_when_the_scheme_changes(auto):
    auto.script.extend([(401, b'', BASIC), (200, helpers.OK),
                        (401, b'', NEGOTIATE)])
    helpers.call(auto, helpers.READ, False)
    with pytest.raises(exceptions.AuthenticationError) as caught:
        helpers.call(auto, helpers.READ, False)
    assert 'use the' not in str(caught.value)
    assert auth.learned('http://cm.example:8000') is None


def test_auto_keeps_the_scheme_on_wrong_credentials(auto):
    auto.script.extend([(401, b'', BASIC), (200, helpers.OK),
                        (401, b'', BASIC)])
    helpers.call(auto, helpers.READ, False)
    with pytest.raises(exceptions.AuthenticationError,
                       match='rejected the credentials'):
        helpers.call(auto, helpers.READ, False)
    assert auth.learned('http://cm.example:8000') == 'basic'


@pytest.mark.parametrize('configured,challenge,hint', [
    ('basic', 'Negotiate', 'use the ntlm (or auto) auth type'),
    ('ntlm', 'Basic realm="cm"', 'use the basic (or auto) auth type'),
    ('ntlm', 'Negotiate', None),
    ('ntlm', 'NTLM', None),
    ('basic', 'Basic realm="cm"', None),
    ('basic', 'Negotiate, Basic realm="cm"', None),
    ('auto', 'Negotiate', None),
    ('basic', '', None),
])
def test_hints(configured, challenge, hint):
    text = auth.hint(configured, challenge)
    if hint is None:
        assert text == ''
    else:
        assert hint in text


def test_schemes_ignore_parameters():
    assert auth.schemes('Basic realm="a,b=c", Negotiate') == {
        'basic', 'negotiate'}
    assert auth.schemes(None) == set()


def test_basic_credentials_are_utf8():
    password = 'pä55-wörd-€-密码'
    request = requests.Request('GET', 'http://cm/x').prepare()
    auth.Utf8BasicAuth('admin', password)(request)
    scheme, token = request.headers['Authorization'].split(' ')
    assert scheme == 'Basic'
    assert base64.b64decode(token).decode('utf-8') == 'admin:' + password


def test_plain_http_warned_once_per_endpoint(caplog):
    caplog.set_level(logging.WARNING, 'msftocs_driver.ocs')
    for _ in range(2):
        connector.Connector('http://cm1:8000', 'u', 'p')
    connector.Connector('http://cm2:8000', 'u', 'p')
    connector.Connector('https://cm3:8000', 'u', 'p')
    assert caplog.messages == [
        'Chassis manager %s is reached over plain http: the credentials and '
        'the serial console data cross the network unencrypted; use https'
        % name for name in ('cm1:8000', 'cm2:8000')]


def test_remember_logs_a_change_once(caplog):
    caplog.set_level(logging.INFO, 'msftocs_driver.ocs')
    auth.remember('https://cm:8000', 'ntlm')
    auth.remember('https://cm:8000', 'ntlm')
    auth.remember('https://cm:8000', None)
    auth.remember('https://cm:8000', None)
    assert len(caplog.messages) == 1
    assert 'asks for ntlm authentication' in caplog.messages[0]


class _ChallengingHandler(http.server.BaseHTTPRequestHandler):
    """Answers 401 + Basic challenge without credentials, else the sample."""

    protocol_version = 'HTTP/1.1'
    seen = []

    def do_GET(self):
        authorization = self.headers.get('Authorization')
        self.seen.append(authorization)
        if authorization is None:
            self.send_response(401)
            self.send_header('WWW-Authenticate', 'Basic realm="cm"')
            body = b''
        else:
            self.send_response(200)
            body = helpers.OK
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_auto_sends_no_password_before_the_challenge_on_the_wire():
    server = http.server.ThreadingHTTPServer(('127.0.0.1', 0),
                                             _ChallengingHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _ChallengingHandler.seen = []
    try:
        url = 'http://127.0.0.1:%d' % server.server_address[1]
        conn = connector.Connector(url, 'admin', 'pä55', auth='auto')
        for _ in range(2):
            assert conn.call('SetBladeOn', [('bladeId', 1)], blade_id=1,
                             mutating=True) == helpers.OK
        conn.close()
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
    token = base64.b64encode('admin:pä55'.encode('utf-8')).decode()
    # The challenge first, then the learned scheme from the start.
    assert _ChallengingHandler.seen == [None, 'Basic ' + token,
                                        'Basic ' + token]
