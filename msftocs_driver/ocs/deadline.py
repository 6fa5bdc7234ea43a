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

"""A deadline for the whole reply of an HTTP attempt.

requests' read timeout applies to each socket read: a server that sends
one byte a second never trips it, and a reply may take as long as the
server likes. Here the read timeout bounds the whole reply instead: headers
and body of every response the attempt reads (each leg of an NTLM handshake
included), counted from when the first request was sent.

How: the HTTP connections of :class:`DeadlineAdapter` create their
responses through :class:`_DeadlineResponse`, whose reads go through a raw
reader that sets the socket's timeout to the time left before each read of
the socket. A read that would end past the deadline times out at the
deadline, which urllib3 reports as a read timeout. The attempt registers
its :class:`Reply` for the calling thread (:func:`watch`): requests,
urllib3 and requests-ntlm read the replies on the thread that sent them.
While nothing is watched the connections behave as stock ones.
"""

import http.client
import io
import threading
import time

import requests.adapters
import urllib3

_current = threading.local()


class Reply:
    """The deadline of one attempt and what was received before it.

    :param read_timeout: seconds the whole reply may take.
    :param limit: absolute :func:`time.monotonic` time by which the
        caller's time limit ends, or ``None``.
    """

    __slots__ = ('read_timeout', 'limit', 'end', 'received', 'expired')

    def __init__(self, read_timeout, limit=None):
        self.read_timeout = read_timeout
        self.limit = limit
        #: Absolute end of the reply, fixed when the first response starts.
        self.end = None
        #: Bytes of reply received so far (all legs).
        self.received = 0
        #: Whether a read was cut short by the deadline.
        self.expired = False

    def begin(self):
        """Start the clock, once: the first request has been sent."""
        if self.end is None:
            end = time.monotonic() + self.read_timeout
            self.end = end if self.limit is None else min(end, self.limit)

    @property
    def limited(self):
        """Whether the caller's time limit, not the read timeout, ends it."""
        return self.limit is not None and self.end == self.limit


def watch(reply):
    """Bound the replies this thread reads from now on by ``reply``.

    :param reply: a :class:`Reply`, or ``None`` to stop bounding.
    :returns: what was watched before, to restore with another call.
    """
    previous = getattr(_current, 'reply', None)
    _current.reply = reply
    return previous


class _Reader(io.RawIOBase):
    """A socket reader whose every read ends by the reply's deadline."""

    def __init__(self, sock, reply):
        super().__init__()
        self._sock = sock
        self._raw = sock.makefile('rb', buffering=0)
        self._reply = reply

    def readable(self):
        return True

    def fileno(self):
        return self._raw.fileno()

    def readinto(self, buffer):
        reply = self._reply
        left = reply.end - time.monotonic()
        if left <= 0:
            reply.expired = True
            raise TimeoutError('the reply deadline has passed')
        self._sock.settimeout(left)
        try:
            count = self._raw.readinto(buffer)
        except TimeoutError:
            reply.expired = True
            raise
        reply.received += count or 0
        return count

    def close(self):
        self._raw.close()  # idempotent
        super().close()


class _Socket:
    """What http.client needs of a socket to build a response."""

    __slots__ = ('_sock', '_reply')

    def __init__(self, sock, reply):
        self._sock = sock
        self._reply = reply

    def makefile(self, mode, *args, **kwargs):
        return io.BufferedReader(_Reader(self._sock, self._reply))


class _DeadlineResponse(http.client.HTTPResponse):
    def __init__(self, sock, *args, **kwargs):
        reply = getattr(_current, 'reply', None)
        if reply is not None:
            reply.begin()
            sock = _Socket(sock, reply)
        super().__init__(sock, *args, **kwargs)


class _HTTPConnection(urllib3.connection.HTTPConnection):
    response_class = _DeadlineResponse


class _HTTPSConnection(urllib3.connection.HTTPSConnection):
    response_class = _DeadlineResponse


class _HTTPConnectionPool(urllib3.HTTPConnectionPool):
    ConnectionCls = _HTTPConnection


class _HTTPSConnectionPool(urllib3.HTTPSConnectionPool):
    ConnectionCls = _HTTPSConnection


class DeadlineAdapter(requests.adapters.HTTPAdapter):
    """An HTTP adapter whose replies honour :func:`watch`."""

    def init_poolmanager(self, *args, **kwargs):
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {
            'http': _HTTPConnectionPool, 'https': _HTTPSConnectionPool}
