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

"""Tests of the whole-reply deadline, against a loopback server that drips.

requests' read timeout applies to each read of the socket; a reply that
trickles in a byte at a time never trips it. The server here answers with
a scripted byte stream, paced as the test says, on 127.0.0.1.
"""

import socket
import threading
import time

import pytest
import requests

from msftocs_driver.ocs import client as ocs_client
from msftocs_driver.ocs import connector
from msftocs_driver.ocs import deadline
from msftocs_driver.ocs import exceptions
from tests.unit.ocs import samples

OK = samples.load('blade_state_on.xml')
HEAD = (b'HTTP/1.1 200 OK\r\nContent-Type: application/xml\r\n'
        b'Content-Length: %d\r\n\r\n' % len(OK))


class DripServer:
    """Answers every request with ``head`` + ``body``, ``pace`` s a byte.

    :param drip_head: also drip the status line and headers.
    """

    def __init__(self, body=OK, pace=0.1, drip_head=False):
        self.body = body
        self.pace = pace
        self.drip_head = drip_head
        self.requests = 0
        self.stop = threading.Event()
        self.sock = socket.socket()
        self.sock.bind(('127.0.0.1', 0))
        self.sock.listen(4)
        self.sock.settimeout(0.1)
        self.url = 'http://127.0.0.1:%d' % self.sock.getsockname()[1]
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while not self.stop.is_set():
            try:
                conn, _addr = self.sock.accept()
            except OSError:
                continue
            threading.Thread(target=self._answer, args=(conn,),
                             daemon=True).start()

    def _answer(self, conn):
        # Kept alive like a chassis manager's connection: a client reusing
        # it must find it open, not race the server's close.
        with conn:
            conn.settimeout(5)
            try:
                while conn.recv(65536):
                    self.requests += 1
                    if not self._reply(conn):
                        return
            except OSError:
                pass

    def _reply(self, conn):
        data = HEAD.replace(b'%d' % len(OK),
                            b'%d' % len(self.body)) + self.body
        if not self.drip_head:
            conn.sendall(data[:len(HEAD)])
            data = data[len(HEAD):]
        for index in range(len(data)):
            if self.stop.wait(self.pace):
                return False
            conn.sendall(data[index:index + 1])
        return True

    def close(self):
        self.stop.set()
        self.thread.join(5)
        self.sock.close()


@pytest.fixture
def server(request):
    params = getattr(request, 'param', {})
    srv = DripServer(**params)
    yield srv
    srv.close()


def _client(server, **kwargs):
    kwargs.setdefault('retries', 0)
    return connector.Connector(server.url, 'admin', 'pw', **kwargs)


@pytest.mark.parametrize('server', [{}, {'drip_head': True}], indirect=True,
                         ids=['body', 'headers'])
def test_a_dripping_reply_ends_by_the_read_timeout(server):
    # 300+ bytes at 0.1 s each: about 30 s whole, 0.1 s per socket read.
    conn = _client(server, read_timeout=1.0)
    start = time.monotonic()
    with pytest.raises(exceptions.ReadTimeoutError,
                       match='reply too slow') as caught:
        conn.call('GetBladeState', [('bladeId', 1)], blade_id=1)
    assert time.monotonic() - start < 1.0 + 1.0
    assert caught.value.may_have_run is True
    assert 'bytes received' in str(caught.value)


@pytest.mark.parametrize('mutating', [False, True])
def test_each_attempt_is_bounded(server, mutating):
    conn = _client(server, read_timeout=0.6, retries=1, retry_interval=0)
    start = time.monotonic()
    with pytest.raises(exceptions.ReadTimeoutError):
        conn.call('SetBladeOn' if mutating else 'GetBladeState',
                  [('bladeId', 1)], blade_id=1, mutating=mutating)
    elapsed = time.monotonic() - start
    attempts = 1 if mutating else 2
    assert server.requests == attempts
    # read_timeout + 1 s per attempt at most (the bound).
    assert elapsed < attempts * (0.6 + 1.0)


def test_a_time_limit_ends_the_reply(server):
    conn = _client(server, read_timeout=30)
    start = time.monotonic()
    with ocs_client.time_limit(0.8):
        with pytest.raises(exceptions.TimeLimitError) as caught:
            conn.call('SetBladeOn', [('bladeId', 1)], blade_id=1,
                      mutating=True)
    assert time.monotonic() - start < 0.8 + 1.0
    assert caught.value.may_have_run is True


@pytest.mark.parametrize('server', [{'pace': 0}], indirect=True)
def test_a_prompt_reply_is_read_whole(server):
    conn = _client(server, read_timeout=5)
    assert conn.call('GetBladeState', [('bladeId', 1)], blade_id=1) == OK
    assert conn.call('GetBladeState', [('bladeId', 1)], blade_id=1) == OK


@pytest.mark.parametrize('server', [{'pace': 3, 'drip_head': True}],
                         indirect=True)
def test_a_silent_server_gets_no_reply_message(server):
    conn = _client(server, read_timeout=0.5)
    with pytest.raises(exceptions.ReadTimeoutError,
                       match='no reply within the read timeout of 0.5 s'):
        conn.call('GetBladeState', [('bladeId', 1)], blade_id=1)


@pytest.mark.parametrize('server', [{'pace': 0}], indirect=True)
def test_stock_behaviour_outside_an_attempt(server):
    session = requests.Session()
    adapter = deadline.DeadlineAdapter()
    session.mount('http://', adapter)
    with session:
        reply = session.get(server.url + '/GetBladeState', timeout=5)
    assert reply.content == OK


class _Sock:
    def __init__(self):
        self.timeouts = []

    def settimeout(self, value):
        self.timeouts.append(value)

    def makefile(self, mode, buffering):
        return self

    def readinto(self, buffer):
        buffer[:2] = b'ab'
        return 2

    def fileno(self):
        return 42

    def close(self):
        self.timeouts.append('closed')


def test_reader_sets_the_time_left_before_each_read():
    reply = deadline.Reply(10)
    reply.begin()
    end = reply.end
    reply.begin()
    assert reply.end == end and not reply.limited
    sock = _Sock()
    reader = deadline._Reader(sock, reply)
    assert reader.readable() and reader.fileno() == 42
    assert reader.readinto(bytearray(8)) == 2
    assert 9 < sock.timeouts[0] <= 10
    assert reply.received == 2
    reply.end = time.monotonic() - 1
    with pytest.raises(TimeoutError):
        reader.readinto(bytearray(8))
    assert reply.expired
    reader.close()
    assert reader.closed and sock.timeouts[-1] == 'closed'


def test_the_time_limit_can_end_the_reply_first():
    now = time.monotonic()
    reply = deadline.Reply(10, limit=now + 1)
    reply.begin()
    assert reply.end == now + 1 and reply.limited
    reply = deadline.Reply(10, limit=now + 100)
    reply.begin()
    assert reply.end < now + 100 and not reply.limited
