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

"""Tests of the power-state batch cache."""

import threading
import time
from unittest import mock

from msftocs_driver.common import blade_writes
from msftocs_driver.common import state_cache
from msftocs_driver.ocs import client as ocs_client
from msftocs_driver.ocs import constants
from msftocs_driver.ocs import exceptions as ocs_exc
from msftocs_driver.ocs import models
from tests import base

ON = constants.PowerState.ON
OFF = constants.PowerState.OFF
CODE = constants.CompletionCode


def _info(blade_id, **changes):
    info = {'base_url': 'https://cm01:8000', 'blade_id': blade_id,
            'username': 'admin', 'password': 's3cret', 'verify_ca': True,
            'auth_type': 'basic', 'terminal_port': None,
            'node_uuid': 'node-%d' % blade_id}
    info.update(changes)
    return info


def _batch(blades=24, errors=None):
    errors = errors or {}
    outcomes = {}
    for blade in range(1, blades + 1):
        if blade in errors:
            outcomes[blade] = models.BladeOutcome(blade, None, errors[blade])
        else:
            outcomes[blade] = models.BladeOutcome(blade,
                                                  ON if blade % 2 else OFF)
    return outcomes


class StateCacheTestCase(base.MsftOcsTestCase):

    def setUp(self):
        super().setUp()
        self.config(power_state_cache_ttl=30, group='msftocs')
        self.client = mock.create_autospec(ocs_client.ChassisManagerClient,
                                           instance=True)
        self.client.get_all_blades_state.return_value = _batch()

    def test_one_fetch_serves_the_chassis(self):
        for blade in range(1, 25):
            self.assertEqual(ON if blade % 2 else OFF,
                             state_cache.get_blade_state(self.client,
                                                         _info(blade)))
        self.client.get_all_blades_state.assert_called_once_with()
        self.client.get_blade_state.assert_not_called()

    def test_ttl_zero_reads_each_blade(self):
        self.config(power_state_cache_ttl=0, group='msftocs')
        self.client.get_blade_state.return_value = ON
        for blade in (1, 2, 3):
            self.assertEqual(ON, state_cache.get_blade_state(self.client,
                                                             _info(blade)))
        self.assertEqual([mock.call(1), mock.call(2), mock.call(3)],
                         self.client.get_blade_state.call_args_list)
        self.client.get_all_blades_state.assert_not_called()

    def test_expiry_refetches(self):
        self.config(power_state_cache_ttl=5, group='msftocs')
        with mock.patch.object(time, 'monotonic', autospec=True) as now:
            now.return_value = 100.0
            state_cache.get_blade_state(self.client, _info(1))
            now.return_value = 104.0
            state_cache.get_blade_state(self.client, _info(2))
            self.assertEqual(1, self.client.get_all_blades_state.call_count)
            now.return_value = 105.5
            state_cache.get_blade_state(self.client, _info(3))
        self.assertEqual(2, self.client.get_all_blades_state.call_count)

    def test_ttl_counts_from_the_start_of_the_fetch(self):
        # What is served is never older than the TTL, however long the CM
        # took to read its blades.
        self.config(power_state_cache_ttl=5, group='msftocs')
        with mock.patch.object(time, 'monotonic', autospec=True) as now:
            now.return_value = 100.0

            def slow_fetch():
                now.return_value = 103.0
                return _batch()

            self.client.get_all_blades_state.side_effect = slow_fetch
            state_cache.get_blade_state(self.client, _info(1))
            now.return_value = 104.9
            state_cache.get_blade_state(self.client, _info(2))
            self.assertEqual(1, self.client.get_all_blades_state.call_count)
            now.return_value = 105.0
            state_cache.get_blade_state(self.client, _info(3))
        self.assertEqual(2, self.client.get_all_blades_state.call_count)

    def test_per_blade_errors_raised_as_single_call(self):
        errors = {
            2: ocs_exc.DevicePoweredOffError(CODE.DevicePoweredOff,
                                             blade_id=2),
            4: ocs_exc.BladeTimeoutError(CODE.Timeout, 'Timeout',
                                         blade_id=4),
            6: ocs_exc.CommandNotValidForBladeError(
                CODE.CommandNotValidForBlade, blade_id=6),
            8: ocs_exc.FirmwareDecompressingError(
                CODE.FirmwareDecompressing,
                'Decompression Time Remaining 12', blade_id=8),
        }
        self.client.get_all_blades_state.return_value = _batch(
            errors=errors)
        for blade, error in errors.items():
            raised = self.assertRaises(type(error),
                                       state_cache.get_blade_state,
                                       self.client, _info(blade))
            self.assertIs(error, raised)
        self.assertEqual(ON, state_cache.get_blade_state(self.client,
                                                         _info(1)))
        self.client.get_all_blades_state.assert_called_once_with()
        self.client.get_blade_state.assert_not_called()

    def test_blade_missing_from_reply_read_alone(self):
        self.client.get_blade_state.side_effect = (
            ocs_exc.ParameterOutOfRangeError(CODE.ParameterOutOfRange,
                                             blade_id=30))
        for _ in range(2):
            self.assertRaises(ocs_exc.ParameterOutOfRangeError,
                              state_cache.get_blade_state, self.client,
                              _info(30))
        self.assertEqual([mock.call(30)] * 2,
                         self.client.get_blade_state.call_args_list)
        self.client.get_all_blades_state.assert_called_once_with()

    def test_invalidate_reads_blade_alone(self):
        state_cache.get_blade_state(self.client, _info(1))
        state_cache.invalidate(_info(1))
        self.client.get_blade_state.return_value = OFF
        self.assertEqual(OFF, state_cache.get_blade_state(self.client,
                                                          _info(1)))
        self.client.get_blade_state.assert_called_once_with(1)
        # The other blades still come from the batch.
        self.assertEqual(ON, state_cache.get_blade_state(self.client,
                                                         _info(3)))
        self.client.get_all_blades_state.assert_called_once_with()

    def test_write_during_fetch_drops_blade(self):
        def fetch():
            # A power change on blade 5 lands while the batch is read.
            state_cache.invalidate(_info(5))
            return _batch()

        self.client.get_all_blades_state.side_effect = fetch
        self.client.get_blade_state.return_value = OFF
        self.assertEqual(OFF, state_cache.get_blade_state(self.client,
                                                          _info(5)))
        self.client.get_blade_state.assert_called_once_with(5)
        self.assertEqual(OFF, state_cache.get_blade_state(self.client,
                                                          _info(5)))
        self.assertEqual(2, self.client.get_blade_state.call_count)
        self.client.get_all_blades_state.assert_called_once_with()

    def test_power_change_reads_fresh(self):
        state_cache.get_blade_state(self.client, _info(1))
        self.client.get_blade_state.return_value = OFF
        with state_cache.power_change(_info(1)):
            for _ in range(3):
                self.assertEqual(OFF, state_cache.get_blade_state(
                    self.client, _info(1)))
        self.assertEqual(3, self.client.get_blade_state.call_count)
        self.assertEqual({}, dict(blade_writes._changing))

    def test_credentials_separate_caches(self):
        state_cache.get_blade_state(self.client, _info(1))
        state_cache.get_blade_state(self.client,
                                    _info(1, password='wrong'))
        self.assertEqual(2, self.client.get_all_blades_state.call_count)

    def _read_during_slow_fetch(self, blades, answer):
        """Read blades from one thread each while one batch fetch is slow.

        :param blades: the blade ids; the first one starts the fetch.
        :param answer: what the fetch returns, or an exception it raises.
        :returns: blade id -> state read, or the OCSError raised.
        """
        release = threading.Event()
        started = threading.Event()

        def slow_fetch():
            started.set()
            release.wait(10)
            if isinstance(answer, Exception):
                raise answer
            return answer

        self.client.get_all_blades_state.side_effect = slow_fetch
        results = {}

        def worker(blade):
            try:
                results[blade] = state_cache.get_blade_state(self.client,
                                                             _info(blade))
            except ocs_exc.OCSError as exc:
                results[blade] = exc

        threads = [threading.Thread(target=worker, args=(b,))
                   for b in blades]
        threads[0].start()
        self.assertTrue(started.wait(10))
        for thread in threads[1:]:
            thread.start()
        time.sleep(0.1)
        release.set()
        for thread in threads:
            thread.join(10)
        return results

    def test_concurrent_threads_share_one_fetch(self):
        results = self._read_during_slow_fetch(range(1, 49), _batch(48))
        self.assertEqual({b: ON if b % 2 else OFF for b in range(1, 49)},
                         results)
        self.client.get_all_blades_state.assert_called_once_with()
        self.client.get_blade_state.assert_not_called()

    def test_concurrent_threads_share_fetch_error(self):
        error = ocs_exc.ReadTimeoutError('read timed out',
                                         operation='GetAllBladesState')
        results = self._read_during_slow_fetch(range(1, 9), error)
        self.assertEqual({b: error for b in range(1, 9)}, results)
        self.client.get_all_blades_state.assert_called_once_with()
        # Nothing was cached: the next read fetches again.
        self.client.get_all_blades_state.side_effect = None
        state_cache.get_blade_state(self.client, _info(1))
        self.assertEqual(2, self.client.get_all_blades_state.call_count)

    def test_slow_fetch_with_a_write_and_a_waiter_serves_nothing_stale(self):
        # A fetch slower than the TTL, a power change of blade 5 while it
        # runs, a waiter on blade 5 and the owner on blade 5: nobody gets
        # the pre-write state, and later readers neither.
        self.config(power_state_cache_ttl=0.05, group='msftocs')
        release = threading.Event()
        started = threading.Event()

        def slow_fetch():
            started.set()
            release.wait(10)
            time.sleep(0.1)  # longer than the TTL
            return _batch()

        self.client.get_all_blades_state.side_effect = slow_fetch
        self.client.get_blade_state.return_value = OFF  # after the write
        results = {}

        def read(name):
            results[name] = state_cache.get_blade_state(self.client,
                                                        _info(5))

        owner = threading.Thread(target=read, args=('owner',))
        owner.start()
        self.assertTrue(started.wait(10))
        waiter = threading.Thread(target=read, args=('waiter',))
        waiter.start()
        time.sleep(0.05)
        state_cache.invalidate(_info(5))   # the write ends mid-fetch
        release.set()
        owner.join(10)
        waiter.join(10)
        read('later')
        # Blade 5 is ON in the batch (odd): every read went to the blade.
        self.assertEqual({'owner': OFF, 'waiter': OFF, 'later': OFF},
                         results)
        self.assertEqual(3, self.client.get_blade_state.call_count)

    def test_slow_chassis_gets_one_request_per_pass(self):
        self.config(power_state_cache_ttl=5, group='msftocs')
        with mock.patch.object(time, 'monotonic', autospec=True) as now:
            now.return_value = 100.0

            def slow_fetch():
                now.return_value = 108.0   # 8 s, more than the TTL
                return _batch()

            self.client.get_all_blades_state.side_effect = slow_fetch
            state_cache.get_blade_state(self.client, _info(1))
            # Served for one TTL after the reply arrived.
            for t, blade in ((110.0, 2), (112.9, 3)):
                now.return_value = t
                state_cache.get_blade_state(self.client, _info(blade))
            self.assertEqual(1, self.client.get_all_blades_state.call_count)
            now.return_value = 113.0
            state_cache.get_blade_state(self.client, _info(4))
        self.assertEqual(2, self.client.get_all_blades_state.call_count)
        self.client.get_blade_state.assert_not_called()

    def test_write_with_other_credentials_invalidates(self):
        state_cache.get_blade_state(self.client, _info(1))
        state_cache.invalidate(_info(1, password='rotated'))
        self.client.get_blade_state.return_value = OFF
        self.assertEqual(OFF, state_cache.get_blade_state(self.client,
                                                          _info(1)))
        self.client.get_blade_state.assert_called_once_with(1)

    def test_one_fetch_in_flight_per_endpoint(self):
        # Two credentials of one chassis (e.g. during a password
        # rotation): their chassis-wide reads never overlap.
        active = []
        overlaps = []

        def fetch():
            active.append(1)
            overlaps.append(len(active))
            time.sleep(0.1)
            active.pop()
            return _batch()

        self.client.get_all_blades_state.side_effect = fetch
        threads = [threading.Thread(
            target=state_cache.get_blade_state,
            args=(self.client, _info(1, password='pw%d' % n)))
            for n in range(3)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(10)
        self.assertEqual([1, 1, 1], overlaps)
