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

"""Tests of the per-thread time limit of chassis-manager calls."""

import threading
import time
from unittest import mock

import pytest

from msftocs_driver.ocs import client as ocs_client
from msftocs_driver.ocs import exceptions
from msftocs_driver.ocs import failures
from tests.unit.ocs import test_connector as helpers


@pytest.fixture
def harness():
    h = helpers.Harness(retry_interval=0.01)
    with mock.patch.object(h.connector, '_new_session', h.new_session):
        yield h


def _read(h):
    return helpers.call(h, helpers.READ, False)


def _late(failure, seconds):
    """A script action that answers with ``failure`` after ``seconds``."""
    def action():
        threading.Event().wait(seconds)
        raise failure()
    return action


def test_timeouts_are_cut_to_the_time_left(harness):
    harness.script.append((200, helpers.OK))
    with ocs_client.time_limit(2):
        assert _read(harness) == helpers.OK
    (_session, _url, kwargs), = harness.requests
    connect, read = kwargs['timeout']
    assert 0 < connect <= 2 and 0 < read <= 2


def test_no_limit_outside_the_block(harness):
    with ocs_client.time_limit(2):
        pass
    harness.script.append((200, helpers.OK))
    _read(harness)
    assert harness.requests[0][2]['timeout'] == (3.0, 7.0)


def test_nothing_sent_once_the_time_is_up(harness):
    with ocs_client.time_limit(0):
        with pytest.raises(exceptions.TimeLimitError) as caught:
            _read(harness)
    assert harness.requests == []
    assert caught.value.operation == 'GetBladeState'
    assert caught.value.blade_id == 1


def test_timeout_at_the_limit_is_not_retried(harness):
    harness.script.extend([_late(helpers.read_timeout, 0.1),
                           (200, helpers.OK)])
    start = time.monotonic()
    with ocs_client.time_limit(0.05):
        with pytest.raises(exceptions.TimeLimitError):
            _read(harness)
    assert time.monotonic() - start < 1
    assert len(harness.requests) == 1


def test_no_retry_that_cannot_finish_in_time(harness):
    harness.connector.retry_interval = 5
    harness.script.extend([(503, b'busy'), (200, helpers.OK)])
    with ocs_client.time_limit(1):
        with pytest.raises(exceptions.HTTPError):
            _read(harness)
    assert len(harness.requests) == 1


def test_retries_within_the_limit(harness):
    harness.script.extend([helpers.read_timeout(), (200, helpers.OK)])
    with ocs_client.time_limit(5):
        assert _read(harness) == helpers.OK
    assert len(harness.requests) == 2


def test_wait_for_a_connection_is_bounded():
    h = helpers.Harness(max_connections=1)
    h.connector._slots.acquire()  # another thread holds the only slot
    start = time.monotonic()
    with ocs_client.time_limit(0.05):
        with pytest.raises(exceptions.TimeLimitError):
            _read(h)
    assert time.monotonic() - start < 1
    assert h.requests == []


def test_nested_limits_keep_the_earlier_end():
    with failures.time_limit(0.5):
        with failures.time_limit(100):
            assert failures.time_left() <= 0.5
        with failures.time_limit(0.1):
            assert failures.time_left() <= 0.1
        assert 0.1 < failures.time_left() <= 0.5
    assert failures.time_left() is None


def test_limit_is_per_thread():
    # The limit binds the calls of the thread that set it, and only those:
    # whoever bounds a piece of work polls on its own thread (the power
    # interface runs its waits on the thread of the power change, see
    # tests/unit/driver/test_power.py
    # test_wait_polls_on_the_calling_thread_within_the_limit).
    seen = []
    with failures.time_limit(1):
        thread = threading.Thread(
            target=lambda: seen.append(failures.time_left()))
        thread.start()
        thread.join()
    assert seen == [None]


def test_time_up_before_sending_did_not_run(harness):
    with ocs_client.time_limit(0):
        with pytest.raises(exceptions.TimeLimitError) as caught:
            _read(harness)
    assert caught.value.may_have_run is False


def test_time_up_while_waiting_for_the_reply_may_have_run(harness):
    harness.script.append(_late(helpers.read_timeout, 0.1))
    with ocs_client.time_limit(0.05):
        with pytest.raises(exceptions.TimeLimitError) as caught:
            _read(harness)
    assert caught.value.may_have_run is True
