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

"""A bounded pool of HTTP sessions, each used by one call at a time.

Each session holds at most one kept-alive (and, with NTLM, authenticated)
connection; see :mod:`~msftocs_driver.ocs.connector` for why. A call checks
a session out, uses it alone and checks it back in. Sessions are created
lazily; when every slot is taken a call waits, no longer than its
:func:`~msftocs_driver.ocs.failures.time_limit`.
"""

import threading

from msftocs_driver.ocs import failures


class SessionPool:
    """Sessions of one chassis manager, at most ``slots`` in use at once.

    :param factory: a callable returning a new session.
    :param slots: the semaphore bounding the sessions in use; it may be
        shared with the pools of other clients of the same chassis manager.
    """

    def __init__(self, factory, slots):
        self._factory = factory
        self.slots = slots
        # Idle sessions, most recently used last; guarded by _lock.
        self._idle = []
        self._generation = 0
        self._lock = threading.Lock()

    def checkout(self, context):
        """Take an idle session, or a new one.

        :param context: ``operation`` and ``blade_id``, for the error.
        :returns: ``(generation, session)``, to give back to
            :meth:`checkin`.
        :raises: :class:`~msftocs_driver.ocs.failures.Failure` when the
            time limit ends before a slot is free.
        """
        left = failures.time_left()
        if not self.slots.acquire(timeout=None if left is None
                                  else max(left, 0)):
            raise failures.Failure(failures.time_up(context, sent=False),
                                   transient=False)
        with self._lock:
            if self._idle:
                return self._idle.pop()
        try:
            return self._generation, self._factory()
        except Exception:
            self.slots.release()
            raise

    def checkin(self, generation, session, reusable):
        """Give a session back; it is closed unless reusable and current.

        :param reusable: whether its connection is in a known state (the
            reply was read whole).
        """
        try:
            with self._lock:
                if reusable and generation == self._generation:
                    self._idle.append((generation, session))
                    return
            session.close()
        finally:
            self.slots.release()

    def close(self):
        """Close the idle sessions; those in use close when given back."""
        with self._lock:
            self._generation += 1
            idle, self._idle = self._idle, []
        for _generation, session in idle:
            session.close()
