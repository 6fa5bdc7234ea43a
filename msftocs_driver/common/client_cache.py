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
that leaves the cache is closed once no caller uses it any more.
"""

import collections
import contextlib
import hashlib
import os
import threading

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
    """A cached client and how many callers are using it right now."""

    __slots__ = ('client', 'users', 'retired')

    def __init__(self, client):
        self.client = client
        self.users = 0
        self.retired = False


_lock = threading.Lock()
_entries = collections.OrderedDict()


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


def _build_client(info):
    opts = CONF.msftocs
    return ocs_client.ChassisManagerClient(
        info['base_url'], info['username'], info['password'],
        auth=info['auth_type'], verify=info['verify_ca'],
        connect_timeout=opts.connect_timeout,
        read_timeout=opts.read_timeout,
        retries=opts.retries,
        retry_interval=opts.retry_interval,
        max_connections=opts.max_connections)


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


def _checkout(info):
    size = CONF.msftocs.client_cache_size
    key = cache_key(info)
    to_close = []
    with _lock:
        entry = _entries.get(key)
        if entry is not None:
            _entries.move_to_end(key)
        else:
            # Building a client does no I/O, so doing it under the lock is
            # cheap and guarantees one client per key.
            entry = _Entry(_build_client(info))
            if size > 0:
                _entries[key] = entry
                while len(_entries) > size:
                    old_key, old_entry = next(iter(_entries.items()))
                    client = _retire(old_key, old_entry)
                    if client is not None:
                        to_close.append((client, old_key[0]))
            else:
                entry.retired = True
        entry.users += 1
    for client, base_url in to_close:
        _close(client, base_url, info['node_uuid'])
    return entry


def _checkin(entry, info):
    with _lock:
        entry.users -= 1
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


def get_client(info):
    """Return the shared client of a chassis manager.

    Prefer :func:`borrowed_client`: a client returned here may be closed
    when it leaves the cache while the caller still holds it (requests then
    reopen connections transparently), and with caching disabled the
    caller owns the new client and must close it.

    :param info: the dict returned by ``driver_info.parse_driver_info``.
    :returns: a ``ChassisManagerClient``.
    """
    entry = _checkout(info)
    with _lock:
        entry.users -= 1
    return entry.client


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
