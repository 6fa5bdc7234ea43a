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

"""Chassis-manager clients shared by all blades of a chassis.

One :class:`~msftocs_driver.ocs.client.ChassisManagerClient` (one HTTP
session with kept-alive connections) serves every node that reaches the same
chassis manager with the same credentials, TLS and authentication settings.
The cache is a bounded LRU (``[msftocs]client_cache_size``) guarded by a
lock: ironic runs power sync and API requests on real threads. A client
leaves the cache when it is the least recently used one of a full cache,
when nobody used it for ``[msftocs]client_idle_timeout`` seconds, when it is
evicted after an error, or when a client is built for a new password of the
same user and chassis manager (a password rotation); it is closed once no
caller uses it any more.

Every client of one chassis manager endpoint, whatever its credentials and
however many times it was replaced, draws from one budget of
``[msftocs]max_connections`` concurrent requests.
"""

import collections
import contextlib
import hashlib
import os
import threading
import time
import weakref

from oslo_log import log

from msftocs_driver.conf import CONF
from msftocs_driver.ocs import client as ocs_client

LOG = log.getLogger(__name__)

# The password digest only has to tell credentials apart inside this
# process; a keyed hash with a per-process random key is enough (keyed
# BLAKE2 is a MAC in one C call: well under a microsecond, unlike a password
# KDF run on every call).
_DIGEST_KEY = os.urandom(32)


class _Entry:
    """A cached client, how many callers use it now, when it was last used."""

    __slots__ = ('client', 'users', 'retired', 'last_used', 'budget')

    def __init__(self, client):
        self.client = client
        self.users = 0
        self.retired = False
        self.last_used = time.monotonic()
        self.budget = None


_lock = threading.Lock()
_entries = collections.OrderedDict()
#: base URL -> the budget (a semaphore) every client of it shares;
#: an endpoint's budget lives as long as one of its clients does.
_budgets = weakref.WeakValueDictionary()


class _Budget:
    """The connection budget of one endpoint (weakly referenceable)."""

    __slots__ = ('size', 'slots', '__weakref__')

    def __init__(self, size):
        self.size = size
        self.slots = threading.BoundedSemaphore(size)


def _budget(base_url, size):
    """The shared budget of an endpoint; the caller holds ``_lock``.

    A new one is made only when none exists or ``max_connections``
    changed (clients built before the change keep theirs until they go).
    """
    budget = _budgets.get(base_url)
    if budget is None or budget.size != size:
        budget = _budgets[base_url] = _Budget(size)
    return budget


def cache_key(info):
    """Return the key that identifies a chassis-manager client.

    The blade id is deliberately not part of it: the blades of one chassis
    share a client.

    :param info: the dict returned by ``driver_info.parse_driver_info``.
    :returns: a hashable tuple without any secret in clear.
    """
    digest = hashlib.blake2b(info['password'].encode('utf-8'),
                             key=_DIGEST_KEY).hexdigest()
    return (info['base_url'], info['username'], digest, info['verify_ca'],
            info['auth_type'])


def _build_client(info, slots=None):
    opts = CONF.msftocs
    return ocs_client.ChassisManagerClient(
        info['base_url'], info['username'], info['password'],
        auth=info['auth_type'], verify=info['verify_ca'],
        connect_timeout=opts.connect_timeout,
        read_timeout=opts.read_timeout,
        retries=opts.retries,
        retry_interval=opts.retry_interval,
        max_connections=opts.max_connections, slots=slots)


def _close(client, base_url, node_uuid=None):
    """Close a client that left the cache.

    :param node_uuid: the node whose call retired the client, for the log.
    """
    try:
        client.close()
    except Exception as exc:  # closing must never hide the real outcome
        LOG.debug('Ignoring an error while closing the client of chassis '
                  'manager %(url)s (released by a call for node %(node)s): '
                  '%(err)s', {'url': base_url, 'node': node_uuid, 'err': exc})


def _retire(key, entry):
    """Drop an entry from the cache; the caller holds ``_lock``.

    :returns: the client to close now (outside the lock), or None when
        callers still use it (the last one closes it).
    """
    del _entries[key]
    entry.retired = True
    return entry.client if entry.users == 0 else None


def _expired(now):
    """Retire idle and superseded entries; the caller holds ``_lock``.

    :returns: ``(client, base_url)`` pairs to close outside the lock.
    """
    idle = CONF.msftocs.client_idle_timeout
    to_close = []
    if idle > 0:
        for key, entry in list(_entries.items()):
            if entry.users == 0 and now - entry.last_used > idle:
                to_close.append((_retire(key, entry), key[0]))
    return [pair for pair in to_close if pair[0] is not None]


def _rotated(key):
    """Retire the entries of the same user with another password.

    The caller holds ``_lock``.

    :returns: ``(client, base_url)`` pairs to close outside the lock.
    """
    to_close = []
    for old_key, old_entry in list(_entries.items()):
        if (old_key[:2] == key[:2] and old_key[2] != key[2]):
            client = _retire(old_key, old_entry)
            if client is not None:
                to_close.append((client, old_key[0]))
    return to_close


def _checkout(info):
    size = CONF.msftocs.client_cache_size
    key = cache_key(info)
    now = time.monotonic()
    with _lock:
        to_close = _expired(now)
        entry = _entries.get(key)
        if entry is not None:
            _entries.move_to_end(key)
        else:
            # Building a client does no I/O, so doing it under the lock is
            # cheap and guarantees one client per key.
            budget = _budget(info['base_url'], CONF.msftocs.max_connections)
            entry = _Entry(_build_client(info, budget.slots))
            # Keep the budget alive as long as the client.
            entry.budget = budget
            if size > 0:
                to_close.extend(_rotated(key))
                _entries[key] = entry
                while len(_entries) > size:
                    old_key, old_entry = next(iter(_entries.items()))
                    client = _retire(old_key, old_entry)
                    if client is not None:
                        to_close.append((client, old_key[0]))
            else:
                entry.retired = True
        entry.users += 1
        entry.last_used = now
    for client, base_url in to_close:
        _close(client, base_url, info['node_uuid'])
    return entry


def _checkin(entry, info):
    with _lock:
        entry.users -= 1
        entry.last_used = time.monotonic()
        close_now = entry.retired and entry.users == 0
    if close_now:
        _close(entry.client, info['base_url'], info['node_uuid'])


@contextlib.contextmanager
def borrowed_client(info):
    """Lend the shared client of a chassis manager for one piece of work.

    With ``[msftocs]client_cache_size`` = 0 the client is created for this
    call and closed afterwards.

    :param info: the dict returned by ``driver_info.parse_driver_info``.
    :returns: a context manager yielding a ``ChassisManagerClient``.
    """
    entry = _checkout(info)
    try:
        yield entry.client
    finally:
        _checkin(entry, info)


def evict(info, client=None):
    """Drop the client of a chassis manager, e.g. after an error.

    :param info: the dict returned by ``driver_info.parse_driver_info``.
    :param client: only evict if this is the cached client, so that an
        error seen on an old client does not drop a newer, healthy one.
    """
    key = cache_key(info)
    with _lock:
        entry = _entries.get(key)
        if entry is None or client not in (None, entry.client):
            return
        to_close = _retire(key, entry)
    LOG.debug('Evicted the cached client of chassis manager %(url)s for '
              'node %(node)s', {'url': info['base_url'],
                                'node': info['node_uuid']})
    if to_close is not None:
        _close(to_close, info['base_url'], info['node_uuid'])


def clear():
    """Close and forget every cached client (for tests and shutdown)."""
    with _lock:
        items = list(_entries.items())
        to_close = [(_retire(key, entry), key[0]) for key, entry in items]
    for client, base_url in to_close:
        if client is not None:
            _close(client, base_url)
