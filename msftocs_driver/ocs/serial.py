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

"""A blade serial-console session that stays open.

The chassis manager's console API is a polling one: Start returns a token,
Send writes bytes, Receive returns what the BMC buffered (up to 1024 bytes)
and Stop closes the session. :class:`SerialSession` wraps it so that a
console bridge can simply read and write:

* it keeps the session alive: the chassis manager closes a session after
  ``session_timeout`` seconds without activity, and Receive does not count
  as activity (only Start and Send refresh the timer), so an idle reader
  sends an empty Send every ``keepalive_interval`` seconds (CM v2.5; CM
  v2.0 refuses an empty Send, and its sessions are given a timeout long
  enough instead: see :func:`options_for_version`);
* it starts a new session when the chassis manager dropped the old one
  (``NoActiveSerialSession``, e.g. after a timeout or a blade power-off);
* when it opens, it takes over a session held by someone else
  (``forceKill``) only if ``force_takeover`` is set; a session taken from it
  later is not taken back;
* :meth:`SerialSession.close` always stops the session, best effort;
* ``on_token`` learns the token of every session it starts, and None once
  it is closed, so that a session left behind by a killed process can be
  stopped with its own token.

The token and the console data are secrets: they are never logged.
"""

import logging
import threading
import time

from msftocs_driver.ocs import constants
from msftocs_driver.ocs import exceptions
from msftocs_driver.ocs import version

LOG = logging.getLogger(__name__)

#: Raw bytes per Send. The payload travels base64-encoded and
#: percent-encoded in the request line, which HTTP.sys limits to about
#: 16 KB; 2 KB stays far below that even with NTLM headers.
SEND_CHUNK = 2048
#: Inactivity timeout of the chassis manager when Start is given 0.
_CM_DEFAULT_TIMEOUT = 300
#: Seconds CM v2.0 spends on each byte of a Send (``SerialConsoleDelay``).
V20_SECONDS_PER_BYTE = 0.075
#: Inactivity timeout asked of a CM v2.0, which accepts any value: a week.
#: Any blade API of the chassis stops a session left behind anyway.
V20_SESSION_TIMEOUT = 7 * 24 * 3600


def options_for_version(cm_version, read_timeout, session_timeout):
    """Keyword arguments of :class:`SerialSession` for a CM version.

    CM v2.0 (the only version before 2.5 that this library knows) differs:

    * an empty Send answers ``Failure`` (its serial port manager checks the
      length), so no keepalive is sent; the session is opened with a
      timeout of a week instead (v2.0 sets no upper bound);
    * Send writes one byte every 75 ms, so a Send must be small enough to
      be answered within ``read_timeout`` (half of it, for slack).

    :param cm_version: the CM version text (``'2.0.1.3'``), or None when
        unknown (treated as 2.5, like anything that is no version).
    :param read_timeout: the client's read timeout, seconds.
    :param session_timeout: the inactivity timeout wanted on CM v2.5.
    :returns: a dict of keyword arguments.
    """
    if not _is_v20(cm_version):
        return {'session_timeout': session_timeout}
    chunk = int(read_timeout / 2 / V20_SECONDS_PER_BYTE)
    return {'session_timeout': V20_SESSION_TIMEOUT, 'keepalive': False,
            'send_chunk': max(1, min(SEND_CHUNK, chunk))}


def _is_v20(cm_version):
    try:
        return version.parse(cm_version).is_v20
    except ValueError:
        return False


class SerialSession:
    """Serial console of one blade.

    :param client: a :class:`~msftocs_driver.ocs.client.ChassisManagerClient`.
    :param blade_id: the blade.
    :param session_timeout: inactivity timeout asked of the chassis manager,
        in seconds (0 means its default, 300 s; at most 3600).
    :param poll_interval: seconds between two polls when the console is
        idle (see :meth:`iter_output`).
    :param keepalive_interval: seconds of inactivity after which an empty
        Send refreshes the session; default a third of the timeout.
    :param force_takeover: close a session somebody else holds on this
        blade instead of failing with ``SerialSessionActiveError``.
    :param keepalive: whether to send empty Sends (False for CM v2.0; the
        session timeout must then be long enough).
    :param send_chunk: raw bytes per Send.
    :param on_token: callable given the token of each session started,
        and None once the session is closed.
    :raises ValueError: on an invalid argument.
    """

    def __init__(self, client, blade_id, *, session_timeout=3600,
                 poll_interval=0.2, keepalive_interval=None,
                 force_takeover=False, keepalive=True,
                 send_chunk=SEND_CHUNK, on_token=None):
        # CM v2.0 has no upper bound; v2.5 checks 3600.
        limit = (constants.MAX_SERIAL_SESSION_TIMEOUT if keepalive
                 else V20_SESSION_TIMEOUT)
        if not 0 <= session_timeout <= limit:
            raise ValueError('session_timeout must be from 0 to %d seconds'
                             % limit)
        if send_chunk < 1:
            raise ValueError('send_chunk must be positive')
        if poll_interval <= 0:
            raise ValueError('poll_interval must be positive')
        if keepalive_interval is None:
            keepalive_interval = (session_timeout
                                  or _CM_DEFAULT_TIMEOUT) / 3.0
        if keepalive_interval <= 0:
            raise ValueError('keepalive_interval must be positive')
        self.client = client
        self.blade_id = blade_id
        self.session_timeout = int(session_timeout)
        self.poll_interval = poll_interval
        self.keepalive_interval = keepalive_interval
        self.force_takeover = force_takeover
        self.keepalive = keepalive
        self.send_chunk = send_chunk
        self._on_token = on_token or (lambda token: None)
        self._token = None
        self._closed = False
        self._last_activity = 0.0
        self._lock = threading.Lock()

    def __repr__(self):
        return '<SerialSession blade %s %s>' % (
            self.blade_id, 'open' if self._token else 'not open')

    @property
    def is_open(self):
        """Whether a chassis-manager session is believed to be open."""
        return self._token is not None

    def __enter__(self):
        self.open()
        return self

    def __exit__(self, *exc_info):
        self.close()

    def open(self):
        """Start the session (nothing to do if it is open).

        :raises SerialSessionActiveError: if another session holds the
            blade and ``force_takeover`` is not set.
        :raises OCSError: if the chassis manager refused.
        """
        with self._lock:
            self._closed = False
            if self._token is None:
                self._start_locked()

    def _start_locked(self):
        try:
            token = self.client.start_blade_serial_session(
                self.blade_id, timeout=self.session_timeout)
        except exceptions.SerialSessionActiveError:
            if not self.force_takeover:
                raise
            LOG.warning('Blade %s already has a serial session; taking it '
                        'over', self.blade_id)
            self.client.stop_blade_serial_session(self.blade_id, force=True)
            token = self.client.start_blade_serial_session(
                self.blade_id, timeout=self.session_timeout)
        self._token = token
        self._last_activity = time.monotonic()
        self._on_token(token)
        LOG.debug('Serial session of blade %s started', self.blade_id)

    def _current_token(self):
        with self._lock:
            if self._closed:
                raise exceptions.OCSError('the serial session is closed',
                                          blade_id=self.blade_id)
            if self._token is None:
                self._start_locked()
            return self._token

    def _restart(self, failed_token, reason):
        """Replace a session the chassis manager no longer has.

        With a reader and a writer thread both may notice; only the first
        starts a new session, the second gets that one.
        """
        with self._lock:
            if self._closed:
                raise exceptions.OCSError('the serial session is closed',
                                          blade_id=self.blade_id)
            if self._token is not None and self._token != failed_token:
                return self._token
            LOG.info('Serial session of blade %(blade)s was lost '
                     '(%(reason)s); starting a new one',
                     {'blade': self.blade_id, 'reason': reason})
            self._token = None
            self._start_locked()
            return self._token

    @staticmethod
    def _lost(exc):
        """Whether an error means our session is gone and may be replaced.

        Only a session the chassis manager dropped (timeout, power loss) is
        replaced. SerialSessionActive on Send/Receive means somebody else
        took the blade over: that is theirs now, even with
        ``force_takeover`` (which applies when the session is opened), so
        that two consoles never keep taking the blade from each other.
        """
        return isinstance(exc, exceptions.NoActiveSerialSessionError)

    def _keepalive(self, token):
        # NOTE: Receive does not refresh the chassis manager's inactivity
        # timer; Send does once the token check passed, and an empty Send
        # (zero-length data) passes that check without writing anything to
        # the console. This is an inference from the CM v2.5 code, not
        # observed on hardware.
        if not self.keepalive:
            return
        if time.monotonic() - self._last_activity < self.keepalive_interval:
            return
        self.client.send_blade_serial_data(self.blade_id, token, b'')
        self._last_activity = time.monotonic()

    def read(self):
        """Poll the console once.

        :returns: the bytes the BMC buffered, ``b''`` if none (also when
            the BMC reports lost data or the session had to be restarted).
        :raises OCSError: e.g. ``DevicePoweredOffError`` when the blade has
            no power.
        """
        token = self._current_token()
        try:
            self._keepalive(token)
            return self.client.receive_blade_serial_data(self.blade_id,
                                                         token)
        except exceptions.CompletionCodeError as exc:
            if exc.code is constants.CompletionCode.BmcRxSerialBufferOverflow:
                # Output was lost but the session is still open.
                LOG.warning('Serial output of blade %s was lost (BMC buffer '
                            'overflow)', self.blade_id)
                return b''
            if not self._lost(exc):
                raise
            self._restart(token, exc.code.name)
            return b''

    def write(self, data):
        """Send bytes to the console, in chunks the chassis manager accepts.

        :param data: raw bytes (no encoding is applied).
        :raises OCSError: if the chassis manager refused.
        """
        if not isinstance(data, bytes):
            raise TypeError('data must be bytes')
        for start in range(0, len(data), self.send_chunk):
            self._send(data[start:start + self.send_chunk])

    def _send(self, chunk):
        token = self._current_token()
        try:
            self.client.send_blade_serial_data(self.blade_id, token, chunk)
        except exceptions.CompletionCodeError as exc:
            if not self._lost(exc):
                raise
            token = self._restart(token, exc.code.name)
            self.client.send_blade_serial_data(self.blade_id, token, chunk)
        self._last_activity = time.monotonic()

    def iter_output(self, stop_event):
        """Yield console output until ``stop_event`` is set.

        Polls again at once after data arrived and waits ``poll_interval``
        after an empty poll.

        :param stop_event: a :class:`threading.Event`.
        """
        while not stop_event.is_set():
            data = self.read()
            if data:
                yield data
            else:
                stop_event.wait(self.poll_interval)

    def close(self):
        """Stop the session; best effort, never raises."""
        with self._lock:
            self._closed = True
            token, self._token = self._token, None
        if token is None:
            return
        try:
            self.client.stop_blade_serial_session(self.blade_id, token)
        except exceptions.NoActiveSerialSessionError:
            self._forget()
        except Exception as exc:
            LOG.warning('Could not stop the serial session of blade %s: %s',
                        self.blade_id, exc)
        else:
            self._forget()
            LOG.debug('Serial session of blade %s stopped', self.blade_id)

    def _forget(self):
        try:
            self._on_token(None)
        except Exception as exc:
            LOG.warning('Could not forget the serial session of blade %s: '
                        '%s', self.blade_id, exc)
