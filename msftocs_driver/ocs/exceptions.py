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


"""Errors raised by the chassis-manager client.

Every error carries the chassis-manager ``operation`` it happened in and the
``blade_id`` it concerned (``None`` for chassis-wide operations), so that
callers can report them without knowing the request. Messages never contain
a password, an ``Authorization`` header, a serial session token or serial
console data.

``may_have_run`` tells whether the chassis manager may have executed the
request although the call failed: ``True`` when the request was sent and no
trustworthy answer came back (connection lost after sending, read timeout,
time limit while waiting, HTTP 5xx, an unreadable reply), ``False`` when the
request provably never left the client (the chassis manager could not be
reached) or when the chassis manager answered that it did not run it (a
completion code, HTTP 401 or 4xx). Callers use it to tell "no reply to
SetBladeOn" from "cannot reach the chassis manager".
"""

import re

from msftocs_driver.ocs import constants

_DECOMPRESSION_RE = re.compile(r'Decompression Time Remaining:?\s*(\d+)',
                               re.IGNORECASE)


class OCSError(Exception):
    """Root of every error of the chassis-manager client.

    :param detail: what went wrong, without any secret.
    :param operation: the chassis-manager operation name, if known.
    :param blade_id: the blade the request concerned, if any.
    :param may_have_run: whether the request may have been executed; the
        class's default when omitted.
    """

    #: Whether the chassis manager may have executed the failed request.
    may_have_run = False

    def __init__(self, detail, *, operation=None, blade_id=None,
                 may_have_run=None):
        self.detail = detail
        self.operation = operation
        self.blade_id = blade_id
        if may_have_run is not None:
            self.may_have_run = may_have_run
        super().__init__(self._format())

    def _format(self):
        where = []
        if self.operation:
            where.append(self.operation)
        if self.blade_id is not None:
            where.append('blade %s' % self.blade_id)
        if not where:
            return self.detail
        return '%s: %s' % (' '.join(where), self.detail)


class ConnectionError(OCSError):
    """The chassis manager could not be reached or the connection failed.

    ``may_have_run`` is ``False`` only when the request provably never left
    the client (connection refused, unreachable, name resolution, connect
    timeout, TLS handshake): "cannot reach". Otherwise the request may have
    reached the chassis manager: "no reply".
    """

    may_have_run = True


class TLSError(ConnectionError):
    """TLS failed, or the CA bundle to verify it with cannot be read.

    ``verification_failed`` tells a certificate the client does not trust
    (a caller may then say which setting names the CA bundle).
    """

    def __init__(self, detail, *, verification_failed=False, **kwargs):
        self.verification_failed = verification_failed
        super().__init__(detail, **kwargs)


class ReadTimeoutError(ConnectionError):
    """The chassis manager's reply did not arrive whole in time.

    The read timeout bounds the whole reply of an attempt (headers, body and
    every NTLM leg), not each read of the socket.

    The request may have been executed: a state-changing operation is never
    retried after this error.
    """


class TimeLimitError(ConnectionError):
    """The caller's time limit ran out before the chassis manager answered.

    Raised inside :func:`~msftocs_driver.ocs.client.time_limit`. Like a
    read timeout, the request may have been executed, unless the time ran
    out before it was sent (``may_have_run`` is then ``False``).
    """


class AuthenticationError(OCSError):
    """The chassis manager rejected the credentials (HTTP 401)."""


class HTTPError(OCSError):
    """The chassis manager answered with an HTTP status other than 200.

    :param status_code: the HTTP status code.
    :param body: the start of the response body, with secrets removed.
    """

    def __init__(self, status_code, body='', **kwargs):
        self.status_code = status_code
        self.body = body
        # A server error may come after the operation ran, in part or whole.
        kwargs.setdefault('may_have_run', status_code >= 500)
        detail = 'HTTP %s' % status_code
        if body:
            detail = '%s: %s' % (detail, body)
        super().__init__(detail, **kwargs)


class ResponseError(OCSError):
    """The reply could not be parsed or did not answer the request.

    The request may have been executed: the reply that would say so is
    unreadable.
    """

    may_have_run = True


class CompletionCodeError(OCSError):
    """The chassis manager answered with a non-Success ``completionCode``.

    :param code: the :class:`~msftocs_driver.ocs.constants.CompletionCode`.
    :param status_description: the ``statusDescription`` of the reply.
    """

    def __init__(self, code, status_description='', **kwargs):
        self.code = code
        self.status_description = status_description or ''
        detail = 'completion code %s' % code.name
        if self.status_description and self.status_description != code.name:
            detail = '%s (%s)' % (detail, self.status_description)
        super().__init__(detail, **kwargs)


class DevicePoweredOffError(CompletionCodeError):
    """The blade's Blade_EN switch is off (the blade has no power at all)."""


class FirmwareDecompressingError(CompletionCodeError):
    """The blade's BMC firmware is still decompressing after power-on.

    ``seconds_remaining`` is parsed from "Decompression Time Remaining N" when
    the chassis manager says so, else ``None``.
    """

    def __init__(self, code, status_description='', **kwargs):
        match = _DECOMPRESSION_RE.search(status_description or '')
        self.seconds_remaining = int(match.group(1)) if match else None
        super().__init__(code, status_description, **kwargs)


class ParameterOutOfRangeError(CompletionCodeError):
    """A parameter (often the blade id) is outside the accepted range."""


class CommandNotValidForBladeError(CompletionCodeError):
    """The operation is not valid for this blade type (e.g. a JBOD)."""


class BladeTimeoutError(CompletionCodeError):
    """The blade's BMC did not answer: an empty slot or a dead BMC."""


class SerialSessionActiveError(CompletionCodeError):
    """A serial session is already open, or the session token is wrong."""


class NoActiveSerialSessionError(CompletionCodeError):
    """No serial session is open for the blade."""


class MaxSerialSessionReachedError(CompletionCodeError):
    """The chassis already has its maximum number of serial sessions."""


_ERRORS_BY_CODE = {
    constants.CompletionCode.DevicePoweredOff: DevicePoweredOffError,
    constants.CompletionCode.FirmwareDecompressing:
        FirmwareDecompressingError,
    constants.CompletionCode.ParameterOutOfRange: ParameterOutOfRangeError,
    constants.CompletionCode.CommandNotValidForBlade:
        CommandNotValidForBladeError,
    constants.CompletionCode.Timeout: BladeTimeoutError,
    constants.CompletionCode.SerialSessionActive: SerialSessionActiveError,
    constants.CompletionCode.NoActiveSerialSession:
        NoActiveSerialSessionError,
    constants.CompletionCode.MaxSerialSessionReached:
        MaxSerialSessionReachedError,
}


def error_for_code(code):
    """Return the exception class for a non-Success completion code.

    :param code: a :class:`~msftocs_driver.ocs.constants.CompletionCode`.
    :returns: a subclass of :class:`CompletionCodeError`; the base class
        itself for codes without a dedicated subclass.
    """
    return _ERRORS_BY_CODE.get(code, CompletionCodeError)
