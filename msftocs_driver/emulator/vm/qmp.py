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


"""A small synchronous QMP client over a unix socket.

QMP sends one JSON object per line: a greeting, then for each command
either ``{"return": ...}`` or ``{"error": {...}}``, with asynchronous
``{"event": ...}`` lines interleaved, which are skipped here.
"""

import json
import socket
import threading
import time


class QmpError(Exception):
    """QMP could not be reached, or a command failed."""


class QmpClient(object):
    """One QMP connection.

    :param path: the unix socket QEMU listens on (``-qmp unix:...``).
    :param timeout: seconds for connecting (QEMU may still be creating the
        socket) and for each command as a whole.
    """

    def __init__(self, path, timeout=10.0):
        self.path = path
        self.timeout = timeout
        self._lock = threading.Lock()
        self._sock = None
        self._buffer = b''

    def connect(self):
        """Connect, read the greeting and leave capabilities negotiation."""
        deadline = time.monotonic() + self.timeout
        while True:
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                sock.connect(self.path)
                break
            except OSError as exc:
                sock.close()
                if time.monotonic() >= deadline:
                    raise QmpError('cannot connect to QMP at %s: %s'
                                   % (self.path, exc))
                time.sleep(0.05)
        self._sock = sock
        self._read_message(deadline)  # the greeting
        self.execute('qmp_capabilities')

    def _read_message(self, deadline):
        while b'\n' not in self._buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise QmpError('QMP did not answer in %.0f s' % self.timeout)
            self._sock.settimeout(remaining)
            try:
                chunk = self._sock.recv(65536)
            except OSError as exc:
                raise QmpError('QMP connection failed: %s' % exc)
            if not chunk:
                raise QmpError('QMP connection closed')
            self._buffer += chunk
        line, self._buffer = self._buffer.split(b'\n', 1)
        try:
            return json.loads(line)
        except ValueError:
            raise QmpError('QMP sent invalid JSON: %r' % line[:200])

    def execute(self, command, **arguments):
        """Run a command and return its ``return`` value.

        :raises QmpError: on an error reply or a broken connection.
        """
        if self._sock is None:
            raise QmpError('QMP is not connected')
        request = {'execute': command}
        if arguments:
            request['arguments'] = arguments
        with self._lock:
            deadline = time.monotonic() + self.timeout
            try:
                self._sock.sendall(json.dumps(request).encode() + b'\n')
            except OSError as exc:
                raise QmpError('QMP connection failed: %s' % exc)
            while True:
                message = self._read_message(deadline)
                if 'event' in message:
                    continue
                if 'error' in message:
                    raise QmpError('%s: %s' % (
                        command, message['error'].get('desc', message)))
                return message.get('return')

    def close(self):
        """Close the connection."""
        if self._sock is not None:
            self._sock.close()
            self._sock = None
