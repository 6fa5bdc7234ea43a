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

"""Tests of the prefetch of the other chassis of a power-sync pass."""

import threading
import time
from unittest import mock

from msftocs_driver.common import batch
from msftocs_driver.common import client_cache
from msftocs_driver.common import console_guard
from msftocs_driver.common import state_cache
from msftocs_driver.ocs import client as ocs_client
from msftocs_driver.ocs import constants
from msftocs_driver.ocs import models
from tests import base
from tests.unit.driver import fakes

ON = constants.PowerState.ON


_info = fakes.chassis_info


def _batch():
    return {b: models.BladeOutcome(b, ON) for b in range(1, 25)}


class PrefetchTestCase(base.MsftOcsTestCase):

    def setUp(self):
        super().setUp()
        self.config(power_state_cache_ttl=30, prefetch_workers=2,
                    max_connections=2, group='msftocs')
        self.lock = threading.Lock()
        self.fetches = []        # base URLs, in the order fetched
        self.concurrent = {}     # base URL -> most fetches at once
        self.active = {}
        self.clients = {}

        def build(info, slots=None):
            client = mock.create_autospec(
                ocs_client.ChassisManagerClient, instance=True)
            url = info['base_url']

            def fetch():
                with self.lock:
                    self.fetches.append(url)
                    self.active[url] = self.active.get(url, 0) + 1
                    self.concurrent[url] = max(self.concurrent.get(url, 0),
                                               self.active[url])
                time.sleep(0.05)
                with self.lock:
                    self.active[url] -= 1
                return _batch()

            client.get_all_blades_state.side_effect = fetch
            client.get_blade_state.return_value = ON
            self.clients[url] = client
            return client

        patcher = mock.patch.object(client_cache, '_build_client',
                                    autospec=True, side_effect=build)
        patcher.start()
        self.addCleanup(patcher.stop)

    def _read(self, chassis, blade_id=1):
        info = _info(chassis, blade_id)
        with client_cache.borrowed_client(info) as client:
            return state_cache.get_blade_state(client, info)

    def _pass(self, chassis_count):
        for chassis in range(chassis_count):
            for blade in (1, 2):
                self.assertEqual(ON, self._read(chassis, blade))

    def _wait_prefetch(self):
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if not any(t.name == 'msftocs-prefetch'
                       for t in threading.enumerate()):
                return
            time.sleep(0.01)
        self.fail('prefetch threads still running')

    def test_first_pass_reads_each_chassis_once(self):
        self._pass(4)
        self.assertEqual(['https://cm%02d:8000' % c for c in range(4)],
                         self.fetches)

    def test_miss_prefetches_the_other_recent_chassis(self):
        self._pass(4)
        state_cache.POWER_STATES.expire()
        del self.fetches[:]
        self._read(0)
        self._wait_prefetch()
        self.assertEqual(4, len(self.fetches))
        self.assertEqual({'https://cm%02d:8000' % c for c in range(4)},
                         set(self.fetches))
        # The rest of the pass is served by the prefetched replies.
        self._pass(4)
        self.assertEqual(4, len(self.fetches))
        for client in self.clients.values():
            client.get_blade_state.assert_not_called()

    def test_never_two_fetches_of_one_chassis(self):
        self._pass(4)
        for _ in range(3):
            state_cache.POWER_STATES.expire()
            threads = [threading.Thread(target=self._read, args=(c,))
                       for c in range(4)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(10)
            self._wait_prefetch()
        self.assertEqual({1}, set(self.concurrent.values()))
        self.assertEqual(16, len(self.fetches))

    def test_prefetch_after_a_pass_longer_than_the_ttl(self):
        # The replies of a long earlier pass were prefetched again at its
        # end and not read since: the chassis still qualify.
        self._pass(4)
        state_cache.POWER_STATES.expire()
        self._read(0)
        self._wait_prefetch()
        state_cache.POWER_STATES.expire()
        del self.fetches[:]
        self._read(0)
        self._wait_prefetch()
        self.assertEqual({'https://cm%02d:8000' % c for c in range(4)},
                         set(self.fetches))

    def test_chassis_not_read_recently_is_not_prefetched(self):
        self.config(sync_power_state_interval=1, group='conductor')
        self._pass(2)
        later = time.monotonic() + 3
        state_cache.POWER_STATES.expire()
        del self.fetches[:]
        with mock.patch.object(time, 'monotonic', autospec=True,
                               return_value=later):
            self._read(0)
        self._wait_prefetch()
        self.assertEqual(['https://cm00:8000'], self.fetches)

    def test_disabled_prefetch(self):
        self.config(prefetch_workers=0, group='msftocs')
        self._pass(3)
        state_cache.POWER_STATES.expire()
        del self.fetches[:]
        self._read(0)
        self.assertEqual(['https://cm00:8000'], self.fetches)

    def test_idle_conductor_sends_nothing(self):
        self._pass(3)
        del self.fetches[:]
        time.sleep(0.2)
        self.assertEqual([], self.fetches)
        self.assertFalse([t for t in threading.enumerate()
                          if t.name == 'msftocs-prefetch'])

    def test_written_blade_is_read_alone_after_prefetch(self):
        self._pass(2)
        state_cache.POWER_STATES.expire()
        self._read(0)
        self._wait_prefetch()
        batch.invalidate(_info(1, 2))
        self._read(1, 2)
        self._read(1, 1)
        self.clients['https://cm01:8000'].get_blade_state \
            .assert_called_once_with(2)

    def test_chassis_held_by_a_v20_console_is_not_prefetched(self):
        # A CM v2.0 chassis whose only serial session a console of this
        # conductor holds: GetAllBladesState would end that console, and
        # its nodes' reads leave the batch alone meanwhile.
        held = 'https://cm02:8000'
        self._pass(4)
        state_cache.POWER_STATES.expire()
        del self.fetches[:]
        with mock.patch.object(
                console_guard, 'console_holds_chassis', autospec=True,
                side_effect=lambda client, info: info['base_url'] == held):
            self._read(0)
            self._wait_prefetch()
        self.assertEqual({'https://cm%02d:8000' % c for c in (0, 1, 3)},
                         set(self.fetches))
        self.assertEqual(3, len(self.fetches))
        # The chassis is read again once the console closed.
        self.assertEqual(ON, self._read(2))
        self.assertEqual(held, self.fetches[-1])
