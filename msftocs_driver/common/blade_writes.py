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

"""Writes to blades and power changes, which chassis batches leave out.

A chassis-wide reply (:mod:`~msftocs_driver.common.batch`) must never give
a blade's state from a request sent before the last write to that blade
ended, nor while the blade's power is being changed. This module keeps
those records, keyed by chassis manager endpoint and blade, so that they
count whichever credentials made the write.
"""

import collections
import threading
import time

#: Guards the records.
_lock = threading.Lock()
#: (base_url, blade id) -> monotonic time the last write to it ended.
_written = {}
#: (base_url, blade id) -> number of power changes in progress.
_changing = collections.Counter()


def invalidate(info):
    """Record a write to a blade; call after any write to it ends.

    :param info: the node's parsed driver_info.
    """
    with _lock:
        _written[(info['base_url'], info['blade_id'])] = time.monotonic()


def is_changing(blade):
    """Whether the blade's power is being changed.

    :param blade: ``(base_url, blade id)``.
    :returns: a bool.
    """
    with _lock:
        return _changing[blade] > 0


def excluded(blade, started):
    """Whether a reply requested at ``started`` must leave the blade out.

    :param blade: ``(base_url, blade id)``.
    :param started: monotonic time the reply's request was sent.
    :returns: True while the blade's power is being changed, or when a
        write to it ended at or after ``started``.
    """
    with _lock:
        return (_changing[blade] > 0
                or _written.get(blade, -1.0) >= started)


def written_since(base_url, started):
    """The blades of a chassis written to since ``started``.

    :param base_url: the chassis manager endpoint.
    :param started: monotonic time a request was sent.
    :returns: a set of blade ids.
    """
    with _lock:
        return {b for (url, b), t in _written.items()
                if url == base_url and t >= started}


def prune(oldest):
    """Forget the writes no reply still in use needs.

    :param oldest: monotonic time the oldest reply that may still answer
        was requested, or None when no reply may.
    """
    with _lock:
        for blade in [b for b, t in _written.items()
                      if oldest is None or t < oldest]:
            # Every reply that may still answer was requested after this
            # write ended.
            del _written[blade]


class changing:
    """Context manager: every batch leaves the blade out inside the block.

    Used around a power change and its wait; the blade counts as written
    on entry and on exit.

    :param info: the node's parsed driver_info.
    """

    def __init__(self, info):
        self._info = info
        self._blade = (info['base_url'], info['blade_id'])

    def __enter__(self):
        with _lock:
            _changing[self._blade] += 1
        invalidate(self._info)
        return self

    def __exit__(self, *exc_info):
        with _lock:
            _changing[self._blade] -= 1
            if _changing[self._blade] <= 0:
                del _changing[self._blade]
        invalidate(self._info)


def clear():
    """Forget every record (for tests)."""
    with _lock:
        _written.clear()
        _changing.clear()
