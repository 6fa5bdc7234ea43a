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


"""The emulator process over real HTTP: CLI, Basic auth, faults, timing."""

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from xml.etree import ElementTree

import pytest
import requests

from msftocs_driver.emulator import runner
from tests.functional.emulator import conftest

NS = '{http://schemas.datacontract.org/2004/07/Microsoft.GFS.WCS.Contracts}'
AUTH = ('admin', conftest.PASSWORD)


def get(emulator, operation, session=requests, **params):
    reply = session.get(emulator.url + operation, params=params, auth=AUTH,
                        timeout=10)
    return reply


def field(reply, name):
    return ElementTree.fromstring(reply.content).find(NS + name).text


def test_listening_line_banner_and_clean_exit_on_signals():
    env = dict(os.environ, MSFTOCS_EMULATOR_PASSWORD='x')
    for signum in (signal.SIGTERM, signal.SIGINT):
        process = subprocess.Popen(
            [sys.executable, '-m', 'msftocs_driver.emulator', '--port', '0'],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
        try:
            line = process.stdout.readline().decode()
            assert re.fullmatch(
                r'msftocs-emulator listening on http://127\.0\.0\.1:'
                r'([1-9][0-9]*)/\n', line), line
            os.kill(process.pid, signum)
            assert process.wait(10) == 0
            assert b'development and CI only' in process.stderr.read()
        finally:
            _kill_and_close(process)


def _kill_and_close(process):
    """Kill a process the test started, by PID, if it still runs."""
    if process.poll() is None:
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
    process.stdout.close()
    process.stderr.close()


def test_runner_exposes_url_port_pid_and_stops():
    process = runner.EmulatorProcess(password='p', blades=48).start()
    try:
        assert process.url == 'http://127.0.0.1:%d/' % process.port
        assert process.pid > 0
        assert len(process.state()['blades']) == 48
    finally:
        assert process.stop() == 0
    assert process.pid is None


def test_bad_configuration_exits_with_a_message(tmp_path):
    path = tmp_path / 'bad.json'
    path.write_text(json.dumps({'blades': 12}))
    with pytest.raises(runner.EmulatorError, match='status 2'):
        runner.EmulatorProcess(config=str(path)).start()


def test_basic_auth_and_keep_alive(emulator):
    assert get(emulator, 'GetBladeState', bladeId=1).status_code == 200
    anonymous = requests.get(emulator.url + 'GetBladeState', timeout=10)
    assert anonymous.status_code == 401
    assert anonymous.headers['WWW-Authenticate'].startswith('Basic ')
    wrong = requests.get(emulator.url + 'GetBladeState',
                         auth=('admin', 'nope'), timeout=10)
    assert wrong.status_code == 401

    with requests.Session() as session:
        ports = set()
        for blade_id in range(1, 6):
            reply = session.get(emulator.url + 'GetBladeState',
                                params={'bladeId': blade_id}, auth=AUTH,
                                timeout=10, stream=True)
            ports.add(reply.raw.connection.sock.getsockname()[1])
            assert field(reply, 'completionCode') == 'Success'
            reply.close()
        assert len(ports) == 1  # one kept-alive connection


def test_power_on_flow_and_control_api(emulator):
    emulator.set_blade(3, switch_on=False)
    assert field(get(emulator, 'GetBladeState', bladeId=3),
                 'completionCode') == 'DevicePoweredOff'
    get(emulator, 'SetPowerOn', bladeId=3)
    assert emulator.blade(3)['decompressing'] is True
    time.sleep(1.1)
    assert field(get(emulator, 'SetBladeOn', bladeId=3),
                 'completionCode') == 'Success'
    assert emulator.blade(3)['host_on'] is True
    stats = emulator.stats()
    assert stats['operations']['GetBladeState'] == 1
    emulator.reset_stats()
    assert emulator.stats() == {'total': 0, 'operations': {},
                                'running': 0}


def test_connection_faults(emulator):
    emulator.add_fault(kind='drop', operations=['GetBladeState'], count=1)
    with pytest.raises(requests.ConnectionError):
        get(emulator, 'GetBladeState', bladeId=1)
    emulator.add_fault(kind='drop_mid_reply', count=1)
    try:
        reply = get(emulator, 'GetBladeState', bladeId=1)
    except requests.RequestException:
        pass  # urllib3 2 refuses a body shorter than its Content-Length
    else:
        # urllib3 1.26 (the 2025.2 constraints) returns what came.
        assert len(reply.content) < int(reply.headers['Content-Length'])
    emulator.add_fault(kind='http500', count=1)
    assert get(emulator, 'GetBladeState', bladeId=1).status_code == 500
    assert get(emulator, 'GetBladeState', bladeId=1).status_code == 200
    emulator.add_fault(kind='delay', seconds=0.3, count=1)
    started = time.monotonic()
    get(emulator, 'GetServiceVersion')
    assert time.monotonic() - started >= 0.3
    emulator.clear_faults()


def test_a_delayed_call_counts_as_running_until_its_operation_ran(
        emulator):
    # The client gives up long before the delay ends; the operation still
    # runs, and wait_until_idle returns only once it has.
    emulator.set_blade(2, switch_on=True, host_on=True)
    emulator.add_fault(kind='delay', operations=['SetBladeOff'],
                       seconds=1.0)
    with pytest.raises(requests.Timeout):
        requests.get(emulator.url + 'SetBladeOff', params={'bladeId': 2},
                     auth=AUTH, timeout=0.2)
    assert emulator.stats()['running'] == 1
    assert emulator.blade(2)['host_on'] is True
    emulator.clear_faults()  # a delay is not a stall: it is not cut short
    emulator.wait_until_idle(timeout=5)
    assert emulator.stats()['running'] == 0
    assert emulator.blade(2)['host_on'] is False


def test_bmc_bus_serialises_blade_calls_chassis_wide():
    with runner.EmulatorProcess(password=conftest.PASSWORD,
                                bus_cost=0.2) as emulator:
        def timed(operation, count):
            threads = [threading.Thread(target=get, args=(
                emulator, operation), kwargs={'bladeId': i + 1})
                for i in range(count)]
            started = time.monotonic()
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            return time.monotonic() - started

        assert timed('GetBladeState', 4) >= 0.8
        # The Blade_EN switch is not on the BMC bus.
        assert timed('GetPowerState', 4) < 0.4


def test_config_file_and_serial_session_expiry(tmp_path):
    path = tmp_path / 'chassis.json'
    path.write_text(json.dumps({'empty_slots': [2], 'jbod_slots': [3]}))
    with runner.EmulatorProcess(password=conftest.PASSWORD,
                                config=str(path)) as emulator:
        assert field(get(emulator, 'GetBladeState', bladeId=2),
                     'completionCode') == 'Timeout'
        assert emulator.blade(3)['type'] == 'Jbod'
        reply = get(emulator, 'StartBladeSerialSession', bladeId=1,
                    sessionTimeoutInSecs=1)
        assert field(reply, 'completionCode') == 'Success'
        assert emulator.state()['sessions'] == 1
        deadline = time.monotonic() + 5
        while emulator.state()['sessions'] and time.monotonic() < deadline:
            time.sleep(0.2)
        assert emulator.state()['sessions'] == 0


def test_role_flags():
    with runner.EmulatorProcess(
            password=conftest.PASSWORD,
            extra_args=['--role', 'operator', '--forbidden-status', '403'],
    ) as emulator:
        assert get(emulator, 'SetBladeAttentionLEDOn',
                   bladeId=1).status_code == 200
        reply = get(emulator, 'SetBladeOn', bladeId=1)
        assert reply.status_code == 403
        assert reply.headers['Content-Type'].startswith('text/html')
        assert emulator.blade(1)['host_on'] is False


def test_sigterm_cuts_long_waits_short_and_exits_cleanly():
    emulator = runner.EmulatorProcess(password=conftest.PASSWORD).start()
    try:
        emulator.add_fault(kind='delay', seconds=600,
                           operations=['GetServiceVersion'])
        caller = threading.Thread(target=lambda: _quietly(
            get, emulator, 'GetServiceVersion'), daemon=True)
        caller.start()
        deadline = time.monotonic() + 5
        while not emulator.stats()['operations'].get('GetServiceVersion'):
            assert time.monotonic() < deadline
            time.sleep(0.05)
        started = time.monotonic()
        # SIGTERM; a SIGKILL after 10 s would give -9.
        assert emulator.stop() == 0
        assert time.monotonic() - started < 5
    finally:
        emulator.stop()


def _quietly(function, *args, **kwargs):
    try:
        function(*args, **kwargs)
    except requests.RequestException:
        pass


HAS_PROC = os.path.isdir('/proc/self')


@pytest.mark.skipif(not HAS_PROC, reason='needs /proc')
def test_secrets_stay_off_the_command_line_and_out_of_the_log():
    secret = 'pw-%d-never-shown' % os.getpid()
    env = dict(os.environ, MSFTOCS_EMULATOR_PASSWORD=secret)
    process = subprocess.Popen(
        [sys.executable, '-m', 'msftocs_driver.emulator', '--port', '0',
         '--debug'], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    try:
        url = process.stdout.readline().decode().split(' on ')[1].strip()
        auth = ('admin', secret)
        token = field(requests.get(
            url + 'StartBladeSerialSession', params={'bladeId': 1},
            auth=auth, timeout=10), 'serialSessionToken')
        requests.get(url + 'SendBladeSerialData', params={
            'bladeId': 1, 'sessionToken': token, 'data': 'c2VjcmV0IGRhdGE='},
            auth=auth, timeout=10)
        requests.get(url + 'GetBladeState', params={'bladeId': 1},
                     auth=('admin', secret + 'x'), timeout=10)
        with open('/proc/%d/cmdline' % process.pid, 'rb') as f:
            assert secret.encode() not in f.read()
        os.kill(process.pid, signal.SIGTERM)
        assert process.wait(10) == 0
        log = process.stderr.read()
        assert b'SendBladeSerialData' in log  # --debug did log the calls
        for text in (secret, token, 'c2VjcmV0IGRhdGE', 'secret data'):
            assert text.encode() not in log
    finally:
        _kill_and_close(process)


@pytest.mark.skipif(not HAS_PROC, reason='needs /proc')
def test_runner_passes_the_password_through_the_environment():
    with runner.EmulatorProcess(password='runner-secret-pw') as emulator:
        with open('/proc/%d/cmdline' % emulator.pid, 'rb') as f:
            assert b'runner-secret-pw' not in f.read()
        with open('/proc/%d/environ' % emulator.pid, 'rb') as f:
            assert (b'MSFTOCS_EMULATOR_PASSWORD=runner-secret-pw'
                    in f.read().split(b'\0'))
