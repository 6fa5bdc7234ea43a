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


"""Tests of SerialSession against a fake client with CM v2.5 semantics."""

import logging
import threading
from unittest import mock

import pytest

from msftocs_driver.ocs import constants
from msftocs_driver.ocs import exceptions
from msftocs_driver.ocs import serial

CC = constants.CompletionCode


def _error(cls, code):
    return cls(code, code.name, operation='fake', blade_id=5)


class FakeClient:
    """Console calls of one blade, with the chassis manager's checks."""

    def __init__(self):
        self.token = None
        self.counter = 0
        self.calls = []
        self.sent = []
        self.output = []
        self.lock = threading.Lock()

    def _check(self, token):
        if self.token is None:
            raise _error(exceptions.NoActiveSerialSessionError,
                         CC.NoActiveSerialSession)
        if token != self.token:
            raise _error(exceptions.SerialSessionActiveError,
                         CC.SerialSessionActive)

    def start_blade_serial_session(self, blade_id, timeout=0,
                                   power_on_wait=False):
        with self.lock:
            self.calls.append(('start', timeout))
            if self.token is not None:
                raise _error(exceptions.SerialSessionActiveError,
                             CC.SerialSessionActive)
            self.counter += 1
            self.token = 'TOKEN-%d' % self.counter
            return self.token

    def send_blade_serial_data(self, blade_id, token, data):
        with self.lock:
            self.calls.append(('send', data))
            self._check(token)
            self.sent.append(data)

    def receive_blade_serial_data(self, blade_id, token):
        with self.lock:
            self.calls.append(('receive',))
            self._check(token)
            if self.output:
                item = self.output.pop(0)
                if isinstance(item, Exception):
                    raise item
                return item
            return b''

    def stop_blade_serial_session(self, blade_id, token=None, force=False):
        with self.lock:
            self.calls.append(('stop', token, force))
            if not force:
                self._check(token)
            self.token = None

    def names(self):
        return [call[0] for call in self.calls]


@pytest.fixture
def client():
    return FakeClient()


@pytest.fixture
def clock():
    now = [1000.0]
    with mock.patch.object(serial.time, 'monotonic', autospec=True,
                           side_effect=lambda: now[0]):
        yield now


def test_read_write_close(client, clock, caplog):
    caplog.set_level(logging.DEBUG)
    client.output.append(b'login: ')
    with serial.SerialSession(client, 5, session_timeout=600) as session:
        assert session.is_open
        assert session.read() == b'login: '
        assert session.read() == b''
        session.write(b'root\r\n')
        assert 'open' in repr(session)
    assert client.calls == [('start', 600), ('receive',), ('receive',),
                            ('send', b'root\r\n'), ('stop', 'TOKEN-1', False)]
    assert not session.is_open
    assert 'TOKEN-1' not in caplog.text and 'root' not in caplog.text


def test_write_chunks(client, clock):
    data = bytes(range(256)) * 20
    session = serial.SerialSession(client, 5)
    session.write(data)
    assert all(len(chunk) <= serial.SEND_CHUNK for chunk in client.sent)
    assert len(client.sent) == 3
    assert b''.join(client.sent) == data
    session.write(b'')
    assert len(client.sent) == 3


def test_write_requires_bytes(client):
    with pytest.raises(TypeError):
        serial.SerialSession(client, 5).write('text')


def test_keepalive_on_idle_read(client, clock):
    session = serial.SerialSession(client, 5, session_timeout=300)
    assert session.keepalive_interval == 100
    session.open()
    clock[0] += 99
    session.read()
    assert client.names() == ['start', 'receive']
    clock[0] += 1
    session.read()
    assert client.calls[2:] == [('send', b''), ('receive',)]
    clock[0] += 50
    session.write(b'x')
    clock[0] += 60
    session.read()
    # The write refreshed the timer: no empty send 60 s later.
    assert client.calls[4:] == [('send', b'x'), ('receive',)]


def test_default_keepalive_intervals(client):
    assert serial.SerialSession(client, 5).keepalive_interval == 1200
    assert serial.SerialSession(
        client, 5, session_timeout=0).keepalive_interval == 100
    assert serial.SerialSession(
        client, 5, keepalive_interval=7).keepalive_interval == 7


@pytest.mark.parametrize('kwargs', [
    {'session_timeout': 3601}, {'session_timeout': -1},
    {'poll_interval': 0}, {'keepalive_interval': 0},
])
def test_invalid_settings(client, kwargs):
    with pytest.raises(ValueError):
        serial.SerialSession(client, 5, **kwargs)


def test_restart_when_cm_dropped_session_on_read(client, clock, caplog):
    session = serial.SerialSession(client, 5)
    session.open()
    client.token = None  # the CM timed the session out
    assert session.read() == b''
    assert client.token == 'TOKEN-2'
    client.output.append(b'data')
    assert session.read() == b'data'
    assert 'was lost (NoActiveSerialSession)' in caplog.text
    assert 'TOKEN' not in caplog.text


def test_restart_when_cm_dropped_session_on_write(client, clock):
    session = serial.SerialSession(client, 5)
    session.open()
    client.token = None
    session.write(b'abc')
    assert client.sent == [b'abc']
    assert client.token == 'TOKEN-2'


def test_session_held_elsewhere(client, clock):
    client.token = 'SOMEONE-ELSE'
    with pytest.raises(exceptions.SerialSessionActiveError):
        serial.SerialSession(client, 5).open()
    assert client.token == 'SOMEONE-ELSE'


def test_takeover(client, clock, caplog):
    client.token = 'SOMEONE-ELSE'
    session = serial.SerialSession(client, 5, force_takeover=True)
    session.open()
    assert client.calls[1] == ('stop', None, True)
    assert client.token == 'TOKEN-1'
    assert 'taking it over' in caplog.text
    # Somebody takes it back: it is theirs, the session does not fight.
    client.token = 'SOMEONE-ELSE'
    with pytest.raises(exceptions.SerialSessionActiveError):
        session.read()
    assert client.token == 'SOMEONE-ELSE'


def test_no_takeover_of_a_running_session(client, clock):
    session = serial.SerialSession(client, 5)
    session.open()
    client.token = 'SOMEONE-ELSE'
    with pytest.raises(exceptions.SerialSessionActiveError):
        session.read()
    with pytest.raises(exceptions.SerialSessionActiveError):
        session.write(b'x')


def test_buffer_overflow_is_not_an_error(client, clock, caplog):
    client.output.append(_error(exceptions.CompletionCodeError,
                                CC.BmcRxSerialBufferOverflow))
    session = serial.SerialSession(client, 5)
    assert session.read() == b''
    assert 'lost' in caplog.text
    assert session.is_open


def test_other_errors_propagate(client, clock):
    client.output.append(_error(exceptions.DevicePoweredOffError,
                                CC.DevicePoweredOff))
    session = serial.SerialSession(client, 5)
    with pytest.raises(exceptions.DevicePoweredOffError):
        session.read()
    assert session.is_open


def test_close_is_best_effort(client, clock, caplog):
    session = serial.SerialSession(client, 5)
    session.close()
    assert client.calls == []
    session.open()
    client.token = None
    session.close()  # already gone on the CM: quiet
    assert 'Could not stop' not in caplog.text
    for failure in (exceptions.ConnectionError('refused', blade_id=5),
                    RuntimeError('bug')):
        session.open()
        with mock.patch.object(client, 'stop_blade_serial_session',
                               autospec=True, side_effect=failure):
            session.close()
        assert 'Could not stop' in caplog.text
        assert not session.is_open
        client.token = None


def test_closed_session_refuses_io(client, clock):
    session = serial.SerialSession(client, 5)
    session.open()
    session.close()
    with pytest.raises(exceptions.OCSError, match='closed'):
        session.read()
    with pytest.raises(exceptions.OCSError, match='closed'):
        session._restart('TOKEN-1', 'test')
    session.open()
    assert session.is_open


def test_reader_and_writer_restart_once(client):
    session = serial.SerialSession(client, 5)
    session.open()
    client.token = None
    barrier = threading.Barrier(2)
    original = client.receive_blade_serial_data

    def receive(blade_id, token):
        barrier.wait(5)
        return original(blade_id, token)

    client.receive_blade_serial_data = receive
    writer = threading.Thread(target=lambda: (barrier.wait(5),
                                              session.write(b'w')))
    writer.start()
    session.read()
    writer.join(5)
    assert client.names().count('start') == 2
    assert client.sent == [b'w']


def test_iter_output(client, clock):
    session = serial.SerialSession(client, 5, poll_interval=0.01)
    stop = threading.Event()
    client.output.extend([b'a', b'b'])
    chunks = []
    for chunk in session.iter_output(stop):
        chunks.append(chunk)
        if len(chunks) == 2:
            stop.set()
    assert chunks == [b'a', b'b']
    stop.clear()
    waits = []
    stop.wait = lambda timeout: (waits.append(timeout), stop.set())
    assert list(session.iter_output(stop)) == []
    assert waits == [0.01]


def test_open_twice_keeps_the_session(client, clock):
    session = serial.SerialSession(client, 5)
    session.open()
    session.open()
    assert client.names() == ['start']


def test_restart_by_the_other_thread_is_reused(client, clock):
    session = serial.SerialSession(client, 5)
    session.open()
    client.token = None
    assert session._restart('TOKEN-1', 'NoActiveSerialSession') == 'TOKEN-2'
    # The second thread noticed the same loss with the old token.
    assert session._restart('TOKEN-1', 'NoActiveSerialSession') == 'TOKEN-2'
    assert client.names() == ['start', 'start']


def test_on_token_follows_every_session(client, clock):
    tokens = []
    session = serial.SerialSession(client, 5, on_token=tokens.append)
    session.open()
    client.token = None  # the CM dropped it
    session.read()
    session.close()
    assert tokens == ['TOKEN-1', 'TOKEN-2', None]


def test_token_kept_when_stop_fails(client, clock):
    tokens = []
    session = serial.SerialSession(client, 5, on_token=tokens.append)
    session.open()
    client.stop_blade_serial_session = mock.Mock(
        side_effect=exceptions.ConnectionError('refused'))
    session.close()
    # The session may still be open on the CM: its token is not forgotten.
    assert tokens == ['TOKEN-1']


def test_token_forgotten_when_the_cm_has_no_session(client, clock):
    tokens = []
    session = serial.SerialSession(client, 5, on_token=tokens.append)
    session.open()
    client.token = None
    session.close()
    assert tokens == ['TOKEN-1', None]


def test_v20_options_no_keepalive_small_sends(client, clock):
    options = serial.options_for_version('2.0.1.3', read_timeout=60,
                                         session_timeout=300)
    # 75 ms a byte: a Send must end within half the read timeout.
    assert options == {'session_timeout': serial.V20_SESSION_TIMEOUT,
                       'keepalive': False, 'send_chunk': 400}
    session = serial.SerialSession(client, 5, **options)
    session.open()
    clock[0] += 10 * 24 * 3600
    session.read()
    session.write(b'x' * 1000)
    # Never an empty Send (CM v2.0 answers Failure to one).
    assert b'' not in client.sent
    assert [len(chunk) for chunk in client.sent] == [400, 400, 200]
    assert client.calls[0] == ('start', serial.V20_SESSION_TIMEOUT)


@pytest.mark.parametrize('version', [None, '', '2.5.0.0', 'garbage'])
def test_v25_options(version):
    assert serial.options_for_version(version, 60, 300) == {
        'session_timeout': 300}
