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


"""What a failed HTTP attempt means: the error to raise, whether to retry.

The chassis manager changes state through GET requests, so whether a call
may be repeated depends on whether the request could have reached the
server. Descriptions built here never contain the URL (it carries session
tokens and console data), unlike the text of requests' exceptions.

A caller's time limit (:func:`time_limit`) also decides: an attempt is not
started, nor waited for, nor retried past it.
"""

import contextlib
import ssl
import threading
import time

import requests
import spnego.exceptions
import urllib3.exceptions

from msftocs_driver.ocs import exceptions


class Failure(Exception):
    """One failed attempt.

    :param error: the :class:`~msftocs_driver.ocs.exceptions.OCSError` the
        caller gets if the call is not retried.
    :param transient: whether retrying may help (a read may be retried).
    :param never_sent: whether the request provably never reached the
        server (any call may be retried).
    """

    def __init__(self, error, *, transient, never_sent=False):
        super().__init__(error.detail)
        self.error = error
        self.transient = transient
        self.never_sent = never_sent


def _root_cause(exc):
    cause = exc.args[0] if exc.args else None
    if isinstance(cause, urllib3.exceptions.MaxRetryError):
        cause = cause.reason
    return cause


def _reason(exc):
    """A description of a transport error that contains no URL."""
    cause = _root_cause(exc)
    name = type(cause if isinstance(cause, BaseException) else exc).__name__
    errors = [e for e in (cause, getattr(cause, '__context__', None))
              if isinstance(e, OSError) and e.strerror]
    if errors:
        return '%s (%s)' % (name, errors[0].strerror)
    return name


def _verification_failure(exc):
    """The certificate-verification error among an exception's causes."""
    seen = []
    todo = [exc]
    while todo and len(seen) < 8:
        error = todo.pop()
        if not isinstance(error, BaseException) or error in seen:
            continue
        seen.append(error)
        if isinstance(error, ssl.SSLCertVerificationError):
            return error
        if isinstance(error, urllib3.exceptions.MaxRetryError):
            todo.append(error.reason)
        todo.extend((error.args[0] if error.args else None,
                     error.__cause__, error.__context__))
    return None


def _never_sent(exc):
    """Whether a connection error proves the request never left the client.

    urllib3 raises NewConnectionError (NameResolutionError is a subclass)
    only while opening the TCP connection, before a byte is sent. Once a
    connection existed, a reset or a closed connection may come after the
    server received the request.
    """
    return isinstance(_root_cause(exc), urllib3.exceptions.NewConnectionError)


def from_requests_error(exc, context):
    """Classify an exception of requests.

    :param exc: a :class:`requests.exceptions.RequestException`.
    :param context: ``operation`` and ``blade_id`` keyword arguments for
        the error.
    :returns: a :class:`Failure`.
    """
    reason = _reason(exc)
    if isinstance(exc, requests.exceptions.SSLError):
        verification = _verification_failure(exc)
        if verification is not None:
            # Verification is part of the handshake: nothing was sent.
            return Failure(exceptions.TLSError(
                'TLS certificate verification failed (%s)'
                % (verification.verify_message or 'untrusted certificate'),
                verification_failed=True, may_have_run=False, **context),
                transient=False)
        return Failure(exceptions.TLSError(
            'TLS error: %s' % reason, may_have_run=True, **context),
            transient=False)
    if (isinstance(exc, requests.exceptions.ReadTimeout)
            or isinstance(_root_cause(exc),
                          urllib3.exceptions.ReadTimeoutError)):
        return Failure(exceptions.ReadTimeoutError(
            'no reply within the read timeout', **context), transient=True)
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return Failure(exceptions.ConnectionError(
            'connect timeout', may_have_run=False, **context),
            transient=True, never_sent=True)
    never_sent = _never_sent(exc)
    return Failure(exceptions.ConnectionError(
        'connection failed: %s' % reason, may_have_run=not never_sent,
        **context), transient=True, never_sent=never_sent)


def too_slow(reply, context):
    """The failure of an attempt whose reply outlived its deadline, if so.

    :returns: a :class:`~msftocs_driver.ocs.failures.Failure` or ``None``.
    """
    if not reply.expired:
        return None
    if reply.limited:
        return Failure(time_up(context, sent=True), transient=False)
    if reply.received:
        detail = ('reply too slow: %d bytes received, not complete within '
                  'the read timeout of %g s' % (reply.received,
                                                reply.read_timeout))
    else:
        detail = 'no reply within the read timeout of %g s' % (
            reply.read_timeout)
    return Failure(exceptions.ReadTimeoutError(detail, **context),
                   transient=True)


def from_foreign_error(exc, context, *, ntlm, ca_bundle):
    """Classify an exception that is neither requests' nor the library's.

    Only the exception's type is kept: its text or attributes may hold a
    secret (a ``UnicodeEncodeError`` holds the whole password).

    :param exc: the exception.
    :param context: ``operation`` and ``blade_id`` keyword arguments.
    :param ntlm: whether the attempt used NTLM (requests-ntlm raises
        ``PermissionError``, ``KeyError``, ``ValueError`` or a pyspnego
        error when the server's NTLM challenge is missing or malformed).
    :param ca_bundle: whether TLS trust is a CA bundle path (requests
        raises a bare ``OSError`` when it cannot read it, before it
        connects).
    :returns: a :class:`Failure`, never retried.
    """
    name = type(exc).__name__
    if ntlm and isinstance(exc, (PermissionError, KeyError, ValueError,
                                 spnego.exceptions.SpnegoError)):
        return Failure(exceptions.AuthenticationError(
            'NTLM handshake failed (%s)' % name, **context), transient=False)
    if ca_bundle and isinstance(exc, OSError):
        return Failure(exceptions.TLSError(
            'TLS error: cannot read the CA bundle (%s)' % name,
            may_have_run=False, **context), transient=False)
    return Failure(exceptions.ConnectionError(
        'unexpected error in the HTTP transport (%s)' % name, **context),
        transient=False)


_limits = threading.local()


@contextlib.contextmanager
def time_limit(seconds):
    """Bound every chassis-manager call this thread makes inside the block.

    Nested limits keep the earlier end.

    :param seconds: how long the calls of the block may take in all.
    :raises: :class:`~msftocs_driver.ocs.exceptions.TimeLimitError` from a
        call that would start, or still runs, when the time is up.
    """
    previous = getattr(_limits, 'deadline', None)
    deadline = time.monotonic() + seconds
    _limits.deadline = (deadline if previous is None
                        else min(previous, deadline))
    try:
        yield
    finally:
        _limits.deadline = previous


def deadline():
    """The :func:`time.monotonic` time this thread's limit ends, or None."""
    return getattr(_limits, 'deadline', None)


def time_left():
    """Seconds left before this thread's time limit, or None."""
    deadline = getattr(_limits, 'deadline', None)
    return None if deadline is None else deadline - time.monotonic()


def time_up(context, sent):
    """The error of a call cut short by the time limit.

    :param context: ``operation`` and ``blade_id`` keyword arguments.
    :param sent: whether the request may have reached the chassis manager.
    """
    return exceptions.TimeLimitError('the time limit of the operation ran '
                                     'out before the chassis manager '
                                     'answered', may_have_run=sent,
                                     **context)


def bounded(timeout, context):
    """Cut ``(connect, read)`` timeouts to the time left, if limited.

    :raises: :class:`Failure` once the time is up.
    """
    left = time_left()
    if left is None:
        return timeout
    if left <= 0:
        raise Failure(time_up(context, sent=False), transient=False)
    return (min(timeout[0], left), min(timeout[1], left))
