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

"""Tests of the chassis-manager version, learned once per client."""

import logging
import threading
from unittest import mock

import pytest

from msftocs_driver.ocs import exceptions
from msftocs_driver.ocs import failures
from msftocs_driver.ocs import version


@pytest.mark.parametrize('text,numbers,is_v20', [
    ('2.5.0.0', (2, 5, 0, 0), False),
    ('2.0.1.3', (2, 0, 1, 3), True),
    (' 2.0 ', (2, 0), True),
    ('1.4.0.0', (1, 4, 0, 0), False),
])
def test_parse(text, numbers, is_v20):
    parsed = version.parse(text)
    assert parsed.numbers == numbers
    assert parsed.is_v20 is is_v20
    assert not parsed.assumed
    assert str(parsed) == '.'.join(str(n) for n in numbers)
    assert parsed == version.CMVersion(numbers)
    assert hash(parsed) == hash(version.CMVersion(numbers))


@pytest.mark.parametrize('text', ['', None, 'v2.5', '2', '2.x.1', '2.5.'])
def test_parse_refuses(text):
    with pytest.raises(ValueError, match='not a version'):
        version.parse(text)


def test_assumed():
    assert version.ASSUMED.major_minor == (2, 5)
    assert not version.ASSUMED.is_v20
    assert str(version.ASSUMED) == '2.5 (assumed)'
    assert repr(version.ASSUMED) == '<CMVersion 2.5 (assumed)>'
    assert version.ASSUMED != version.CMVersion((2, 5))
    assert version.ASSUMED != (2, 5)


def test_learned_once_and_logged(client, transport, caplog):
    caplog.set_level(logging.INFO, 'msftocs_driver.ocs')
    transport.reply('service_version.xml')
    assert client.known_cm_version is None
    learned = client.cm_version()
    assert learned == version.CMVersion((2, 5, 0, 0))
    assert client.cm_version() is learned
    assert client.known_cm_version is learned
    assert [c['operation'] for c in transport.calls] == ['GetServiceVersion']
    assert caplog.messages == [
        'Chassis manager cm.example:8000 runs version 2.5.0.0']


def _failing(*errors):
    calls = []

    def fetch():
        calls.append(1)
        error = errors[len(calls) - 1]
        if isinstance(error, Exception):
            raise error
        return error
    return fetch, calls


@pytest.mark.parametrize('error', [
    exceptions.ConnectionError('connection failed', operation='x'),
    exceptions.HTTPError(404),
    'garbage',
])
def test_failure_assumes_v25_and_asks_again_later(error, caplog):
    caplog.set_level(logging.DEBUG, 'msftocs_driver.ocs')
    fetch, calls = _failing(error, '2.0.1.3')
    cache = version.VersionCache(fetch, 'cm:8000')
    with mock.patch.object(version.time, 'monotonic', autospec=True,
                           return_value=100.0):
        assert cache.get() is version.ASSUMED
        assert cache.get() is version.ASSUMED
    assert len(calls) == 1
    assert cache.known is None
    assert 'assuming 2.5' in caplog.text
    assert all(r.levelno == logging.DEBUG for r in caplog.records)
    later = 100.0 + version.RETRY_AFTER
    with mock.patch.object(version.time, 'monotonic', autospec=True,
                           return_value=later):
        assert cache.get().is_v20
    assert len(calls) == 2


def test_concurrent_first_callers_send_one_request():
    started = threading.Event()
    release = threading.Event()
    calls = []

    def fetch():
        calls.append(1)
        started.set()
        release.wait(5)
        return '2.0.1.3'

    cache = version.VersionCache(fetch, 'cm:8000')
    results = []
    first = threading.Thread(target=lambda: results.append(cache.get()))
    first.start()
    assert started.wait(5)
    second = threading.Thread(target=lambda: results.append(cache.get()))
    second.start()
    release.set()
    first.join(5)
    second.join(5)
    assert len(calls) == 1
    assert [r.is_v20 for r in results] == [True, True]


def test_waiting_for_another_learner_respects_the_time_limit():
    cache = version.VersionCache(lambda: '2.5.0.0', 'cm:8000')
    cache._lock.acquire()  # another thread is learning
    try:
        with failures.time_limit(0.01):
            assert cache.get() is version.ASSUMED
    finally:
        cache._lock.release()
    assert cache.get() == version.CMVersion((2, 5, 0, 0))
