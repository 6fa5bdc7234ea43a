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

"""The threads that read chassis ahead of a power-sync pass.

The chassis batches (:mod:`~msftocs_driver.common.batch`) queue two kinds
of reads here: the chassis-wide reads of the other chassis of a pass
(prefetch), and the renewal of a reading that the next pass will use
(read ahead). At most ``[msftocs]prefetch_workers`` threads run them, in
the order queued; threads start when work is queued and end as soon as the
queue is empty, so that an idle conductor has none.
"""

import collections
import threading

from msftocs_driver.conf import CONF

#: The name of every thread of the pool.
THREAD_NAME = 'msftocs-prefetch'


def enabled():
    """Whether reads may be made ahead of their readers.

    :returns: False when ``[msftocs]prefetch_workers`` is 0.
    """
    return CONF.msftocs.prefetch_workers > 0


def recent_window():
    """Seconds a chassis read once still qualifies for reads made ahead.

    Two power-sync intervals: a chassis whose nodes left this conductor (or
    whose reads stopped) stops being read after at most two passes, and a
    reading kept for the next pass is at most that old.

    :returns: seconds.
    """
    interval = CONF.conductor.sync_power_state_interval
    return 2.0 * max(interval, 1.0)


class Pool:
    """A bounded set of worker threads that run queued work in order."""

    def __init__(self):
        self._cond = threading.Condition()
        self._queue = collections.deque()
        self._running = 0

    def submit(self, work):
        """Queue ``work()``, starting a thread if fewer than allowed run.

        :param work: a callable taking no argument; it must not raise.
        """
        with self._cond:
            self._queue.append(work)
            # At least one thread, should the option drop to 0 meanwhile.
            if self._running < max(1, CONF.msftocs.prefetch_workers):
                self._running += 1
                threading.Thread(target=self._work, daemon=True,
                                 name=THREAD_NAME).start()

    def _work(self):
        while True:
            with self._cond:
                if not self._queue:
                    self._running -= 1
                    self._cond.notify_all()
                    return
                work = self._queue.popleft()
            work()

    def wait_idle(self, timeout):
        """Wait until nothing is queued or running (tests, benchmarks).

        :param timeout: most seconds to wait.
        :returns: True when idle, False when the timeout passed first.
        """
        with self._cond:
            return self._cond.wait_for(
                lambda: not (self._queue or self._running), timeout)


#: The pool of this process.
POOL = Pool()
