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


"""The JSON control API under ``/_emulator/``, and the request counters.

Tests use it to read and change the emulated hardware, inject faults and
count the CM calls a client made:

- ``GET state``; ``POST blades/<id>``; ``POST reset``;
- ``GET cm``; ``POST cm`` (``version`` ``2.5`` or ``2.0``,
  ``kill_serial_session`` true or false): the CM version settings and
  ``serial_sessions_killed``, the sessions force-stopped by a v2.0 CM's
  ApiGreenSignalling;
- ``GET stats`` (calls per operation, and the calls ``running``);
  ``POST stats/reset`` (which also zeroes ``serial_sessions_killed``);
- ``GET faults``; ``POST faults``; ``DELETE faults``;
- ``GET blades/<id>/records``; ``POST blades/<id>/records`` (event log,
  POST codes, health faults: :mod:`.blade_records`).
"""

import collections
import contextlib
import json
import threading

from msftocs_driver.emulator import blade_records
from msftocs_driver.emulator import config
from msftocs_driver.emulator import faults as faults_mod
from msftocs_driver.emulator import operations

PREFIX = '/_emulator/'
_BLADE_CHANGES = {'present': bool, 'type': str, 'switch_on': bool,
                  'host_on': bool, 'decompression_seconds': (int, float)}
_CM_CHANGES = {'version': str, 'kill_serial_session': bool}
_MAX_BODY = 65536


class ControlError(Exception):
    """A control request is wrong; carries the HTTP status."""

    def __init__(self, status, message):
        super().__init__(message)
        self.status = status


class RequestStats(object):
    """Counts the CM calls served, per canonical operation name.

    It also knows how many calls are running: received, and their
    operation not yet run or refused (a delayed call runs its operation
    when the delay ends, even after its client has given up).
    """

    def __init__(self):
        self._lock = threading.Lock()
        self._counts = collections.Counter()
        self._running = 0

    def count(self, operation):
        with self._lock:
            self._counts[operation] += 1

    @contextlib.contextmanager
    def running(self):
        """Count the calls inside this block as running."""
        with self._lock:
            self._running += 1
        try:
            yield
        finally:
            with self._lock:
                self._running -= 1

    def reset(self):
        with self._lock:
            self._counts.clear()

    def to_dict(self):
        with self._lock:
            return {'total': sum(self._counts.values()),
                    'operations': dict(self._counts),
                    'running': self._running}


def _blade_changes(body):
    if not isinstance(body, dict):
        raise ControlError('400 Bad Request', 'expected a JSON object')
    for key, value in body.items():
        if key not in _BLADE_CHANGES:
            raise ControlError('400 Bad Request', '%s: unknown field' % key)
        try:
            config.check_type(key, value, _BLADE_CHANGES[key])
        except config.ConfigError as exc:
            raise ControlError('400 Bad Request', str(exc))
    if body.get('type', 'Server') not in ('Server', 'Jbod'):
        raise ControlError('400 Bad Request', 'type: must be Server or Jbod')
    if body.get('decompression_seconds', 0) < 0:
        raise ControlError('400 Bad Request',
                           'decompression_seconds: must not be negative')
    return body


def _cm_changes(body):
    if not isinstance(body, dict):
        raise ControlError('400 Bad Request', 'expected a JSON object')
    for key, value in body.items():
        if key not in _CM_CHANGES:
            raise ControlError('400 Bad Request', '%s: unknown field' % key)
        try:
            config.check_type(key, value, _CM_CHANGES[key])
        except config.ConfigError as exc:
            raise ControlError('400 Bad Request', str(exc))
    return body


class ControlApi(object):
    """Handles the control requests.

    :param chassis: the emulated chassis.
    :param faults: the :class:`~.faults.FaultInjector`.
    :param stats: the :class:`RequestStats`.
    """

    def __init__(self, chassis, faults, stats):
        self.chassis = chassis
        self.faults = faults
        self.stats = stats

    def handle(self, method, path, environ):
        """Serve one control request.

        :param path: the path below :data:`PREFIX`.
        :returns: ``(status line, JSON-serialisable body)``.
        """
        try:
            return '200 OK', self._dispatch(method, path.strip('/'), environ)
        except ControlError as exc:
            return exc.status, {'error': str(exc)}
        except faults_mod.FaultError as exc:
            return '400 Bad Request', {'error': str(exc)}

    def _dispatch(self, method, path, environ):
        if path == 'state' and method == 'GET':
            return self.chassis.to_dict()
        if path == 'stats' and method == 'GET':
            return self.stats.to_dict()
        if path == 'stats/reset' and method == 'POST':
            self.stats.reset()
            with self.chassis.lock:
                self.chassis.sessions_killed = 0
            return self.stats.to_dict()
        if path == 'cm':
            if method == 'POST':
                changes = _cm_changes(self._json(environ))
                try:
                    self.chassis.set_cm(**changes)
                except ValueError as exc:
                    raise ControlError('400 Bad Request', str(exc))
            if method in ('GET', 'POST'):
                return self.chassis.cm_dict()
        if path == 'faults':
            if method == 'GET':
                return {'faults': self.faults.list()}
            if method == 'POST':
                self.faults.add(faults_mod.parse_fault(
                    self._json(environ), operations.names()))
                return {'faults': self.faults.list()}
            if method == 'DELETE':
                self.faults.clear()
                return {'faults': []}
        if path == 'reset' and method == 'POST':
            self.chassis.reset()
            self.faults.clear()
            self.stats.reset()
            return self.chassis.to_dict()
        if path.startswith('blades/') and path.endswith('/records'):
            return self._records(
                method, self._blade_id(path[len('blades/'):-len('/records')]),
                environ)
        if path.startswith('blades/') and method == 'POST':
            blade_id = self._blade_id(path[len('blades/'):])
            self.chassis.update_blade(blade_id,
                                      _blade_changes(self._json(environ)))
            return self.chassis.blade_dict(blade_id)
        if path.startswith('blades/') and method == 'GET':
            return self.chassis.blade_dict(
                self._blade_id(path[len('blades/'):]))
        raise ControlError('404 Not Found', 'no control resource %s %s'
                           % (method, path))

    def _records(self, method, blade_id, environ):
        if method not in ('GET', 'POST'):
            raise ControlError('405 Method Not Allowed', 'GET or POST')
        changes = self._json(environ) if method == 'POST' else None
        with self.chassis.lock:
            records = self.chassis.blade(blade_id).records
            if changes is not None:
                try:
                    records.update(changes)
                except blade_records.RecordsError as exc:
                    raise ControlError('400 Bad Request', str(exc))
            return records.to_dict()

    def _blade_id(self, text):
        if not text.isdigit() or not self.chassis.valid_id(int(text)):
            raise ControlError('404 Not Found', 'no blade %s' % text)
        return int(text)

    @staticmethod
    def _json(environ):
        try:
            length = int(environ.get('CONTENT_LENGTH') or 0)
        except ValueError:
            raise ControlError('400 Bad Request', 'bad Content-Length')
        if length > _MAX_BODY:
            raise ControlError('413 Payload Too Large', 'body too large')
        raw = environ['wsgi.input'].read(length) if length else b''
        try:
            return json.loads(raw or b'{}')
        except ValueError:
            raise ControlError('400 Bad Request', 'body is not JSON')
