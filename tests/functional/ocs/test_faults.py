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


"""Transport faults injected by the emulator: what is retried and what not.

Read-only operations are retried on connection errors, timeouts and HTTP
5xx; state-changing operations only when the request never reached the
server. The emulator counts the requests it received, which shows whether a
call was repeated.
"""

import logging
import socket

import pytest

from msftocs_driver.ocs import client as ocs_client
from msftocs_driver.ocs import exceptions
from tests.functional.ocs import helpers

READ = 'GetBladeState'
WRITE = 'SetBladeOn'


def _calls(emulator, operation):
    return emulator.stats()['operations'].get(operation, 0)


@pytest.fixture
def faulty(emulator):
    emulator.reset_stats()
    return emulator


@pytest.mark.parametrize('kind', ['http500', 'drop', 'drop_mid_reply'])
def test_read_retried(client, faulty, kind):
    faulty.add_fault(kind=kind, operations=[READ], count=2)
    assert client.get_blade_state(1) is not None
    assert _calls(faulty, READ) == 3


@pytest.mark.parametrize('kind,error', [
    ('http500', exceptions.HTTPError),
    ('drop', exceptions.ConnectionError),
    ('drop_mid_reply', exceptions.ConnectionError),
])
def test_write_not_retried(client, faulty, kind, error):
    faulty.add_fault(kind=kind, operations=[WRITE], count=1)
    with pytest.raises(error) as caught:
        client.set_blade_on(1)
    assert caught.value.operation == WRITE
    assert caught.value.blade_id == 1
    assert _calls(faulty, WRITE) == 1


def test_read_retries_exhausted(client, faulty):
    faulty.add_fault(kind='http500', operations=[READ])
    with pytest.raises(exceptions.HTTPError) as caught:
        client.get_blade_state(1)
    assert caught.value.status_code == 500
    assert _calls(faulty, READ) == 3


@pytest.mark.parametrize('kind,match', [
    ('truncated', 'not XML'),
    ('malformed', 'not XML'),
    ('xml_bomb', 'unsafe XML'),
    ('wrong_namespace', 'namespace'),
    ('wrong_blade', 'reply is for blade'),
])
def test_bad_replies(client, faulty, kind, match):
    faulty.add_fault(kind=kind, operations=[READ, WRITE])
    with pytest.raises(exceptions.ResponseError, match=match):
        client.get_blade_state(1)
    with pytest.raises(exceptions.ResponseError, match=match):
        client.set_blade_on(1)
    # A reply that arrived but makes no sense is not retried.
    assert _calls(faulty, READ) == 1
    assert _calls(faulty, WRITE) == 1


def test_unauthorised(client, faulty):
    faulty.add_fault(kind='http401', operations=[READ], count=1)
    with pytest.raises(exceptions.AuthenticationError):
        client.get_blade_state(1)
    assert client.get_blade_state(1) is not None


def test_read_timeout(endpoint, faulty):
    faulty.add_fault(kind='delay', operations=[READ, WRITE], seconds=1.0)
    with endpoint.client(read_timeout=0.3, retries=1) as cm:
        with pytest.raises(exceptions.ReadTimeoutError):
            cm.get_blade_state(1)
        with pytest.raises(exceptions.ReadTimeoutError):
            cm.set_blade_on(1)
    assert _calls(faulty, READ) == 2
    assert _calls(faulty, WRITE) == 1


def _closed_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def test_connection_refused_retried_for_writes(caplog):
    caplog.set_level(logging.WARNING, 'msftocs_driver.ocs')
    url = 'http://127.0.0.1:%d' % _closed_port()
    with ocs_client.ChassisManagerClient(
            url, helpers.USERNAME, helpers.PASSWORD, retries=2,
            retry_interval=0.01) as cm:
        with pytest.raises(exceptions.ConnectionError,
                           match='refused') as caught:
            cm.set_blade_on(3)
    assert caught.value.blade_id == 3
    warnings = [r.getMessage() for r in caplog.records
                if 'plain http' not in r.getMessage()]
    assert len(warnings) == 2
    assert 'SetBladeOn for blade 3' in warnings[0]
    assert 'retry 2/2' in warnings[1]
    assert helpers.PASSWORD not in caplog.text
