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

"""Tests of a chassis batch that reads one pass ahead (node health)."""

import threading
import time
from unittest import mock

from msftocs_driver.common import batch
from msftocs_driver.common import client_cache
from msftocs_driver.common import console_guard
from msftocs_driver.common import prefetch
from msftocs_driver.common import state_cache
from msftocs_driver.ocs import client as ocs_client
from msftocs_driver.ocs import constants
from msftocs_driver.ocs import models
from tests import base
from tests.unit.driver import fakes

ON = constants.PowerState.ON
OFF = constants.PowerState.OFF


_info = fakes.chassis_info


class ReadAheadTestCase(base.MsftOcsTestCase):
    """A read-ahead batch over a fake chassis-wide read of 24 blades.

    ``self.value`` is what the next read returns for every blade; the
    clock is virtual (``self.now``).
    """

    def setUp(self):
        super().setUp()
        self.config(power_state_cache_ttl=20, prefetch_workers=2,
                    group='msftocs')
        self.config(sync_power_state_interval=60, group='conductor')
        self.ahead = True
        self.value = ON
        self.error = None
        self.fetches = []
        self.now = 1000.0
        self.gate = threading.Event()
        self.gate.set()
        clock = mock.patch.object(time, 'monotonic', autospec=True,
                                  side_effect=lambda: self.now)
        clock.start()
        self.addCleanup(clock.stop)
        self.batch = batch.ChassisBatch('test reading', self._fetch,
                                        lambda: 20.0,
                                        read_ahead=lambda: self.ahead)
        self.addCleanup(batch._batches.remove, self.batch)
        patcher = mock.patch.object(
            client_cache, '_build_client', autospec=True,
            side_effect=lambda info, slots=None: mock.create_autospec(
                ocs_client.ChassisManagerClient, instance=True))
        patcher.start()
        self.addCleanup(patcher.stop)

    def _fetch(self, client):
        self.gate.wait(10)
        self.fetches.append(self.value)
        if self.error is not None:
            raise self.error
        return {b: models.BladeOutcome(b, self.value) for b in range(1, 25)}

    def _read(self, chassis=0, blade_id=1):
        info = _info(chassis, blade_id)
        with client_cache.borrowed_client(info) as client:
            outcome = self.batch.outcome(client, info)
        return None if outcome is None else outcome.result()

    def _next_pass(self, seconds=60.0):
        self.now += seconds
        batch.expire()

    def _settle(self):
        self.assertTrue(prefetch.POOL.wait_idle(10))

    def test_a_pass_answers_from_the_last_reply_and_renews_it_once(self):
        self.assertEqual(ON, self._read())
        self.value = OFF
        self._next_pass()
        self.gate.clear()  # the renewal is still on its way
        for blade_id in range(1, 25):
            self.assertEqual(ON, self._read(blade_id=blade_id))
        self.gate.set()
        self._settle()
        self.assertEqual([ON, OFF], self.fetches)
        # The renewed reply answers until it expires, then the next pass.
        self.assertEqual(OFF, self._read(blade_id=5))
        self._next_pass()
        self.assertEqual(OFF, self._read())
        self._settle()
        self.assertEqual(3, len(self.fetches))

    def test_a_reply_older_than_two_intervals_is_read_in_the_pass(self):
        self.assertEqual(ON, self._read())
        self.value = OFF
        self._next_pass(120.0)
        self.assertEqual(OFF, self._read())
        self._settle()
        self.assertEqual([ON, OFF], self.fetches)

    def test_a_written_blade_is_read_alone(self):
        self.assertEqual(ON, self._read())
        self.now += 1
        batch.invalidate(_info(0, 2))
        self._next_pass()
        self.assertIsNone(self._read(blade_id=2))
        self.assertEqual(ON, self._read(blade_id=3))

    def test_a_write_is_remembered_while_an_older_reply_answers(self):
        # Another chassis' fetch prunes the write records: the write must
        # outlive them while the reply it postdates may still answer.
        self.assertEqual(ON, self._read(0))
        self.now += 1
        batch.invalidate(_info(0, 2))
        self._next_pass()
        self.assertEqual(ON, self._read(1))  # fetches chassis 1, prunes
        self._settle()
        self.assertIsNone(self._read(0, blade_id=2))

    def test_failed_renewal_reads_in_the_pass_until_a_read_succeeds(self):
        self.assertEqual(ON, self._read())
        self._next_pass()
        self.error = OSError('chassis manager gone')
        self.assertEqual(ON, self._read())
        self._settle()
        self.assertRaises(OSError, self._read)
        self.error = None
        self.value = OFF
        self.assertEqual(OFF, self._read())
        self._next_pass()
        self.assertEqual(OFF, self._read())  # reads ahead again
        self._settle()
        self.assertEqual(5, len(self.fetches))

    def _read_within_the_pass(self):
        self.assertEqual(ON, self._read())
        self.value = OFF
        self._next_pass()
        self.assertEqual(OFF, self._read())
        self._settle()
        self.assertEqual([ON, OFF], self.fetches)

    def test_no_read_ahead_when_the_batch_does_not(self):
        self.ahead = False
        self._read_within_the_pass()

    def test_no_read_ahead_without_prefetch_threads(self):
        self.config(prefetch_workers=0, group='msftocs')
        self._read_within_the_pass()

    def test_renewal_is_left_to_each_chassis_own_read(self):
        # Renewing the other chassis at the first read of a pass would
        # sweep their buses while their power states are read.
        for chassis in range(3):
            self._read(chassis)
        self._next_pass()
        self._read(0)
        self._settle()
        self.assertEqual(4, len(self.fetches))
        self._read(1)
        self._settle()
        self.assertEqual(5, len(self.fetches))

    def test_chassis_held_by_a_v20_console_is_not_renewed(self):
        held = 'https://cm00:8000'
        self.assertEqual(ON, self._read())
        self._next_pass()
        with mock.patch.object(
                console_guard, 'console_holds_chassis', autospec=True,
                side_effect=lambda client, info: info['base_url'] == held):
            self.assertEqual(ON, self._read())
            self._settle()
        self.assertEqual(1, len(self.fetches))

    def test_the_power_state_never_answers_from_an_expired_reply(self):
        fetch = mock.Mock(side_effect=[
            {b: models.BladeOutcome(b, value) for b in range(1, 25)}
            for value in (ON, OFF)])
        with mock.patch.object(state_cache.POWER_STATES, '_fetch_all',
                               fetch):
            info = _info(0)
            with client_cache.borrowed_client(info) as client:
                self.assertEqual(ON, state_cache.get_blade_state(client,
                                                                 info))
                self._next_pass()
                self.assertEqual(OFF, state_cache.get_blade_state(client,
                                                                  info))
        self.assertEqual(2, fetch.call_count)
