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


"""The WSGI application: routing, authentication, faults, replies.

``GET /<Operation>?<params>`` runs a CM operation (names and keys match
case-insensitively) and answers HTTP 200 with its XML reply, whatever the
completion code. As on the CM (WCF), HTTP errors come only from the
framework: 401 for authentication, 404 for an unknown operation, 405 for
another method, 400 for a parameter that does not parse; those carry an
HTML page, not XML. The 404 and 400 pages and the XML content type are
WCF defaults the reference infers, not observed on hardware (reference
1.1, 3). Replies are XML whatever the ``Accept`` header says (no JSON is
negotiable: inference, reference 3). ``/_emulator/`` is the JSON control
API.
"""

import json
import logging
import time

from msftocs_driver.emulator import control
from msftocs_driver.emulator import faults as faults_mod
from msftocs_driver.emulator import operations
from msftocs_driver.emulator import params as params_mod
from msftocs_driver.emulator import stalls
from msftocs_driver.emulator import xmlout

LOG = logging.getLogger(__name__)

_XML_HEADERS = [('Content-Type', 'application/xml; charset=utf-8'),
                ('Cache-Control', 'no-cache')]
_HTML_PAGE = ('<!DOCTYPE html><html><head><title>%(title)s</title></head>'
              '<body><h1>%(title)s</h1><p>%(message)s</p></body></html>')


def _html(title, message):
    return (_HTML_PAGE % {'title': title, 'message': message}).encode()


class EmulatorApp(object):
    """The chassis-manager emulator as a WSGI callable.

    :param chassis: the :class:`~.chassis.Chassis`.
    :param authenticator: a :mod:`.auth` authenticator.
    :param faults: a :class:`~.faults.FaultInjector` (a new one if None).
    :param stats: a :class:`~.control.RequestStats` (a new one if None).
    :param latency: seconds added to every CM call.
    :param role: the :class:`~.operations.Role` of the account; calls that
        need more privileges are refused.
    :param forbidden_status: HTTP status line of a refused call. The CM's
        answer is an HTML error page, most likely 400, possibly 403
        (reference 1.3 and 12: not verified on hardware).
    :param sleep: sleep function (injectable for tests).
    """

    def __init__(self, chassis, authenticator, faults=None, stats=None,
                 latency=0.0, role=operations.Role.admin,
                 forbidden_status='400 Bad Request', sleep=time.sleep):
        self.chassis = chassis
        self.authenticator = authenticator
        self.role = role
        self.forbidden_status = forbidden_status
        self.faults = faults or faults_mod.FaultInjector()
        self.stats = stats or control.RequestStats()
        self.latency = latency
        self.sleep = sleep
        self.control = control.ControlApi(chassis, self.faults, self.stats)

    def __call__(self, environ, start_response):
        path = environ.get('PATH_INFO') or '/'
        operation = None
        if path.count('/') == 1:
            operation = operations.lookup(path[1:])
        auth = self.authenticator.check(environ)
        if not auth.ok:
            return self._refuse(operation, auth, start_response)
        method = environ.get('REQUEST_METHOD', 'GET')
        if path.startswith(control.PREFIX):
            status, body = self.control.handle(
                method, path[len(control.PREFIX):], environ)
            return self._reply(start_response, status, [
                ('Content-Type', 'application/json')] + auth.headers,
                json.dumps(body).encode())
        if operation is None:
            return self._error(start_response, '404 Not Found',
                               'Endpoint not found.', auth.headers)
        if method != 'GET':
            return self._error(start_response, '405 Method Not Allowed',
                               'Method not allowed.',
                               auth.headers + [('Allow', 'GET')])
        return self._operation(operation, environ, start_response,
                               auth.headers)

    def _stall(self):
        return stalls.Stall(self.sleep, self.faults.cleared_event())

    def _refuse(self, operation, auth, start_response):
        """Answer 401, with the faults of that handshake leg if any."""
        selection = faults_mod.NO_FAULT
        if operation is not None:
            selection = self.faults.select(operation.name, auth.leg)
        if selection.delay:
            self.sleep(selection.delay)
        if selection.kind == 'hang':
            stalls.hang(self._stall(), selection.seconds)
        body = _html('Unauthorized', 'Access is denied.')
        self._start(start_response, '401 Unauthorized', [
            ('Content-Type', 'text/html; charset=utf-8')] + auth.headers,
            body)
        if selection.kind == 'drip':
            return stalls.drip(body, selection.seconds, self._stall())
        return [body]

    def _operation(self, operation, environ, start_response, headers):
        self.stats.count(operation.name)
        with self.stats.running():
            return self._run(operation, environ, start_response, headers)

    def _run(self, operation, environ, start_response, headers):
        if self.role > operation.role:
            return self._error(start_response, self.forbidden_status,
                               'Access to %s is denied for this user.'
                               % operation.name, headers)
        delay, fault, seconds = self.faults.select(operation.name)
        if self.latency or delay:
            self.sleep(self.latency + delay)
        if fault == 'http500':
            return self._error(start_response, '500 Internal Server Error',
                               'The server encountered an error.', headers)
        if fault == 'http401':
            return self._error(
                start_response, '401 Unauthorized', 'Access is denied.',
                headers + self.authenticator.challenge_headers)
        if fault == 'drop_before':
            raise faults_mod.ConnectionDrop()
        if fault == 'hang':
            stalls.hang(self._stall(), seconds)
        try:
            params = params_mod.QueryParams(environ.get('QUERY_STRING', ''))
            root, fields = operation.handler(self.chassis, params)
        except params_mod.BadParameter as exc:
            return self._error(start_response, '400 Bad Request', str(exc),
                               headers)
        if fault is None:
            body = xmlout.render(root, fields)
        else:
            body = faults_mod.faulty_body(fault, root, fields,
                                          self.chassis.population)
        if fault in faults_mod.DROP_AFTER:
            raise faults_mod.ConnectionDrop()
        # Never the query string: it can hold a session token or data.
        LOG.debug('%s: %s', operation.name, fault or 'replied')
        start_response('200 OK', _XML_HEADERS + headers + [
            ('Content-Length', str(len(body)))])
        if fault == 'drop_mid_reply':
            return _half_then_drop(body)
        if fault == 'drip':
            return stalls.drip(body, seconds, self._stall())
        return [body]

    def _error(self, start_response, status, message, headers):
        return self._reply(start_response, status, [
            ('Content-Type', 'text/html; charset=utf-8')] + headers,
            _html(status.partition(' ')[2], message))

    @classmethod
    def _reply(cls, start_response, status, headers, body):
        cls._start(start_response, status, headers, body)
        return [body]

    @staticmethod
    def _start(start_response, status, headers, body):
        # The CM marks every response no-cache, error pages included.
        start_response(status, headers + [
            ('Cache-Control', 'no-cache'),
            ('Content-Length', str(len(body)))])


def _half_then_drop(body):
    yield body[:len(body) // 2]
    raise faults_mod.ConnectionDrop()
