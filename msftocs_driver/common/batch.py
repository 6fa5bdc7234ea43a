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

"""Chassis-wide reads shared by the shared-lock reads of a pass.

A :class:`ChassisBatch` answers per-blade reads from one chassis-wide call
(e.g. ``GetAllBladesState`` for ``GetBladeState``). Its rules:

* only reads made under a shared lock come here: a task holding an
  exclusive lock reads its blade itself;
* a reply serves for the batch's TTL counted from the moment its request
  was sent; a reply that took longer than the TTL itself serves for one TTL
  after it arrived, so that a slow chassis still costs one request per
  pass rather than one per reader (its states are then at most the fetch
  time plus the TTL old, and never older than a write);
* one fetch per chassis manager endpoint is in flight in this process,
  whatever the batch or the credentials; readers that need the same batch
  meanwhile wait for it and share its result or error;
* a write to a blade is recorded with its time
  (:mod:`~msftocs_driver.common.blade_writes`): no reader, owner or waiter
  of a fetch is ever given that blade's state from a fetch sent before the
  write ended, nor while its power is being changed; the blade is then
  read alone until a later fetch;
* when a read misses (its chassis needs a fetch), the chassis-wide reads of
  the other chassis this batch served recently are started too, on a small
  pool (:mod:`~msftocs_driver.common.prefetch`), so that their replies are
  ready when the pass reaches them; a chassis whose only serial session a
  console of this conductor holds on CM v2.0 is left out, since the read
  would end that console
  (:mod:`~msftocs_driver.common.console_guard`);
* a batch that reads ahead (node health, not the power state) still
  answers from an expired reply younger than the prefetch's recent window,
  and the first such read of a pass queues the reply's renewal on the same
  pool, for the next pass: its bus time then never delays a pass. The
  renewal is queued after the read that found the reply expired, which
  comes right after the pass read the chassis' power state, so the two
  sweeps of the chassis bus follow each other. A renewal that fails ends
  the reading ahead of that chassis until a read of it succeeds again.

Entries are keyed like the client cache (endpoint and credentials), so a
node with wrong credentials never reads what another node's credentials
fetched.
"""

import concurrent.futures
import threading
import time

from oslo_log import log

from msftocs_driver.common import blade_writes
from msftocs_driver.common import client_cache
from msftocs_driver.common import console_guard
from msftocs_driver.common import prefetch

LOG = log.getLogger(__name__)

#: Guards every batch (taken before the write records' lock, never after).
_lock = threading.Lock()
#: base_url -> lock held while a chassis-wide read of it is in flight.
_in_flight = {}
#: Every batch, for :func:`expire` and :func:`clear`.
_batches = []


class _Entry:
    """What a batch knows about one chassis (endpoint and credentials)."""

    __slots__ = ('outcomes', 'started', 'expires', 'fetching', 'last_read',
                 'info', 'renewal_failed')

    def __init__(self):
        self.outcomes = {}
        self.started = None
        self.expires = 0.0
        self.fetching = None
        self.last_read = None
        self.info = None
        self.renewal_failed = False


class ChassisBatch:
    """Per-blade outcomes of one chassis-wide read, shared by a pass.

    :param name: what is read, for logs (e.g. ``'power state'``).
    :param fetch: ``fetch(client)`` makes the chassis-wide call and returns
        ``{blade id: outcome}`` (e.g. ``client.get_all_blades_state``).
    :param ttl: ``ttl()`` returns the time to live in seconds, read at each
        call so that configuration changes apply; 0 or less disables the
        batch (:meth:`outcome` then always returns None).
    :param read_ahead: ``read_ahead()`` returns whether an expired reply
        still answers while its renewal is read for the next pass; None
        never does (the reply is then renewed by the reader that needs
        it).
    """

    def __init__(self, name, fetch, ttl, read_ahead=None):
        self.name = name
        self._fetch_all = fetch
        self._ttl = ttl
        self._read_ahead = read_ahead
        self._entries = {}
        _batches.append(self)

    def outcome(self, client, info):
        """Return the blade's outcome from a fresh or shared fetch, or None.

        :param client: the node's ``ChassisManagerClient``.
        :param info: the node's parsed driver_info.
        :returns: the outcome the fetch returned for the blade, or None
            when the blade must be read alone (the batch is disabled, the
            blade was written to or is changing power, or the reply did not
            list it).
        :raises: the error of the chassis-wide call.
        """
        if self._ttl() <= 0:
            return None
        key = client_cache.cache_key(info)
        blade = (info['base_url'], info['blade_id'])
        with _lock:
            if blade_writes.is_changing(blade):
                return None
            now = time.monotonic()
            entry = self._entries.setdefault(key, _Entry())
            entry.last_read = now
            entry.info = info
            if now < entry.expires:
                return self._valid(entry.started, entry.outcomes, blade)
            if self._answers_expired(entry, now):
                if entry.fetching is None:
                    self._renew(entry, info)
                return self._valid(entry.started, entry.outcomes, blade)
            future = entry.fetching
            owner = future is None
            if owner:
                future = entry.fetching = concurrent.futures.Future()
                self._prefetch_others(key, now)
        if owner:
            LOG.debug('Reading the %(what)s of every blade of chassis '
                      'manager %(url)s for node %(node)s',
                      {'what': self.name, 'url': info['base_url'],
                       'node': info['node_uuid']})
            self._fetch(client, entry, future)
        started, outcomes = future.result()
        with _lock:
            return self._valid(started, outcomes, blade)

    def _answers_expired(self, entry, now):
        """Whether an expired reply still answers (reads ahead); under lock.

        It does while it is younger than the prefetch's recent window and
        its last renewal did not fail.
        """
        return (self._read_ahead is not None and prefetch.enabled()
                and entry.started is not None and not entry.renewal_failed
                and now - entry.started < prefetch.recent_window()
                and self._read_ahead())

    def _renew(self, entry, info):
        """Queue the renewal of an expired reply, for the next pass.

        Called under lock.
        """
        LOG.debug('Reading the %(what)s of every blade of chassis manager '
                  '%(url)s ahead, for the pass after that of node %(node)s',
                  {'what': self.name, 'url': info['base_url'],
                   'node': info['node_uuid']})
        self._queue(entry)

    def _queue(self, entry):
        """Queue a fetch of ``entry`` on the prefetch threads; under lock."""
        future = entry.fetching = concurrent.futures.Future()
        prefetch.POOL.submit(lambda: self._prefetch(entry, future))

    @staticmethod
    def _valid(started, outcomes, blade):
        """The blade's outcome unless written since ``started``; under lock."""
        if blade_writes.excluded(blade, started):
            return None
        return outcomes.get(blade[1])

    def _fetch(self, client, entry, future):
        """Make the chassis-wide call for ``entry`` and resolve ``future``."""
        base_url = entry.info['base_url']
        with _lock:
            in_flight = _in_flight.setdefault(base_url, threading.Lock())
        try:
            with in_flight:
                started = time.monotonic()
                outcomes = self._fetch_all(client)
        except BaseException as exc:
            with _lock:
                if entry.fetching is future:
                    entry.fetching = None
            future.set_exception(exc)
            return
        finished = time.monotonic()
        ttl = self._ttl()
        with _lock:
            # Leave out what was written while the request ran: waiters
            # get the same filtered reply as later readers.
            written = blade_writes.written_since(base_url, started)
            outcomes = {b: o for b, o in outcomes.items()
                        if b not in written}
            if entry.fetching is future:
                entry.fetching = None
            entry.outcomes = outcomes
            entry.started = started
            entry.renewal_failed = False
            entry.expires = (started + ttl if finished - started <= ttl
                             else finished + ttl)
            _prune(finished)
        future.set_result((started, outcomes))

    def _prefetch_others(self, trigger, now):
        """Start the fetches of the other recently read chassis; under lock.

        A chassis qualifies when a reader asked for it within the recent
        window (a chassis whose nodes left this conductor stops qualifying
        once the window has passed), its reply expired and no fetch of it
        is in flight.
        """
        if not prefetch.enabled():
            return
        window = prefetch.recent_window()
        for key, entry in self._entries.items():
            if (key == trigger or entry.fetching is not None
                    or entry.info is None or now < entry.expires
                    or entry.last_read is None
                    or now - entry.last_read > window
                    # Renewed by its own first read, after its power state.
                    or self._answers_expired(entry, now)):
                continue
            self._queue(entry)

    def _prefetch(self, entry, future):
        """Fetch a chassis ahead of its readers, on a prefetch thread."""
        info = entry.info
        try:
            with client_cache.borrowed_client(info) as client:
                if console_guard.console_holds_chassis(client, info):
                    self._skip(entry, future)
                    return
                self._fetch(client, entry, future)
        except Exception as exc:  # e.g. a client that cannot be built
            with _lock:
                if entry.fetching is future:
                    entry.fetching = None
            if not future.done():
                future.set_exception(exc)
        if future.exception() is not None:
            with _lock:
                entry.renewal_failed = True
            # Nobody waits for a prefetch: its readers will fetch again.
            LOG.debug('Prefetching the %(what)s of chassis manager %(url)s '
                      '(for node %(node)s) failed: %(err)s',
                      {'what': self.name, 'url': info['base_url'],
                       'node': info['node_uuid'],
                       'err': future.exception()})

    @staticmethod
    def _skip(entry, future):
        """Resolve a prefetch that must not read its chassis.

        Whoever waits for it gets no outcome and reads its blade alone.
        """
        with _lock:
            if entry.fetching is future:
                entry.fetching = None
        future.set_result((time.monotonic(), {}))

    def expire(self):
        """Let every reply expire, keeping what was read (for benchmarks)."""
        with _lock:
            for entry in self._entries.values():
                entry.expires = 0.0

    def _forget(self):
        self._entries.clear()


def _prune(now):
    """Forget idle chassis and write records no fetch needs; under lock."""
    window = prefetch.recent_window()
    oldest = None
    for batch in _batches:
        for key in [k for k, e in batch._entries.items()
                    if e.fetching is None and e.expires <= now
                    and (e.last_read is None
                         or now - e.last_read > window)]:
            del batch._entries[key]
        for entry in batch._entries.values():
            if (entry.fetching is not None or entry.expires > now
                    or batch._answers_expired(entry, now)):
                if entry.started is not None:
                    oldest = (entry.started if oldest is None
                              else min(oldest, entry.started))
    blade_writes.prune(oldest)


#: Record a write to a blade (see :mod:`~msftocs_driver.common.blade_writes`).
invalidate = blade_writes.invalidate
#: Context manager around a power change: every batch leaves the blade out.
changing = blade_writes.changing


def expire():
    """Let the replies of every batch expire, keeping what was read.

    For benchmarks: the next pass starts as a periodic pass a sync interval
    after the last one.
    """
    for batch in list(_batches):
        batch.expire()


def clear():
    """Forget everything (for tests)."""
    with _lock:
        for batch in _batches:
            batch._forget()
    blade_writes.clear()
