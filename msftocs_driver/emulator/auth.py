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


"""HTTP authentication of the emulator: Basic, or NTLM under Negotiate.

A stock CM demands Windows authentication: ``WWW-Authenticate: Negotiate``
(reference 1.2; the header is the standard WCF mapping, an inference).
With NTLM, HTTP.sys authenticates the TCP *connection*: once the handshake
succeeded, later requests on that connection are served without an
``Authorization`` header, and requests-ntlm relies on it. The handshake
state is therefore keyed on the connection object the server puts in
``environ['msftocs.connection']`` (see :mod:`.cli`), held weakly, or on
the client address and port under other WSGI servers.
"""

import base64
import binascii
import collections
import hmac
import logging
import os
import tempfile
import threading
import weakref

import spnego

LOG = logging.getLogger(__name__)

#: environ key of the server's connection object (set by .cli).
CONNECTION_KEY = 'msftocs.connection'
_REALM = 'msftocs-emulator'
_FALLBACK_STATES = 1024


class AuthResult(object):
    """Outcome of checking one request.

    :ivar ok: whether the request may proceed.
    :ivar headers: response headers to add (challenges), a list of pairs.
    :ivar leg: for a refusal, which handshake leg the 401 answers:
        ``challenge`` when it carries the NTLM CHALLENGE_MESSAGE, else
        ``unauthenticated`` (fault injection targets legs by these names).
    """

    __slots__ = ('ok', 'headers', 'leg')

    def __init__(self, ok, headers=(), leg='unauthenticated'):
        self.ok = ok
        self.headers = list(headers)
        self.leg = leg


_GRANTED = AuthResult(True)


class BasicAuthenticator(object):
    """HTTP Basic authentication against one account.

    :param username: the account name.
    :param password: its password.
    """

    scheme = 'basic'

    def __init__(self, username, password):
        self._expected = ('%s:%s' % (username, password)).encode('utf-8')
        self._challenge = AuthResult(
            False, [('WWW-Authenticate', 'Basic realm="%s"' % _REALM)])

    @property
    def challenge_headers(self):
        """Headers of a 401 asking for credentials."""
        return list(self._challenge.headers)

    def check(self, environ):
        """Check the request's credentials.

        :returns: an :class:`AuthResult`.
        """
        header = environ.get('HTTP_AUTHORIZATION', '')
        scheme, _, value = header.partition(' ')
        if scheme.lower() != 'basic':
            return self._challenge
        try:
            given = base64.b64decode(value.strip(), validate=True)
        except (binascii.Error, ValueError):
            return self._challenge
        if hmac.compare_digest(given, self._expected):
            return _GRANTED
        return self._challenge

    def close(self):
        """Nothing to release."""


class _ConnectionStates(object):
    """Per-connection handshake state, weakly keyed when possible."""

    def __init__(self):
        self._lock = threading.Lock()
        self._weak = weakref.WeakKeyDictionary()
        self._by_address = collections.OrderedDict()

    @staticmethod
    def _key(environ):
        conn = environ.get(CONNECTION_KEY)
        if conn is not None:
            return conn, True
        return (environ.get('REMOTE_ADDR'), environ.get('REMOTE_PORT')), False

    def get(self, environ):
        key, weak = self._key(environ)
        with self._lock:
            if weak:
                return self._weak.get(key)
            return self._by_address.get(key)

    def set(self, environ, state):
        key, weak = self._key(environ)
        with self._lock:
            if weak:
                self._weak[key] = state
                return
            self._by_address[key] = state
            self._by_address.move_to_end(key)
            while len(self._by_address) > _FALLBACK_STATES:
                self._by_address.popitem(last=False)


class NtlmAuthenticator(object):
    """NTLM authentication offered under the ``Negotiate`` scheme.

    pyspnego's NTLM acceptor reads the account from the file named by the
    environment variable ``NTLM_USER_FILE``; this writes it (mode 0600,
    ``:USER:PASSWORD``, so the client gives the user name without a
    domain) and :meth:`close` removes it. Where the system allows, the
    file lives in memory only (a memfd reached through ``/proc/self/fd``),
    so that not even a killed process leaves the password on disk. The
    variable is process-wide: one NTLM authenticator per process.

    :param username: the account name.
    :param password: its password (no ':' or line break).
    :raises: ValueError for a user name or password the file cannot hold.
    """

    scheme = 'ntlm'

    def __init__(self, username, password):
        for field, value in (('username', username), ('password', password)):
            if any(c in value for c in ':\r\n'):
                raise ValueError('NTLM %s must not contain ":" or a line '
                                 'break' % field)
        self._user_file, self._memfd = _credential_file(
            (':%s:%s\n' % (username, password)).encode('utf-8'))
        os.environ['NTLM_USER_FILE'] = self._user_file
        self._states = _ConnectionStates()
        self._challenge = AuthResult(False, [('WWW-Authenticate',
                                              'Negotiate')])

    @property
    def challenge_headers(self):
        """Headers of a 401 asking for credentials."""
        return list(self._challenge.headers)

    def check(self, environ):
        """Advance or verify the NTLM handshake of the request's connection.

        :returns: an :class:`AuthResult`: granted for an authenticated
            connection, else a 401 challenge (empty, or the server token).
        """
        header = environ.get('HTTP_AUTHORIZATION', '')
        scheme, _, value = header.partition(' ')
        if scheme.lower() not in ('negotiate', 'ntlm'):
            if self._states.get(environ) is True:
                return _GRANTED
            return self._challenge
        try:
            token = base64.b64decode(value.strip(), validate=True)
        except (binascii.Error, ValueError):
            return self._challenge
        is_ntlm = token.startswith(b'NTLMSSP\x00')
        if is_ntlm and token[8:9] == b'\x01':  # NEGOTIATE_MESSAGE: start
            context = spnego.server(
                protocol='ntlm', options=spnego.NegotiateOptions.use_ntlm)
        else:
            context = self._states.get(environ)
            if not is_ntlm or context is None or context is True:
                return self._challenge
        try:
            answer = context.step(token)
        except Exception:
            # A wrong password raises SpnegoError; a malformed message can
            # raise struct or value errors from the parser. All mean 401.
            LOG.info('NTLM authentication failed for %s',
                     environ.get('REMOTE_ADDR'))
            self._states.set(environ, None)
            return self._challenge
        if not context.complete:
            self._states.set(environ, context)
            return AuthResult(False, [(
                'WWW-Authenticate',
                '%s %s' % (scheme, base64.b64encode(answer).decode()))],
                leg='challenge')
        self._states.set(environ, True)
        if answer:
            return AuthResult(True, [(
                'WWW-Authenticate',
                '%s %s' % (scheme, base64.b64encode(answer).decode()))])
        return _GRANTED

    def close(self):
        """Remove the credential file."""
        if self._user_file:
            if self._memfd is not None:
                os.close(self._memfd)
                self._memfd = None
            else:
                try:
                    os.unlink(self._user_file)
                except FileNotFoundError:
                    pass
            if os.environ.get('NTLM_USER_FILE') == self._user_file:
                del os.environ['NTLM_USER_FILE']
            self._user_file = None


def _credential_file(content):
    """Write ``content`` to a private file, in memory when possible.

    :returns: ``(path, memfd)``; ``memfd`` is None for a file on disk.
    """
    if hasattr(os, 'memfd_create') and os.path.isdir('/proc/self/fd'):
        fd = os.memfd_create('msftocs-ntlm', os.MFD_CLOEXEC)
        os.fchmod(fd, 0o600)
        os.write(fd, content)
        return '/proc/self/fd/%d' % fd, fd
    fd, path = tempfile.mkstemp(prefix='msftocs-ntlm-')  # mode 0600
    with os.fdopen(fd, 'wb') as f:
        f.write(content)
    return path, None


def make_authenticator(scheme, username, password):
    """Build the authenticator for ``--auth``.

    :param scheme: ``basic`` or ``ntlm``.
    """
    if scheme == 'ntlm':
        return NtlmAuthenticator(username, password)
    if scheme == 'basic':
        return BasicAuthenticator(username, password)
    raise ValueError('unknown authentication scheme %r' % scheme)
