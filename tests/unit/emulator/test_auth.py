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


"""NTLM (under Negotiate) authentication, connection-based."""

import base64
import os
import stat

import pytest
import spnego

from msftocs_driver.emulator import auth
from tests.unit.emulator import base


class Connection(object):
    """Stands in for cheroot's connection object (weakly referenceable)."""


@pytest.fixture
def ntlm(monkeypatch):
    monkeypatch.delenv('NTLM_USER_FILE', raising=False)
    authenticator = auth.NtlmAuthenticator(base.USER, base.PASSWORD)
    yield authenticator
    authenticator.close()


@pytest.fixture
def app(ntlm):
    return base.make_app(authenticator=ntlm)[0]


def request(app, authorization=None, connection=None, port='40000'):
    environ = {'REMOTE_PORT': port}
    if connection is not None:
        environ[auth.CONNECTION_KEY] = connection
    return base.call(app, '/GetBladeState', 'bladeId=1',
                     authorization=authorization, environ=environ)


def handshake(app, connection, password=base.PASSWORD, port='40000'):
    client = spnego.client(base.USER, password, protocol='ntlm')
    first = request(app, connection=connection, port=port)
    assert first.status_code == 401
    assert first.headers['WWW-Authenticate'] == 'Negotiate'
    negotiate = base64.b64encode(client.step()).decode()
    challenge = request(app, 'Negotiate ' + negotiate, connection, port)
    assert challenge.status_code == 401
    scheme, token = challenge.headers['WWW-Authenticate'].split(' ')
    assert scheme == 'Negotiate'
    authenticate = base64.b64encode(
        client.step(base64.b64decode(token))).decode()
    return request(app, 'Negotiate ' + authenticate, connection, port)


def test_credential_file_is_private_and_removed(ntlm):
    path = os.environ['NTLM_USER_FILE']
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    with open(path) as f:
        assert f.read() == ':admin:secret\n'
    in_memory = os.path.isdir('/proc/self/fd')
    if in_memory:
        # Nothing on disk, even if the process is killed.
        assert os.readlink(path).startswith('/memfd:msftocs-ntlm')
    ntlm.close()
    if in_memory:  # the descriptor is closed (its number may be reused)
        assert not (os.path.exists(path) and os.readlink(path).startswith(
            '/memfd:msftocs-ntlm'))
    else:
        assert not os.path.exists(path)
    assert 'NTLM_USER_FILE' not in os.environ


def test_credential_file_on_disk_without_memfd(monkeypatch):
    monkeypatch.delattr(os, 'memfd_create', raising=False)
    monkeypatch.delenv('NTLM_USER_FILE', raising=False)
    authenticator = auth.NtlmAuthenticator(base.USER, base.PASSWORD)
    path = os.environ['NTLM_USER_FILE']
    try:
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
        with open(path) as f:
            assert f.read() == ':admin:secret\n'
    finally:
        authenticator.close()
    assert not os.path.exists(path)


def test_handshake_authenticates_the_connection(app):
    connection = Connection()
    reply = handshake(app, connection)
    assert reply.status_code == 200
    assert reply.text('bladeState') == 'OFF'
    # Later requests on the same connection need no header.
    assert request(app, connection=connection).status_code == 200
    # Another connection does.
    assert request(app, connection=Connection()).status_code == 401


def test_wrong_password_is_rejected(app):
    connection = Connection()
    reply = handshake(app, connection, password='wrong')
    assert reply.status_code == 401
    assert reply.headers['WWW-Authenticate'] == 'Negotiate'
    assert request(app, connection=connection).status_code == 401


def test_basic_credentials_are_not_accepted(app):
    assert request(app, base.BASIC, Connection()).status_code == 401


def test_garbage_tokens_get_a_fresh_challenge(app):
    for header in ('Negotiate !!!', 'Negotiate ' + base64.b64encode(
            b'NTLMSSP\x00\x03\x00\x00\x00').decode(), 'NTLM'):
        reply = request(app, header, Connection())
        assert reply.status_code == 401
        assert reply.headers['WWW-Authenticate'] == 'Negotiate'


def test_falls_back_to_the_client_address_without_a_connection(app):
    assert handshake(app, None, port='5000').status_code == 200
    assert request(app, port='5000').status_code == 200
    assert request(app, port='5001').status_code == 401


@pytest.mark.parametrize('username,password', [
    ('ad:min', 'x'), ('admin', 'a:b'), ('admin', 'a\nb')])
def test_unstorable_credentials(username, password):
    with pytest.raises(ValueError):
        auth.NtlmAuthenticator(username, password)
