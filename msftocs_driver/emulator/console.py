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


"""A blade's serial console: the BMC buffer and a fake host behind it.

The host prints a boot banner and a ``login:`` prompt when it powers on,
echoes what it receives and answers every line (CR, LF or CRLF) with a new
prompt. Output goes into the BMC's bounded console buffer whether or not a
serial session is open; a session start flushes it, as the CM's OEM "Start
Serial Session" command does (reference 8.1), and a reader drains it in
chunks of at most 1024 bytes.
"""

import collections
import dataclasses

from msftocs_driver.ocs import constants

#: Bytes the emulated BMC keeps; older output is dropped beyond that.
BUFFER_CAPACITY = 16384

_BANNER = ('\r\nOCS emulated blade %(id)d: host powered on\r\n'
           'POST complete. Booting from the selected device...\r\n'
           '\r\nEmulated OS (ttyS0)\r\n\r\n')
_PROMPT = 'blade%(id)d login: '


@dataclasses.dataclass
class SerialSession(object):
    """A CM-side blade serial session.

    :ivar token: the session token the client must present.
    :ivar timeout: inactivity timeout in seconds.
    :ivar last_activity: clock time of the last Start or Send.
    """

    token: str
    timeout: float
    last_activity: float

    def expired(self, now):
        """Whether the inactivity timeout has elapsed at ``now``."""
        return now - self.last_activity > self.timeout


class HostConsole(object):
    """The console buffer of one blade's BMC and the host writing to it.

    :param blade_id: blade number, used in the banner and prompt.
    :param capacity: size of the bounded buffer in bytes.
    """

    def __init__(self, blade_id, capacity=BUFFER_CAPACITY):
        self._banner = (_BANNER % {'id': blade_id}).encode('ascii')
        self._prompt = (_PROMPT % {'id': blade_id}).encode('ascii')
        self._capacity = capacity
        self._buffer = collections.deque()
        self._size = 0
        self._after_cr = False
        #: Set when output was dropped; reported once by the next read.
        self.overflowed = False

    def _emit(self, data):
        self._buffer.append(bytes(data))
        self._size += len(data)
        while self._size > self._capacity:
            excess = self._size - self._capacity
            oldest = self._buffer[0]
            if len(oldest) <= excess:
                self._buffer.popleft()
                self._size -= len(oldest)
            else:
                self._buffer[0] = oldest[excess:]
                self._size -= excess
            self.overflowed = True

    def host_booted(self):
        """The host powered on: print the banner and a login prompt."""
        self._after_cr = False
        self._emit(self._banner + self._prompt)

    def host_input(self, data, host_on):
        """Bytes sent to the host: echo them and answer each line.

        :param data: raw bytes from SendBladeSerialData.
        :param host_on: whether the host runs; a host that is off ignores
            its console.
        """
        if not host_on or not data:
            return
        out = bytearray()
        for byte in data:
            if byte == 0x0A and self._after_cr:
                self._after_cr = False  # the LF of a CRLF
                continue
            self._after_cr = byte == 0x0D
            if byte in (0x0A, 0x0D):
                out += b'\r\n' + self._prompt
            else:
                out.append(byte)
        self._emit(out)

    def read(self, limit=constants.SERIAL_RECEIVE_CHUNK):
        """Take up to ``limit`` bytes of buffered output.

        :returns: the bytes, ``b''`` when nothing is buffered.
        """
        out = bytearray()
        while self._buffer and len(out) < limit:
            chunk = self._buffer.popleft()
            room = limit - len(out)
            if len(chunk) > room:
                self._buffer.appendleft(chunk[room:])
                chunk = chunk[:room]
            out += chunk
        self._size -= len(out)
        return bytes(out)

    def flush(self):
        """Discard buffered output and the overflow flag."""
        self._buffer.clear()
        self._size = 0
        self.overflowed = False

    @property
    def buffered(self):
        """Number of bytes waiting to be read."""
        return self._size
