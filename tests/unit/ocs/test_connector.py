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


"""Tests of the HTTP transport: pooling, retries, timeouts and redaction."""

import http.client
import logging
import ssl
import threading
import time
from unittest import mock

import pytest
import requests
import requests_ntlm
import urllib3
from urllib3 import exceptions as u3

from msftocs_driver.ocs import auth as auth_schemes
from msftocs_driver.ocs import connector
from msftocs_driver.ocs import exceptions
from tests.unit.ocs import samples
from tests.unit.ocs import secrets_scan

PASSWORD = 'Pa55-w0rd!'
TOKEN = '3F-A1-07-9C-5E-22-B8-41'
DATA = b'secret console line\n'
DATA_B64 = 'c2VjcmV0IGNvbnNvbGUgbGluZQo='
OK = samples.load('blade_state_on.xml')
SEND = ('SendBladeSerialData',
        [('bladeId', 1), ('sessionToken', TOKEN), ('data', DATA)])
READ = ('GetBladeState', [('bladeId', 1)])

_POOL = urllib3.HTTPConnectionPool('cm.example', 8000)
_CONN = urllib3.connection.HTTPConnection('cm.example', 8000)
_PATH = '/SendBladeSerialData?bladeId=1&sessionToken=%s&data=%s' % (
    TOKEN, DATA_B64)


def refused():
    reason = u3.NewConnectionError(
        _CONN, 'Failed to establish a new connection: [Errno 111] '
        'Connection refused')
    reason.__context__ = ConnectionRefusedError(111, 'Connection refused')
    return requests.exceptions.ConnectionError(
        u3.MaxRetryError(_POOL, _PATH, reason))


def name_not_resolved():
    if hasattr(u3, 'NameResolutionError'):
        reason = u3.NameResolutionError('cm.example', _CONN,
                                        OSError('Name or service not known'))
    else:
        # urllib3 1.26 (the 2025.2 constraints) reports it as the
        # NewConnectionError that NameResolutionError derives from in 2.x.
        reason = u3.NewConnectionError(
            _CONN, 'Failed to establish a new connection: [Errno -2] Name '
            'or service not known')
    return requests.exceptions.ConnectionError(
        u3.MaxRetryError(_POOL, _PATH, reason))


def connect_timeout():
    return requests.exceptions.ConnectTimeout(u3.MaxRetryError(
        _POOL, _PATH, u3.ConnectTimeoutError(_CONN, 'timed out')))


def read_timeout():
    return requests.exceptions.ReadTimeout(
        u3.ReadTimeoutError(_POOL, _PATH, 'Read timed out.'))


def body_read_timeout():
    return requests.exceptions.ConnectionError(
        u3.ReadTimeoutError(_POOL, _PATH, 'Read timed out.'))


def reset():
    return requests.exceptions.ConnectionError(u3.ProtocolError(
        'Connection aborted.', http.client.RemoteDisconnected(
            'Remote end closed connection without response')))


def truncated():
    return requests.exceptions.ChunkedEncodingError(
        u3.ProtocolError('Response ended prematurely'))


def untrusted_certificate():
    verify = ssl.SSLCertVerificationError(
        1, '[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed')
    verify.verify_message = 'unable to get local issuer certificate'
    reason = u3.SSLError(verify)
    reason.__context__ = reason  # a loop in the chain ends the search
    return requests.exceptions.SSLError(u3.MaxRetryError(
        _POOL, _PATH, reason))


def tls_failure():
    return requests.exceptions.SSLError(u3.MaxRetryError(
        _POOL, _PATH, u3.SSLError('certificate verify failed')))


class FakeResponse:
    def __init__(self, status, body, headers=None):
        self.status_code = status
        self.body = body
        self.headers = headers or {}

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        pass

    def iter_content(self, size):
        for start in range(0, len(self.body), size):
            yield self.body[start:start + size]


class FakeSession:
    """One pooled session; answers from a script shared by all sessions."""

    def __init__(self, script, log):
        self.script = script
        self.log = log
        self.closed = False
        self.auth = None
        self.headers = {'Accept': 'application/xml'}
        self.sent_auth = []
        self.prepared = []

    def send(self, request, **kwargs):
        self.log.append((self, request.url, kwargs))
        self.sent_auth.append(self.auth)
        self.prepared.append(request)
        action = self.script.pop(0)
        if isinstance(action, Exception):
            raise action
        if callable(action):
            return action()
        return FakeResponse(*action)

    def close(self):
        self.closed = True


class Harness:
    def __init__(self, **kwargs):
        self.script = []
        self.requests = []
        self.sessions = []
        kwargs.setdefault('retries', 2)
        kwargs.setdefault('auth', 'basic')
        self.connector = connector.Connector(
            'http://cm.example:8000', 'admin', PASSWORD,
            connect_timeout=3, read_timeout=7, **kwargs)

    def new_session(self):
        session = FakeSession(self.script, self.requests)
        self.sessions.append(session)
        return session


@pytest.fixture
def harness():
    h = Harness()
    with mock.patch.object(h.connector, '_new_session', h.new_session), \
            mock.patch.object(connector.time, 'sleep',
                              autospec=True) as sleep:
        h.sleep = sleep
        yield h


def call(h, request, mutating):
    operation, params = request
    return h.connector.call(operation, params, blade_id=1,
                            mutating=mutating)


def test_success(harness):
    harness.script.append((200, OK))
    assert call(harness, READ, False) == OK
    (_session, url, kwargs), = harness.requests
    assert url == 'http://cm.example:8000/GetBladeState?bladeId=1'
    assert kwargs == {'timeout': (3.0, 7.0), 'stream': True,
                      'allow_redirects': False}
    harness.sleep.assert_not_called()


@pytest.mark.parametrize('failure,error', [
    (refused, exceptions.ConnectionError),
    (name_not_resolved, exceptions.ConnectionError),
    (connect_timeout, exceptions.ConnectionError),
    (read_timeout, exceptions.ReadTimeoutError),
    (body_read_timeout, exceptions.ReadTimeoutError),
    (reset, exceptions.ConnectionError),
    (truncated, exceptions.ConnectionError),
    (lambda: (503, b'busy'), exceptions.HTTPError),
])
def test_reads_are_retried(harness, caplog, failure, error):
    caplog.set_level(logging.WARNING, 'msftocs_driver.ocs')
    harness.script.extend([failure(), failure(), (200, OK)])
    assert call(harness, READ, False) == OK
    assert len(harness.requests) == 3
    assert harness.sleep.call_args_list == [mock.call(0.5), mock.call(1.0)]
    # (Overload warnings come from the overload module.)
    messages = [r.getMessage() for r in caplog.records
                if r.name == connector.LOG.name]
    assert len(messages) == 2
    assert 'GetBladeState for blade 1' in messages[0]
    assert 'retry 1/2' in messages[0] and 'retry 2/2' in messages[1]
    harness.script.extend([failure()] * 3)
    with pytest.raises(error) as caught:
        call(harness, READ, False)
    assert caught.value.operation == 'GetBladeState'
    assert caught.value.blade_id == 1


@pytest.mark.parametrize('failure', [refused, name_not_resolved,
                                     connect_timeout])
def test_writes_retried_when_never_sent(harness, failure):
    harness.script.extend([failure(), (200, OK)])
    assert call(harness, SEND, True) == OK
    assert len(harness.requests) == 2


@pytest.mark.parametrize('failure,error', [
    (read_timeout, exceptions.ReadTimeoutError),
    (body_read_timeout, exceptions.ReadTimeoutError),
    (reset, exceptions.ConnectionError),
    (truncated, exceptions.ConnectionError),
    (lambda: (500, b'oops'), exceptions.HTTPError),
])
def test_writes_not_retried_when_maybe_sent(harness, failure, error):
    harness.script.extend([failure(), (200, OK)])
    with pytest.raises(error):
        call(harness, SEND, True)
    assert len(harness.requests) == 1
    harness.sleep.assert_not_called()


@pytest.mark.parametrize('mutating', [False, True])
@pytest.mark.parametrize('failure,error', [
    (lambda: (401, b'denied'), exceptions.AuthenticationError),
    (lambda: (404, b'Endpoint not found'), exceptions.HTTPError),
    (lambda: (400, b'Request Error'), exceptions.HTTPError),
    (lambda: (302, b''), exceptions.HTTPError),
    (tls_failure, exceptions.ConnectionError),
])
def test_never_retried(harness, failure, error, mutating):
    harness.script.extend([failure(), (200, OK)])
    with pytest.raises(error):
        call(harness, READ, mutating)
    assert len(harness.requests) == 1


@pytest.mark.parametrize('challenge,hint', [
    ('Negotiate', True), ('NTLM, Negotiate', True),
    ('Negotiate, Basic realm="cm"', False), ('Basic realm="cm"', False),
    ('', False),
])
def test_authentication_hint(harness, challenge, hint):
    harness.script.append((401, b'', {'WWW-Authenticate': challenge}))
    with pytest.raises(exceptions.AuthenticationError) as caught:
        call(harness, READ, False)
    assert ('use the ntlm (or auto) auth type' in str(caught.value)) is hint


def test_no_authentication_hint_with_ntlm():
    h = Harness(auth='ntlm')
    h.script.append((401, b'', {'WWW-Authenticate': 'Negotiate'}))
    with mock.patch.object(h.connector, '_new_session', h.new_session):
        with pytest.raises(exceptions.AuthenticationError) as caught:
            call(h, READ, False)
    assert 'use the ntlm' not in str(caught.value)


def test_no_retries_configured():
    h = Harness(retries=0)
    h.script.append(refused())
    with mock.patch.object(h.connector, '_new_session', h.new_session):
        with pytest.raises(exceptions.ConnectionError,
                           match='Connection refused'):
            call(h, READ, False)
    assert len(h.requests) == 1


def test_http_error_body_is_short_and_redacted(harness):
    body = ('<html><body><p>The value %s of sessionToken %s for %s is '
            'invalid</p>%s</body></html>' % (DATA_B64, TOKEN, PASSWORD,
                                             'x' * 500)).encode()
    harness.script.append((400, body))
    with pytest.raises(exceptions.HTTPError) as caught:
        call(harness, SEND, True)
    error = caught.value
    assert error.status_code == 400
    assert error.body.startswith('The value *** of sessionToken *** for ***')
    assert len(error.body) <= 203
    for secret in (DATA_B64, TOKEN, PASSWORD):
        assert secret not in str(error)


def test_oversized_reply(harness):
    harness.script.append((200, b'<' * (connector.MAX_REPLY_BYTES + 1)))
    with pytest.raises(exceptions.ResponseError, match='larger'):
        call(harness, READ, False)


def test_nothing_secret_is_logged_or_raised(harness, caplog):
    caplog.set_level(logging.DEBUG)
    failures = [refused(), connect_timeout(), read_timeout(), reset(),
                truncated(), tls_failure(), (401, b''), (500, b'x')]
    errors = []
    for failure in failures:
        harness.script[:] = [failure, failure, failure]
        with pytest.raises(exceptions.OCSError) as caught:
            call(harness, SEND, True)
        errors.append(caught.value)
    harness.script[:] = [(200, OK)]
    call(harness, SEND, True)
    texts = [caplog.text] + [str(e) for e in errors] + [
        repr(e) for e in errors]
    for text in texts:
        for secret in (PASSWORD, TOKEN, DATA_B64, 'Authorization',
                       'sessionToken', '/SendBladeSerialData?'):
            assert secret not in text
    for error in errors:
        # requests exceptions (whose text holds the URL) are not chained.
        assert error.__cause__ is None and error.__context__ is None
        secrets_scan.assert_no_secret(error, [PASSWORD, TOKEN, DATA_B64,
                                              'sessionToken'])
    assert 'SendBladeSerialData for blade 1: HTTP 200 in' in caplog.text
    assert 'cm.example:8000' in caplog.text


def test_ntlm_handshake_failure():
    h = Harness(auth='ntlm')
    h.script.append(PermissionError('Access denied: Server did not respond '
                                    'with NTLM challenge token'))
    with mock.patch.object(h.connector, '_new_session', h.new_session):
        with pytest.raises(exceptions.AuthenticationError,
                           match='NTLM handshake failed'):
            call(h, READ, False)
    assert len(h.requests) == 1


@pytest.mark.parametrize('foreign', [
    KeyError('bug'),
    UnicodeEncodeError('latin-1', PASSWORD, 0, 1, 'ordinal not in range'),
    RuntimeError(PASSWORD),
])
def test_foreign_exceptions_become_own_errors(harness, foreign):
    harness.script.extend([foreign, (200, OK)])
    with pytest.raises(exceptions.ConnectionError) as caught:
        call(harness, READ, False)
    error = caught.value
    assert str(error) == ('GetBladeState blade 1: unexpected error in the '
                          'HTTP transport (%s)' % type(foreign).__name__)
    secrets_scan.assert_no_secret(error, [PASSWORD])
    assert error.may_have_run is True
    assert error.__context__ is None and error.__cause__ is None
    # Not retried: nothing says another attempt would fare better.
    assert len(harness.requests) == 1


def test_untrusted_certificate(harness):
    harness.script.append(untrusted_certificate())
    with pytest.raises(exceptions.TLSError) as caught:
        call(harness, SEND, True)
    error = caught.value
    assert str(error) == ('SendBladeSerialData blade 1: TLS certificate '
                          'verification failed (unable to get local issuer '
                          'certificate)')
    assert error.verification_failed and error.may_have_run is False
    assert len(harness.requests) == 1


def test_unreadable_ca_bundle():
    h = Harness(verify='/nonexistent/ca.pem')
    h.script.append(OSError('Could not find a suitable TLS CA certificate '
                            'bundle, invalid path: /nonexistent/ca.pem'))
    with mock.patch.object(h.connector, '_new_session', h.new_session):
        with pytest.raises(exceptions.TLSError,
                           match='cannot read the CA bundle') as caught:
            call(h, READ, False)
    assert caught.value.may_have_run is False
    assert not caught.value.verification_failed
    assert len(h.requests) == 1


def test_sessions_are_reused_and_discarded_after_errors(harness):
    harness.script.extend([(200, OK), (200, OK), reset(), (200, OK)])
    for _ in range(2):
        call(harness, READ, False)
    assert len(harness.sessions) == 1
    harness.connector.retries = 0
    with pytest.raises(exceptions.ConnectionError):
        call(harness, READ, False)
    assert harness.sessions[0].closed
    call(harness, READ, False)
    assert len(harness.sessions) == 2
    assert not harness.sessions[1].closed


def test_close(harness):
    in_use = threading.Event()
    release = threading.Event()

    def slow_reply():
        in_use.set()
        release.wait(5)
        return FakeResponse(200, OK)

    harness.script.extend([(200, OK), slow_reply])
    call(harness, READ, False)
    idle = harness.sessions[0]
    worker = threading.Thread(target=call, args=(harness, READ, False))
    worker.start()
    assert in_use.wait(5)
    harness.connector.close()
    release.set()
    worker.join(5)
    # The session busy during close() is closed when its call ends.
    assert idle.closed
    # The connector remains usable.
    harness.script.append((200, OK))
    assert call(harness, READ, False) == OK
    assert not harness.sessions[-1].closed


def test_pool_bounds_concurrency():
    h = Harness(max_connections=2)
    lock = threading.Lock()
    state = {'active': 0, 'peak': 0}

    def slow_reply():
        with lock:
            state['active'] += 1
            state['peak'] = max(state['peak'], state['active'])
        time.sleep(0.02)
        with lock:
            state['active'] -= 1
        return FakeResponse(200, OK)

    h.script.extend([slow_reply] * 24)
    with mock.patch.object(h.connector, '_new_session', h.new_session):
        threads = [threading.Thread(target=lambda: [
            call(h, READ, False) for _ in range(4)]) for _ in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(10)
    assert len(h.requests) == 24
    assert state['peak'] == 2
    assert len(h.sessions) == 2


@pytest.mark.parametrize('auth,auth_class', [
    ('basic', auth_schemes.Utf8BasicAuth),
    ('ntlm', requests_ntlm.HttpNtlmAuth),
])
def test_real_sessions(auth, auth_class):
    conn = connector.Connector('https://cm:8000', 'DOM\\admin', PASSWORD,
                               auth=auth, verify='/etc/ca.pem')
    session = conn._new_session()
    assert session.auth is None
    assert conn._scheme(session) == auth
    assert isinstance(session.auth, auth_class)
    auth_object = session.auth
    conn._scheme(session)
    assert session.auth is auth_object  # built once per session
    assert session.verify == '/etc/ca.pem'
    assert session.trust_env is False
    adapter = session.get_adapter('https://cm:8000/')
    assert adapter is session.get_adapter('http://cm:8000/')
    assert adapter._pool_maxsize == 1
    assert adapter.max_retries.total == 0
    assert 'cm:8000' in repr(conn) and PASSWORD not in repr(conn)
    assert PASSWORD not in repr(auth_object)
    session.close()


@pytest.mark.parametrize('kwargs,match', [
    ({'auth': 'kerberos'}, 'auth'),
    ({'verify': 1}, 'verify'),
    ({'connect_timeout': 0}, 'connect_timeout'),
    ({'read_timeout': None}, 'read_timeout'),
    ({'retries': -1}, 'retries'),
    ({'retry_interval': -0.1}, 'retries'),
    ({'max_connections': 0}, 'max_connections'),
])
def test_invalid_settings(kwargs, match):
    with pytest.raises(ValueError, match=match):
        connector.Connector('http://cm', 'u', 'p', **kwargs)


def test_credentials_must_be_strings():
    with pytest.raises(ValueError, match='password') as caught:
        connector.Connector('http://cm', 'u', None)
    with pytest.raises(ValueError, match='username'):
        connector.Connector('http://cm', b'u', 'p')
    assert 'None' not in str(caught.value)


def test_session_creation_failure_frees_the_slot():
    h = Harness(max_connections=1)
    with mock.patch.object(h.connector, '_new_session', autospec=True,
                           side_effect=[MemoryError(), h.new_session()]):
        with pytest.raises(MemoryError):
            call(h, READ, False)
        h.script.append((200, OK))
        assert call(h, READ, False) == OK


@pytest.mark.parametrize('failure,may_have_run', [
    (refused, False),
    (name_not_resolved, False),
    (connect_timeout, False),
    (read_timeout, True),
    (body_read_timeout, True),
    (reset, True),
    (truncated, True),
    (tls_failure, True),
    (lambda: (500, b'oops'), True),
    (lambda: (503, b'busy'), True),
    (lambda: (400, b'Request Error'), False),
    (lambda: (401, b''), False),
    (lambda: (200, b'<not xml'), None),
])
def test_errors_say_whether_the_request_may_have_run(harness, failure,
                                                     may_have_run):
    harness.connector.retries = 0
    harness.script.append(failure())
    if may_have_run is None:
        # The body is returned; the parser's ResponseError says it.
        assert call(harness, SEND, True) == b'<not xml'
        assert exceptions.ResponseError('x').may_have_run is True
        return
    with pytest.raises(exceptions.OCSError) as caught:
        call(harness, SEND, True)
    assert caught.value.may_have_run is may_have_run


def test_completion_codes_did_not_run():
    error = exceptions.CompletionCodeError(
        exceptions.constants.CompletionCode.Failure, 'Failure')
    assert error.may_have_run is False
    assert exceptions.OCSError('x', may_have_run=True).may_have_run is True


def test_close_closes_idle_sessions(harness):
    harness.script.append((200, OK))
    call(harness, READ, False)
    idle, = harness.sessions
    harness.connector.close()
    assert idle.closed


def test_a_reply_shorter_than_its_length_is_a_broken_connection(harness):
    # What urllib3 1.26 returns where urllib3 2 raises.
    harness.connector.retries = 0
    harness.script.append((200, OK[:20], {'Content-Length': str(len(OK))}))
    with pytest.raises(exceptions.ConnectionError,
                       match='reply cut short .20 of') as caught:
        call(harness, SEND, True)
    assert caught.value.may_have_run


def test_request_carries_the_session_headers_and_credentials(harness):
    harness.script.append((200, OK))
    call(harness, READ, False)
    request, = harness.sessions[0].prepared
    assert request.method == 'GET'
    assert request.url == 'http://cm.example:8000/GetBladeState?bladeId=1'
    assert request.headers['Accept'] == 'application/xml'
    assert request.headers['Authorization'] == 'Basic YWRtaW46UGE1NS13MHJkIQ=='
