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

"""The read timeout bounds the whole reply, against a dripping emulator.

The emulator's ``drip`` fault sends the headers and the first body byte at
once, then one byte every ``seconds``: each read of the socket returns in
time, so only a deadline for the whole reply ends it. Every mode runs
(basic, NTLM, with and without TLS); the NTLM modes also drip each leg of
the handshake.
"""

import time

import pytest

from msftocs_driver.ocs import client as ocs_client
from msftocs_driver.ocs import exceptions

READ_TIMEOUT = 2.0
#: The issue's bound: read_timeout + 1 s per attempt.
BOUND = READ_TIMEOUT + 1.0
PACE = 0.5


def _calls(emulator, operation):
    return emulator.stats()['operations'].get(operation, 0)


def _timed_failure(function, error):
    start = time.monotonic()
    with pytest.raises(error) as caught:
        function()
    return time.monotonic() - start, caught.value


@pytest.fixture
def slow_client(endpoint, emulator):
    emulator.reset_stats()
    with endpoint.client(read_timeout=READ_TIMEOUT, retries=0) as cm:
        yield cm


def test_drip_on_a_read(slow_client, emulator):
    emulator.add_fault(kind='drip', seconds=PACE,
                       operations=['GetBladeState'])
    elapsed, error = _timed_failure(lambda: slow_client.get_blade_state(1),
                                    exceptions.ReadTimeoutError)
    assert elapsed < BOUND
    assert 'reply too slow' in str(error)
    assert error.operation == 'GetBladeState' and error.may_have_run


def test_drip_on_a_read_is_bounded_per_attempt(endpoint, emulator):
    emulator.reset_stats()
    emulator.add_fault(kind='drip', seconds=PACE,
                       operations=['GetBladeState'])
    with endpoint.client(read_timeout=READ_TIMEOUT, retries=1,
                         retry_interval=0.1) as cm:
        elapsed, _error = _timed_failure(lambda: cm.get_blade_state(1),
                                         exceptions.ReadTimeoutError)
    assert _calls(emulator, 'GetBladeState') == 2
    assert elapsed < 2 * BOUND + 0.1


def test_drip_on_a_write(endpoint, emulator):
    emulator.reset_stats()
    emulator.add_fault(kind='drip', seconds=PACE, operations=['SetBladeOn'])
    with endpoint.client(read_timeout=READ_TIMEOUT, retries=2) as cm:
        elapsed, error = _timed_failure(lambda: cm.set_blade_on(1),
                                        exceptions.ReadTimeoutError)
    assert elapsed < BOUND
    assert error.may_have_run
    # It ran (drip sends the reply of an executed operation) and it is not
    # sent twice.
    assert _calls(emulator, 'SetBladeOn') == 1


def test_time_limit_ends_a_dripping_reply(endpoint, emulator):
    emulator.add_fault(kind='drip', seconds=PACE, operations=['SetBladeOn'])
    with endpoint.client(read_timeout=30, retries=2) as cm:
        with ocs_client.time_limit(1.5):
            elapsed, error = _timed_failure(lambda: cm.set_blade_on(1),
                                            exceptions.TimeLimitError)
    assert elapsed < 1.5 + 1.0
    assert error.may_have_run


@pytest.mark.parametrize('legs', [
    ['unauthenticated'], ['challenge'], ['unauthenticated', 'challenge',
                                         'reply']])
def test_drip_on_ntlm_legs(endpoint, emulator, legs):
    if endpoint.auth != 'ntlm':
        pytest.skip('an NTLM handshake needs an NTLM endpoint')
    # A new client opens a new connection, which is authenticated afresh.
    emulator.add_fault(kind='drip', seconds=PACE, legs=legs,
                       count=len(legs))
    with endpoint.client(read_timeout=READ_TIMEOUT, retries=0) as cm:
        elapsed, error = _timed_failure(lambda: cm.get_blade_state(1),
                                        exceptions.ReadTimeoutError)
    # One deadline covers all the legs of the attempt.
    assert elapsed < BOUND
    assert 'reply too slow' in str(error)
    emulator.clear_faults()
    with endpoint.client(read_timeout=READ_TIMEOUT, retries=0) as cm:
        assert cm.get_blade_state(1) is not None
