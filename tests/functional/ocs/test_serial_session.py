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


"""SerialSession against the emulator's blade consoles over real HTTP."""

import threading
import time

import pytest

from msftocs_driver.ocs import exceptions
from msftocs_driver.ocs import serial

START = 'StartBladeSerialSession'


def _read_until(session, needle, timeout=10.0):
    output = b''
    deadline = time.monotonic() + timeout
    while needle not in output:
        if time.monotonic() > deadline:
            raise AssertionError('%r not in %r' % (needle, output[-200:]))
        chunk = session.read()
        output += chunk
        if not chunk:
            time.sleep(session.poll_interval)
    return output


def _poll_for(session, seconds):
    stop = threading.Event()
    timer = threading.Timer(seconds, stop.set)
    timer.start()
    try:
        return b''.join(session.iter_output(stop))
    finally:
        timer.cancel()


#: Session timing does not depend on the transport: the slow timing tests
#: run against the plain HTTP, basic-auth emulator only.
basic_only = pytest.mark.parametrize('endpoint', ['basic'], indirect=True)


@pytest.fixture
def powered(client, emulator):
    client.set_blade_on(1)
    emulator.reset_stats()
    return emulator


def test_console_round_trip(client, powered):
    with serial.SerialSession(client, 1, poll_interval=0.05) as session:
        assert powered.blade(1)['serial_session'] is True
        session.write(b'root\r\n')
        output = _read_until(session, b'login: ')
        assert output.startswith(b'root\r\n')
        # Larger than one Send: written in chunks, echoed whole.
        line = b'x' * (serial.SEND_CHUNK * 2 + 100)
        session.write(line + b'\r\n')
        assert line in _read_until(session, line)
    assert powered.blade(1)['serial_session'] is False
    assert powered.stats()['operations']['SendBladeSerialData'] == 4


def test_restart_after_the_cm_dropped_the_session(client, powered):
    with serial.SerialSession(client, 1, poll_interval=0.05) as session:
        client.stop_blade_serial_session(1, force=True)
        assert session.read() == b''
        assert powered.blade(1)['serial_session'] is True
        session.write(b'again\r\n')
        _read_until(session, b'again')
    assert powered.stats()['operations'][START] == 2
    assert powered.blade(1)['serial_session'] is False


@basic_only
def test_keepalive_holds_the_session(client, powered):
    with serial.SerialSession(client, 1, session_timeout=1,
                              poll_interval=0.05,
                              keepalive_interval=0.3) as session:
        _poll_for(session, 3.0)
    calls = powered.stats()['operations']
    assert calls[START] == 1
    assert calls['SendBladeSerialData'] >= 5


@basic_only
def test_without_keepalive_the_cm_drops_the_session(client, powered):
    # Receive alone does not count as activity: the emulator, like the CM,
    # drops the session, and SerialSession starts a new one.
    with serial.SerialSession(client, 1, session_timeout=1,
                              poll_interval=0.05,
                              keepalive_interval=100) as session:
        _poll_for(session, 3.5)
    assert powered.stats()['operations'][START] >= 2


def test_takeover(endpoint, client, powered):
    other = client.start_blade_serial_session(1)
    with pytest.raises(exceptions.SerialSessionActiveError):
        serial.SerialSession(client, 1).open()
    with serial.SerialSession(client, 1, force_takeover=True) as session:
        session.write(b'mine\r\n')
        with pytest.raises(exceptions.SerialSessionActiveError):
            client.send_blade_serial_data(1, other, b'theirs')
    assert powered.blade(1)['serial_session'] is False


def test_close_after_power_off(client, powered):
    session = serial.SerialSession(client, 1)
    session.open()
    client.set_power_off(1)  # also kills the session on the CM
    with pytest.raises(exceptions.DevicePoweredOffError):
        session.read()
    session.close()  # best effort: must not raise
    assert not session.is_open
