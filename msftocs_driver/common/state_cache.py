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

"""Power-state reads served from one GetAllBladesState per chassis.

Ironic's power sync asks every node for its power state, 8 threads at a
time. Without this cache a 48-blade chassis answers 48 GetBladeState calls
per pass over its single serial bus; with it, one GetAllBladesState reply
answers every blade for ``[msftocs]power_state_cache_ttl`` seconds:

* only reads made under a shared lock (power sync, API reads) come here;
  the power interface reads a blade fresh whenever its task holds an
  exclusive lock (power actions, ironic's "already in that state?" check,
  the waits for a power change);
* the time to live counts from the start of the fetch, so that a state
  served is never older than the TTL (the CM reads the blades one by one
  over its bus while the fetch runs, about 20 ms each);
* one fetch is in flight per chassis; threads that need the same chassis
  meanwhile wait for that fetch (and share its error if it fails);
* a write to a blade drops what is cached about that blade
  (:func:`invalidate`), including from a fetch that was in flight during
  the write; the blade is then read alone until the next fetch;
* while a blade's power is being changed (:func:`power_change`), its state
  is always read fresh with GetBladeState, by any task;
* per-blade errors in the reply are raised exactly as GetBladeState would
  raise them (``BladeOutcome.result()``).

The cache lives in the conductor process and is keyed like the client cache
(endpoint and credentials), so a node with wrong credentials never reads
what another node's credentials fetched.
"""

import collections
import concurrent.futures
import threading
import time

from oslo_log import log

from msftocs_driver.common import client_cache
from msftocs_driver.conf import CONF

LOG = log.getLogger(__name__)


class _Chassis:
    """What is known about one chassis."""

    __slots__ = ('outcomes', 'expires', 'fetching', 'invalidated')

    def __init__(self):
        self.outcomes = {}
        self.expires = 0.0
        self.fetching = None
        # blade id -> monotonic time of the last write to it
        self.invalidated = {}


_lock = threading.Lock()
_chassis = {}
_changing = collections.Counter()


def _prune(now):
    """Forget idle, expired chassis; the caller holds ``_lock``."""
    for key in [k for k, e in _chassis.items()
                if e.expires <= now and e.fetching is None]:
        del _chassis[key]


def _fetch(client, key, future, started):
    try:
        outcomes = client.get_all_blades_state()
    except BaseException as exc:
        with _lock:
            _chassis.pop(key, None)
        future.set_exception(exc)
        return
    with _lock:
        entry = _chassis.setdefault(key, _Chassis())
        entry.fetching = None
        # A blade written to after the fetch started may be reported with
        # its old state: keep it out.
        written = {b for b, t in entry.invalidated.items() if t >= started}
        entry.outcomes = {b: o for b, o in outcomes.items()
                          if b not in written}
        entry.invalidated = {b: t for b, t in entry.invalidated.items()
                             if t >= started}
        entry.expires = started + CONF.msftocs.power_state_cache_ttl
        _prune(time.monotonic())
    future.set_result(outcomes)


def _outcome(client, info):
    """Return the blade's outcome from a fresh or shared batch, or None."""
    key = client_cache.cache_key(info)
    blade_id = info['blade_id']
    with _lock:
        entry = _chassis.setdefault(key, _Chassis())
        if time.monotonic() < entry.expires:
            # None when the blade was written to since the fetch or is not
            # in the reply: it is read alone rather than the whole chassis
            # again.
            return entry.outcomes.get(blade_id)
        future = entry.fetching
        owner = future is None
        if owner:
            future = entry.fetching = concurrent.futures.Future()
    if owner:
        LOG.debug('Reading the power state of every blade of chassis '
                  'manager %(url)s for node %(node)s',
                  {'url': info['base_url'], 'node': info['node_uuid']})
        _fetch(client, key, future, time.monotonic())
    outcomes = future.result()
    with _lock:
        entry = _chassis.get(key)
        if entry is not None and blade_id in entry.invalidated:
            return None
    return outcomes.get(blade_id)


def get_blade_state(client, info):
    """Return a blade's state (GetBladeState), from the chassis batch if fresh.

    For reads under a shared lock only: a task holding an exclusive lock
    calls ``client.get_blade_state`` itself.

    :param client: the node's ``ChassisManagerClient``.
    :param info: the node's parsed driver_info.
    :returns: a :class:`~msftocs_driver.ocs.constants.PowerState`.
    :raises: the :class:`~msftocs_driver.ocs.exceptions.OCSError` that
        GetBladeState would raise for this blade (``DevicePoweredOffError``,
        ``FirmwareDecompressingError``, ``BladeTimeoutError``...), or the
        error of the chassis-wide call.
    """
    if CONF.msftocs.power_state_cache_ttl <= 0:
        return client.get_blade_state(info['blade_id'])
    key = (client_cache.cache_key(info), info['blade_id'])
    with _lock:
        changing = _changing[key] > 0
    outcome = None if changing else _outcome(client, info)
    if outcome is None:
        # Invalidated, changing, or absent from the reply (e.g. an id
        # beyond the chassis population): the single call gives the
        # authoritative answer or error.
        return client.get_blade_state(info['blade_id'])
    return outcome.result()


def invalidate(info):
    """Forget the cached state of a blade; call after any write to it.

    :param info: the node's parsed driver_info.
    """
    key = client_cache.cache_key(info)
    with _lock:
        entry = _chassis.get(key)
        if entry is not None:
            entry.outcomes.pop(info['blade_id'], None)
            entry.invalidated[info['blade_id']] = time.monotonic()


class power_change:
    """Context manager: the blade's state is read fresh inside the block.

    Used around a power change and its wait loop; the blade's cached state
    is invalidated on entry and on exit.

    :param info: the node's parsed driver_info.
    """

    def __init__(self, info):
        self._info = info
        self._key = (client_cache.cache_key(info), info['blade_id'])

    def __enter__(self):
        with _lock:
            _changing[self._key] += 1
        invalidate(self._info)
        return self

    def __exit__(self, *exc_info):
        with _lock:
            _changing[self._key] -= 1
            if _changing[self._key] <= 0:
                del _changing[self._key]
        invalidate(self._info)


def clear():
    """Forget everything (for tests and benchmarks)."""
    with _lock:
        _chassis.clear()
        _changing.clear()
