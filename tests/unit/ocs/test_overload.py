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

"""Overload warnings: HTTP 503, or refused connections while others work."""

import logging
import socket
from unittest import mock

import pytest
import requests

from msftocs_driver.ocs import connector
from msftocs_driver.ocs import exceptions
from msftocs_driver.ocs import overload
from tests.unit.ocs import test_connector as tc


def overload_warnings(caplog):
    return [r.getMessage() for r in caplog.records
            if r.name == overload.LOG.name and r.levelno == logging.WARNING]


@pytest.fixture
def harness():
    """A connector on scripted sessions (see test_connector), no sleeps."""
    h = tc.Harness()
    with mock.patch.object(h.connector, '_new_session', h.new_session), \
            mock.patch.object(connector.time, 'sleep', autospec=True):
        yield h


@pytest.fixture
def caplog_warnings(caplog):
    caplog.set_level(logging.WARNING, 'msftocs_driver.ocs')
    return caplog


def test_503_is_an_overload_warning(harness, caplog_warnings):
    harness.script.extend([(503, b'busy'), (200, tc.OK)])
    assert tc.call(harness, tc.READ, False) == tc.OK
    warning, = overload_warnings(caplog_warnings)
    assert 'cm.example:8000' in warning
    assert 'GetBladeState' in warning and 'HTTP 503' in warning


def test_refused_while_other_calls_work(harness, caplog_warnings):
    harness.script.extend([(200, tc.OK), tc.refused(), (200, tc.OK)])
    tc.call(harness, tc.READ, False)
    tc.call(harness, tc.READ, False)
    warning, = overload_warnings(caplog_warnings)
    assert 'refused a connection for GetBladeState' in warning
    assert 'overloaded' in warning


def test_refused_by_a_chassis_manager_never_seen_alive(harness,
                                                       caplog_warnings):
    # Down or wrong address, not overloaded: the connection error says so.
    harness.script.extend([tc.refused()] * 3)
    with pytest.raises(exceptions.ConnectionError):
        tc.call(harness, tc.READ, False)
    assert overload_warnings(caplog_warnings) == []


@pytest.mark.parametrize('failure', [tc.reset, tc.read_timeout,
                                     tc.name_not_resolved])
def test_other_failures_are_not_overload(harness, caplog_warnings,
                                         failure):
    harness.script.extend([(200, tc.OK), failure(), (200, tc.OK)])
    tc.call(harness, tc.READ, False)
    tc.call(harness, tc.READ, False)
    assert overload_warnings(caplog_warnings) == []


def test_an_old_answer_does_not_count(caplog_warnings):
    now = [100.0]
    watch = overload.OverloadWatch('cm:8000', clock=lambda: now[0])
    watch.answered('GetBladeState', 200)
    now[0] += overload.RECENT + 1
    watch.failed('GetBladeState', tc.refused())
    assert overload_warnings(caplog_warnings) == []
    watch.answered('GetBladeState', 200)
    watch.failed('GetBladeState', tc.refused())
    assert len(overload_warnings(caplog_warnings)) == 1


def test_a_real_refused_connection_is_recognised():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        port = sock.getsockname()[1]  # bound, not listening: refused
        with pytest.raises(requests.exceptions.ConnectionError) as caught:
            requests.get('http://127.0.0.1:%d/GetBladeState' % port,
                         timeout=5)
    assert overload.connection_refused(caught.value)
    assert not overload.connection_refused(requests.exceptions.ReadTimeout())
