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

"""Tests of the chassis-manager client cache."""

import threading
import time
from unittest import mock

from msftocs_driver.common import client_cache
from msftocs_driver.ocs import client as ocs_client
from tests import base


def _info(**changes):
    info = {'base_url': 'https://cm01:8000', 'blade_id': 1,
            'username': 'admin', 'password': 's3cret', 'verify_ca': True,
            'auth_type': 'basic', 'terminal_port': None,
            'node_uuid': 'node-1'}
    info.update(changes)
    return info


def _get(info):
    """The cached client of ``info``, borrowed and given back at once."""
    with client_cache.borrowed_client(info) as client:
        return client


@mock.patch.object(ocs_client, 'ChassisManagerClient', autospec=True)
class ClientCacheTestCase(base.MsftOcsTestCase):

    def test_client_built_with_config(self, client_cls):
        self.config(connect_timeout=3.0, read_timeout=30.0, retries=1,
                    retry_interval=0.1, max_connections=2, group='msftocs')
        info = _info(verify_ca='/etc/ca.pem', auth_type='ntlm')
        with client_cache.borrowed_client(info) as client:
            self.assertIs(client_cls.return_value, client)
        client_cls.assert_called_once_with(
            'https://cm01:8000', 'admin', 's3cret', auth='ntlm',
            verify='/etc/ca.pem', connect_timeout=3.0, read_timeout=30.0,
            retries=1, retry_interval=0.1, max_connections=2,
            slots=mock.ANY)
        client.close.assert_not_called()

    def test_shared_by_blades_of_a_chassis(self, client_cls):
        client_cls.side_effect = lambda *a, **kw: mock.Mock()
        first = _get(_info(blade_id=1))
        self.assertIs(first, _get(_info(blade_id=48, node_uuid='n2')))
        self.assertEqual(1, client_cls.call_count)

    def test_key_separates_settings(self, client_cls):
        client_cls.side_effect = lambda *a, **kw: mock.Mock()
        clients = [_get(info) for info in (
            _info(), _info(password='other'), _info(username='root'),
            _info(verify_ca=False), _info(auth_type='ntlm'),
            _info(base_url='https://cm02:8000'))]
        self.assertEqual(6, len({id(c) for c in clients}))

    def test_key_has_no_clear_password(self, client_cls):
        key = client_cache.cache_key(_info(password='hunter2'))
        self.assertNotIn('hunter2', repr(key))
        self.assertEqual(key, client_cache.cache_key(_info(
            password='hunter2')))

    def test_lru_evicts_and_closes_least_recently_used(self, client_cls):
        self.config(client_cache_size=2, group='msftocs')
        client_cls.side_effect = lambda *a, **kw: mock.Mock()
        a = _get(_info(base_url='https://a'))
        b = _get(_info(base_url='https://b'))
        # a becomes the most recently used: b is evicted by c.
        self.assertIs(a, _get(_info(base_url='https://a')))
        _get(_info(base_url='https://c'))
        b.close.assert_called_once_with()
        a.close.assert_not_called()
        self.assertIs(a, _get(_info(base_url='https://a')))
        self.assertEqual(3, client_cls.call_count)

    def test_evicted_client_closed_after_last_user(self, client_cls):
        self.config(client_cache_size=1, group='msftocs')
        client_cls.side_effect = lambda *a, **kw: mock.Mock()
        with client_cache.borrowed_client(_info()) as busy:
            _get(_info(base_url='https://b'))
            busy.close.assert_not_called()
        busy.close.assert_called_once_with()

    def test_size_zero_fresh_client_closed_after_use(self, client_cls):
        self.config(client_cache_size=0, group='msftocs')
        client_cls.side_effect = lambda *a, **kw: mock.Mock()
        with client_cache.borrowed_client(_info()) as first:
            first.close.assert_not_called()
        first.close.assert_called_once_with()
        with client_cache.borrowed_client(_info()) as second:
            self.assertIsNot(first, second)
        self.assertEqual(2, client_cls.call_count)

    def test_evict(self, client_cls):
        client_cls.side_effect = lambda *a, **kw: mock.Mock()
        old = _get(_info())
        client_cache.evict(_info(), old)
        old.close.assert_called_once_with()
        new = _get(_info())
        self.assertIsNot(old, new)
        # An error seen on the old client does not evict the new one.
        client_cache.evict(_info(), old)
        self.assertIs(new, _get(_info()))
        client_cache.evict(_info())
        new.close.assert_called_once_with()

    def test_close_error_ignored(self, client_cls):
        client_cls.return_value.close.side_effect = RuntimeError('boom')
        _get(_info())
        client_cache.evict(_info())
        client_cls.return_value.close.assert_called_once_with()

    def test_threads_build_one_client_per_key(self, client_cls):
        built = []

        def build(*args, **kwargs):
            client = mock.Mock()
            built.append((args[0], client))
            return client

        client_cls.side_effect = build
        barrier = threading.Barrier(32)
        seen = []

        def worker(n):
            info = _info(base_url='https://cm%02d' % (n % 4), blade_id=n)
            barrier.wait()
            for _ in range(50):
                with client_cache.borrowed_client(info) as client:
                    seen.append((info['base_url'], client))

        threads = [threading.Thread(target=worker, args=(n,))
                   for n in range(32)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        self.assertEqual(4, len(built))
        by_url = dict(built)
        self.assertEqual(32 * 50, len(seen))
        for url, client in seen:
            self.assertIs(by_url[url], client)
        for _, client in built:
            client.close.assert_not_called()

    def test_idle_client_expires(self, client_cls):
        self.config(client_idle_timeout=60, group='msftocs')
        client_cls.side_effect = lambda *a, **kw: mock.Mock()
        now = time.monotonic()
        with mock.patch.object(time, 'monotonic', autospec=True) as clock:
            clock.return_value = now
            idle = _get(_info(base_url='https://idle'))
            used = _get(_info())
            clock.return_value = now + 50
            self.assertIs(used, _get(_info()))
            clock.return_value = now + 61
            # Any lending retires what nobody used for the idle timeout.
            self.assertIs(used, _get(_info()))
            idle.close.assert_called_once_with()
            used.close.assert_not_called()
            self.assertIsNot(idle, _get(_info(base_url='https://idle')))

    def test_busy_client_does_not_expire(self, client_cls):
        self.config(client_idle_timeout=60, group='msftocs')
        client_cls.side_effect = lambda *a, **kw: mock.Mock()
        now = time.monotonic()
        with mock.patch.object(time, 'monotonic', autospec=True) as clock:
            clock.return_value = now
            with client_cache.borrowed_client(_info()) as busy:
                clock.return_value = now + 120
                _get(_info(base_url='https://other'))
                busy.close.assert_not_called()
                self.assertIs(busy, _get(_info()))

    def test_password_rotation_retires_the_old_client(self, client_cls):
        client_cls.side_effect = lambda *a, **kw: mock.Mock()
        old = _get(_info(password='old'))
        with client_cache.borrowed_client(_info(password='new')) as new:
            old.close.assert_called_once_with()
            self.assertIsNot(old, new)
        self.assertEqual(1, len(client_cache._entries))
        # Another user of the chassis manager keeps its client.
        root = _get(_info(username='root'))
        _get(_info(password='newer'))
        root.close.assert_not_called()

    def test_one_connection_budget_per_endpoint(self, client_cls):
        client_cls.side_effect = lambda *a, **kw: mock.Mock()
        with client_cache.borrowed_client(_info()) as first:
            # Evicted after an error while still in use, then replaced.
            client_cache.evict(_info(), first)
            _get(_info())
            _get(_info(username='root'))
            _get(_info(base_url='https://cm02:8000'))
        slots = [c[1]['slots'] for c in client_cls.call_args_list]
        self.assertIs(slots[0], slots[1])
        self.assertIs(slots[0], slots[2])
        self.assertIsNot(slots[0], slots[3])


class ConnectionBudgetTestCase(base.MsftOcsTestCase):
    """Real clients: the connector draws from the endpoint's budget."""

    def test_generations_share_the_cap(self):
        self.config(max_connections=1, group='msftocs')
        with client_cache.borrowed_client(_info()) as first:
            client_cache.evict(_info(), first)
            with client_cache.borrowed_client(_info()) as second:
                self.assertIsNot(first, second)
                # The only slot is taken by the old generation: the new
                # one cannot start a request.
                first._connector._slots.acquire()
                try:
                    self.assertFalse(
                        second._connector._slots.acquire(timeout=0.01))
                finally:
                    first._connector._slots.release()
