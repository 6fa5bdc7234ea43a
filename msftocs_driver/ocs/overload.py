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

"""Warnings when a chassis manager shows the symptoms of overload.

A chassis manager serves about 20 concurrent calls for all its clients
together (several conductors, console bridges, other tools). Beyond that
its web server answers HTTP 503 (Service Unavailable) or refuses new
connections, while the calls it already accepted go on. Each attempt a
:class:`~msftocs_driver.ocs.connector.Connector` makes is reported here,
and those two symptoms are logged as a warning naming the chassis manager,
so that an operator can tell an overloaded chassis manager from a dead
one: a refused connection counts as overload only while the same chassis
manager answered another call within :data:`RECENT`.
"""

import logging
import threading
import time

LOG = logging.getLogger(__name__)

#: Seconds during which an answered call shows the chassis manager alive.
RECENT = 60.0
#: HTTP status of an overloaded web server (HTTP.sys: queue full).
SERVICE_UNAVAILABLE = 503


def connection_refused(exc):
    """Whether an exception of requests comes from a refused connection.

    :param exc: any exception; its causes and contexts are searched.
    """
    seen, todo = set(), [exc]
    while todo:
        error = todo.pop()
        if id(error) in seen:
            continue
        seen.add(id(error))
        if isinstance(error, ConnectionRefusedError):
            return True
        linked = [error.__cause__, error.__context__,
                  getattr(error, 'reason', None)]
        linked.extend(getattr(error, 'args', ()))
        todo.extend(item for item in linked
                    if isinstance(item, BaseException))
    return False


class OverloadWatch:
    """Watches the answers of one chassis manager.

    :param endpoint: ``host:port`` of the chassis manager, for the logs.
    :param clock: a monotonic clock (for tests).
    """

    def __init__(self, endpoint, clock=time.monotonic):
        self.endpoint = endpoint
        self._clock = clock
        self._lock = threading.Lock()
        self._answered_at = None

    def answered(self, operation, status):
        """Report an HTTP reply.

        :param operation: the operation name, for the log.
        :param status: the HTTP status code.
        """
        if status == SERVICE_UNAVAILABLE:
            LOG.warning('Chassis manager %(cm)s answered %(op)s with HTTP '
                        '503 (Service Unavailable): it is overloaded; too '
                        'many clients call it at once',
                        {'cm': self.endpoint, 'op': operation})
            return
        with self._lock:
            self._answered_at = self._clock()

    def failed(self, operation, exc):
        """Report a request that got no HTTP reply.

        :param operation: the operation name, for the log.
        :param exc: the exception of requests.
        """
        if not connection_refused(exc):
            return
        with self._lock:
            answered_at = self._answered_at
        if answered_at is None:
            return
        ago = self._clock() - answered_at
        if ago <= RECENT:
            LOG.warning('Chassis manager %(cm)s refused a connection for '
                        '%(op)s although it answered another call %(ago).0f '
                        's ago: it is probably overloaded; too many clients '
                        'call it at once',
                        {'cm': self.endpoint, 'op': operation, 'ago': ago})
