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

"""The version of a chassis manager, learned once per client.

``GetServiceVersion`` answers the product version of the service
executable: ``2.5.0.0`` on v2.5 and ``2.0.1.3`` on v2.0. The two differ in
serial consoles (one session per chassis on v2.0, which almost every blade
API kills) and in a few replies. When the version cannot be learned the
client assumes v2.5, the version the emulator and most deployed chassis
managers run.
"""

import logging
import re
import threading
import time

from msftocs_driver.ocs import exceptions
from msftocs_driver.ocs import failures

LOG = logging.getLogger(__name__)

_VERSION_RE = re.compile(r'^\s*(\d+)\.(\d+)((?:\.\d+)*)\s*$')

#: After a failed attempt, how long an assumed version is served before the
#: client asks again (a chassis manager down at the first call must not be
#: taken for v2.5 forever).
RETRY_AFTER = 60.0


class CMVersion:
    """A chassis-manager version.

    :param numbers: the dotted numbers, e.g. ``(2, 5, 0, 0)``.
    :param assumed: ``True`` when the version could not be learned and
        v2.5 is assumed.
    """

    __slots__ = ('numbers', 'assumed')

    def __init__(self, numbers, assumed=False):
        self.numbers = tuple(numbers)
        self.assumed = assumed

    @property
    def major_minor(self):
        """``(major, minor)``, e.g. ``(2, 0)``."""
        return self.numbers[:2]

    @property
    def is_v20(self):
        """Whether this is a v2.0 chassis manager.

        A v2.0 chassis manager has one serial console per chassis, which
        most blade APIs kill.
        """
        return self.major_minor == (2, 0)

    def __eq__(self, other):
        if not isinstance(other, CMVersion):
            return NotImplemented
        return (self.numbers, self.assumed) == (other.numbers, other.assumed)

    def __hash__(self):
        return hash((self.numbers, self.assumed))

    def __str__(self):
        text = '.'.join(str(n) for n in self.numbers)
        return '%s (assumed)' % text if self.assumed else text

    def __repr__(self):
        return '<CMVersion %s>' % self


#: What the client assumes when the chassis manager does not say.
ASSUMED = CMVersion((2, 5), assumed=True)


def parse(text):
    """Parse a ``serviceVersion`` such as ``2.0.1.3``.

    :param text: the text of the reply's ``serviceVersion``.
    :returns: :class:`CMVersion`.
    :raises ValueError: if the text is not a dotted version.
    """
    match = _VERSION_RE.match(text or '')
    if not match:
        raise ValueError('not a version: %r' % (text,))
    numbers = [int(match.group(1)), int(match.group(2))]
    numbers.extend(int(n) for n in match.group(3).split('.')[1:])
    return CMVersion(numbers)


class VersionCache:
    """Learns a chassis manager's version once and keeps it.

    :param fetch: a callable returning the ``serviceVersion`` text (one
        ``GetServiceVersion`` call).
    :param endpoint: ``host:port`` of the chassis manager, for the logs.
    """

    def __init__(self, fetch, endpoint):
        self._fetch = fetch
        self._endpoint = endpoint
        self._lock = threading.Lock()
        self._version = None
        self._retry_at = 0.0

    @property
    def known(self):
        """The learned version, or ``None`` if not learned (no I/O)."""
        return self._version

    def get(self):
        """Return the version, learning it on first use.

        Thread-safe; concurrent first callers wait for one request, no
        longer than their :func:`~msftocs_driver.ocs.failures.time_limit`.
        A failure is not an error: v2.5 is assumed (and logged at debug
        level), and asked again after :data:`RETRY_AFTER` seconds.

        :returns: :class:`CMVersion`.
        """
        version = self._version
        if version is not None:
            return version
        left = failures.time_left()
        if not self._lock.acquire(timeout=-1 if left is None
                                  else max(left, 0)):
            return ASSUMED
        try:
            if self._version is not None:
                return self._version
            if time.monotonic() < self._retry_at:
                return ASSUMED
            return self._learn()
        finally:
            self._lock.release()

    def _learn(self):
        try:
            text = self._fetch()
            version = parse(text)
        except (exceptions.OCSError, ValueError) as exc:
            self._retry_at = time.monotonic() + RETRY_AFTER
            LOG.debug('Chassis manager %(cm)s: version unknown (%(err)s); '
                      'assuming 2.5 for %(retry)d s',
                      {'cm': self._endpoint,
                       'err': getattr(exc, 'detail', 'unparsable reply'),
                       'retry': RETRY_AFTER})
            return ASSUMED
        self._version = version
        LOG.info('Chassis manager %(cm)s runs version %(version)s',
                 {'cm': self._endpoint, 'version': version})
        return version
