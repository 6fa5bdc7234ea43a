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


"""HTTP transport to one chassis manager.

Connection handling
-------------------
NTLM (which a stock chassis manager demands, under the ``Negotiate`` scheme)
authenticates a TCP connection, not a request: the negotiate, challenge and
authenticate legs must travel on the same kept-alive connection. requests-ntlm
releases the connection to the pool between legs and takes one again, so with
one shared :class:`requests.Session` used by several threads the legs of one
handshake could land on different connections. ``requests.Session`` is not
documented as thread-safe either.

The connector therefore keeps a bounded pool of sessions
(:mod:`~msftocs_driver.ocs.session_pool`), each holding at most **one**
connection, used by one call at a time (all handshake legs and the request
share it), so that it stays authenticated and kept alive. At most
``max_connections`` are in use: the cap of concurrent requests to one
chassis manager (whose blades all share one serial bus anyway).

Sessions ignore the environment (``trust_env = False``): proxies would break
connection-based authentication, and TLS trust is explicit (``verify``).

Retries
-------
This is the only layer that retries. Read-only operations are retried on
connection errors, read timeouts and HTTP 5xx. The chassis manager changes
state through GET requests, so a state-changing operation is retried only when
the request provably never reached the server: the TCP connection could not
be established (refused, unreachable, name resolution, connect timeout).

Time
----
``read_timeout`` bounds the whole reply of an attempt, every NTLM leg
included (:mod:`~msftocs_driver.ocs.deadline`). Inside
:func:`~msftocs_driver.ocs.failures.time_limit` (an ironic power change and
its timeout), the thread's calls wait for a connection, connect and read no
longer than the time left and are not retried past it.

Redaction
---------
Query strings carry session tokens and console data, so URLs are never logged
nor put into exceptions. Errors are raised outside any ``except`` block, so
that neither requests' exceptions (whose text contains the URL) nor foreign
ones (a ``UnicodeEncodeError`` holds the password) are chained to them.
"""

import logging
import threading
import time

import requests

from msftocs_driver.ocs import auth as auth_schemes
from msftocs_driver.ocs import deadline
from msftocs_driver.ocs import encoding
from msftocs_driver.ocs import exceptions
from msftocs_driver.ocs import failures
from msftocs_driver.ocs import overload
from msftocs_driver.ocs import session_pool

LOG = logging.getLogger(__name__)

#: Replies larger than this are refused (a full 48-blade inventory is far
#: smaller).
MAX_REPLY_BYTES = 4 * 1024 * 1024
AUTH_TYPES = auth_schemes.AUTH_TYPES


class Connector:
    """Pooled, authenticated HTTP access to one chassis manager.

    :param base_url: ``http(s)://host[:port]`` of the chassis manager.
    :param username: user name (``DOMAIN\\user`` is accepted for NTLM).
    :param password: password; never logged.
    :param auth: ``auto`` (learn it from the chassis manager's first
        challenge, see :mod:`~msftocs_driver.ocs.auth`), ``basic`` or
        ``ntlm``.
    :param verify: ``True`` to verify TLS against the system CAs, ``False``
        to skip verification, or the path of a CA bundle.
    :param connect_timeout: seconds to establish a connection.
    :param read_timeout: seconds to wait for the reply.
    :param retries: how many times a failed call may be retried.
    :param retry_interval: delay before the first retry in seconds; doubled
        for each further retry.
    :param max_connections: most concurrent requests (and connections).
    :param slots: a semaphore of ``max_connections`` slots that this
        connector shares with the other connectors of the same chassis
        manager (e.g. the clients built for other credentials, or the one
        that replaced a client dropped after an error), so that together
        they never exceed the cap; a new one when omitted.
    :raises ValueError: on an invalid argument.
    """

    def __init__(self, base_url, username, password, *, auth='auto',
                 verify=True, connect_timeout=10.0, read_timeout=60.0,
                 retries=2, retry_interval=0.5, max_connections=4,
                 slots=None):
        self.base_url = encoding.validate_base_url(base_url)
        #: ``host:port``, what logs name the chassis manager by.
        self.endpoint = self.base_url.split('://', 1)[1]
        if not isinstance(username, str) or not isinstance(password, str):
            raise ValueError('username and password must be strings')
        if auth not in AUTH_TYPES:
            raise ValueError('auth must be one of %s, not %r'
                             % (', '.join(AUTH_TYPES), auth))
        auth_schemes.warn_if_plaintext(self.base_url, self.endpoint)
        if not isinstance(verify, (bool, str)):
            raise ValueError('verify must be a bool or a CA bundle path')
        for name, value in (('connect_timeout', connect_timeout),
                            ('read_timeout', read_timeout)):
            if not value or value <= 0:
                raise ValueError('%s must be a positive number' % name)
        if retries < 0 or retry_interval < 0:
            raise ValueError('retries and retry_interval must not be '
                             'negative')
        if max_connections < 1:
            raise ValueError('max_connections must be at least 1')
        self._username = username
        self._password = password
        self.auth = auth
        self.verify = verify
        self.timeout = (float(connect_timeout), float(read_timeout))
        self.retries = int(retries)
        self.retry_interval = float(retry_interval)
        self.max_connections = int(max_connections)
        self._pool = session_pool.SessionPool(
            lambda: self._new_session(),
            threading.BoundedSemaphore(self.max_connections)
            if slots is None else slots)
        #: The connection slots (shared with the other clients of the CM).
        self._slots = self._pool.slots
        self._overload = overload.OverloadWatch(self.endpoint)

    def __repr__(self):
        return '<Connector %s auth=%s>' % (self.base_url, self.auth)

    def _new_session(self):
        session = requests.Session()
        session.trust_env = False
        session.verify = self.verify
        session.headers['Accept'] = 'application/xml'
        session.auth = None
        adapter = deadline.DeadlineAdapter(
            pool_connections=1, pool_maxsize=1, max_retries=0)
        session.mount('http://', adapter)
        session.mount('https://', adapter)
        return session

    def close(self):
        """Close every idle connection.

        Connections in use are closed when their call ends. The connector
        stays usable: a later call opens a new connection.
        """
        self._pool.close()

    def build_url(self, operation, params=()):
        """Return the URL of an operation; it may contain secrets.

        :param operation: the operation name, e.g. ``GetBladeState``.
        :param params: ``(name, value)`` pairs, values as for
            :func:`~msftocs_driver.ocs.encoding.encode_value`.
        """
        query = encoding.build_query(params)
        url = '%s/%s' % (self.base_url, operation)
        return '%s?%s' % (url, query) if query else url

    def call(self, operation, params=(), *, blade_id=None, mutating=False):
        """Run one chassis-manager operation and return the reply body.

        :param operation: the operation name, e.g. ``GetBladeState``.
        :param params: ``(name, value)`` pairs for the query string.
        :param blade_id: the blade concerned, for logs and errors.
        :param mutating: whether the operation changes state (or consumes
            data); it is then retried only if never sent.
        :returns: the body of the HTTP 200 reply, as bytes.
        :raises: :class:`~msftocs_driver.ocs.exceptions.OCSError` subclasses
            (never a requests exception).
        """
        url = self.build_url(operation, params)
        secrets = [self._password] + encoding.secret_values(params)
        attempts = self.retries + 1
        attempt = 0
        while True:
            attempt += 1
            # Errors are raised here, outside any except block: they carry
            # no context (requests' exceptions hold the URL).
            failure = self._attempt(operation, url, blade_id, secrets)
            if not isinstance(failure, failures.Failure):
                return failure
            left = failures.time_left()
            if (left is not None and left <= 0
                    and isinstance(failure.error, exceptions.ConnectionError)):
                # The timeouts were cut to the time limit.
                raise failures.time_up(
                    {'operation': operation, 'blade_id': blade_id},
                    sent=failure.error.may_have_run)
            retry = failure.transient and (failure.never_sent
                                           or not mutating)
            delay = self.retry_interval * 2 ** (attempt - 1)
            if (attempt == attempts or not retry
                    or (left is not None and left <= delay)):
                raise failure.error
            LOG.warning('Chassis manager %(cm)s, %(op)s for %(target)s '
                        'failed (%(error)s); retry %(n)d/%(m)d in '
                        '%(delay).1f s',
                        {'cm': self.endpoint, 'op': operation,
                         'target': _target(blade_id),
                         'error': failure.error.detail,
                         'n': attempt, 'm': self.retries,
                         'delay': delay})
            time.sleep(delay)

    def _scheme(self, session):
        """Give a session the credentials of the scheme in use, if known.

        :returns: ``basic``, ``ntlm``, or ``None`` while ``auto`` has not
            seen a challenge of this endpoint yet.
        """
        scheme = (self.auth if self.auth != 'auto'
                  else auth_schemes.learned(self.base_url))
        if scheme is not None and getattr(session, 'scheme', None) != scheme:
            session.auth = auth_schemes.make(scheme, self._username,
                                             self._password)
            session.scheme = scheme
        return scheme

    def _exchange(self, session, url, timeout, context):
        # requests' documented prepared-request flow, with the request
        # prepared here: the URL is already absolute and percent-encoded
        # (build_url) and the headers are the session's, so
        # Session.prepare_request's re-parsing, cookie jars and merging
        # (a fifth of a kept-alive call's time) are skipped. The chassis
        # manager sets no cookies.
        request = requests.PreparedRequest()
        request.method = 'GET'
        request.url = url
        request.headers = requests.structures.CaseInsensitiveDict(
            session.headers)
        if session.auth is not None:
            request = session.auth(request)
        with session.send(request, timeout=timeout, stream=True,
                          allow_redirects=False) as response:
            body = _read_body(response, context)
            return (response.status_code, body,
                    response.headers.get('WWW-Authenticate', ''))

    def _attempt(self, operation, url, blade_id, secrets):
        """Send one request and read its reply.

        With ``auto`` and no scheme learned yet, the request goes without
        credentials first; the chassis manager's challenge then decides
        the scheme and the request is sent again, within the same attempt
        and reply deadline (a request refused with 401 did not run).

        :returns: the body of an HTTP 200 reply, or the
            :class:`~msftocs_driver.ocs.failures.Failure` of the attempt.
        """
        context = {'operation': operation, 'blade_id': blade_id}
        try:
            timeout = failures.bounded(self.timeout, context)
            generation, session = self._pool.checkout(context)
        except failures.Failure as failure:
            return failure
        reply = deadline.Reply(self.timeout[1], failures.deadline())
        reusable = False
        start = time.monotonic()
        scheme = self._scheme(session)
        try:
            previous = deadline.watch(reply)
            try:
                status, body, challenge = self._exchange(session, url,
                                                         timeout, context)
                if status == 401 and scheme is None:
                    scheme = auth_schemes.scheme_for(challenge)
                    if scheme is not None:
                        auth_schemes.remember(self.base_url, scheme)
                        self._scheme(session)
                        status, body, challenge = self._exchange(
                            session, url, timeout, context)
            finally:
                deadline.watch(previous)
            reusable = True
        except failures.Failure as failure:
            return failure
        except requests.exceptions.RequestException as exc:
            self._overload.failed(operation, exc)
            return (failures.too_slow(reply, context)
                    or failures.from_requests_error(exc, context))
        except Exception as exc:
            return (failures.too_slow(reply, context)
                    or failures.from_foreign_error(
                        exc, context, ntlm=scheme == 'ntlm',
                        ca_bundle=isinstance(self.verify, str)))
        finally:
            self._pool.checkin(generation, session, reusable)
        elapsed = time.monotonic() - start
        LOG.debug('Chassis manager %(cm)s, %(op)s for %(target)s: HTTP '
                  '%(status)s in %(elapsed).3f s',
                  {'cm': self.endpoint, 'op': operation,
                   'target': _target(blade_id), 'status': status,
                   'elapsed': elapsed})
        self._overload.answered(operation, status)
        if status == 200:
            return body
        if status == 401:
            return failures.Failure(auth_schemes.refusal(
                self.auth, scheme, challenge, self.base_url, context),
                transient=False)
        excerpt = encoding.redacted_excerpt(body, secrets)
        error = exceptions.HTTPError(status, excerpt, **context)
        return failures.Failure(error, transient=status >= 500)


def _target(blade_id):
    return 'the chassis' if blade_id is None else 'blade %s' % blade_id


def _read_body(response, context):
    chunks = []
    size = 0
    for chunk in response.iter_content(65536):
        size += len(chunk)
        if size > MAX_REPLY_BYTES:
            raise failures.Failure(exceptions.ResponseError(
                'reply larger than %d bytes' % MAX_REPLY_BYTES, **context),
                transient=False)
        chunks.append(chunk)
    # urllib3 2 raises on a body shorter than its Content-Length; urllib3
    # 1.x (the 2025.2 constraints pin 1.26) returns what came: a cut reply
    # is a broken connection either way, never a reply to parse. (The
    # length of a compressed reply is that of its encoded form.)
    declared = response.headers.get('Content-Length', '')
    encoded = response.headers.get('Content-Encoding', 'identity')
    if (declared.isdigit() and encoded.lower() == 'identity'
            and size < int(declared)):
        raise failures.Failure(exceptions.ConnectionError(
            'connection failed: reply cut short (%d of %s bytes)'
            % (size, declared), may_have_run=True, **context),
            transient=True)
    return b''.join(chunks)
