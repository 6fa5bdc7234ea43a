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


"""Helpers for the emulator unit tests: a fake clock and a WSGI caller."""

import base64
import io
from xml.etree import ElementTree

from msftocs_driver.emulator import app as app_mod
from msftocs_driver.emulator import auth
from msftocs_driver.emulator import chassis as chassis_mod
from msftocs_driver.emulator import config as config_mod
from msftocs_driver.ocs import constants

NS = '{%s}' % constants.CONTRACTS_NS
USER, PASSWORD = 'admin', 'secret'
BASIC = 'Basic ' + base64.b64encode(b'admin:secret').decode()


class FakeClock(object):
    """A monotonic clock that only moves when told; sleeping advances it."""

    def __init__(self, now=1000.0):
        self.now = now
        self.slept = []

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.slept.append(seconds)
        self.now += seconds

    def advance(self, seconds):
        self.now += seconds


class Response(object):
    """What the application answered."""

    def __init__(self, status, headers, body):
        self.status = status
        self.status_code = int(status.split()[0])
        self.headers = dict(headers)
        self.header_list = headers
        self.body = body

    @property
    def xml(self):
        return ElementTree.fromstring(self.body)

    def children(self, element=None):
        """Local names of the root's (or element's) children, in order."""
        element = self.xml if element is None else element
        return [child.tag.replace(NS, '') for child in element]

    def text(self, name):
        element = self.xml.find(NS + name)
        return None if element is None else (element.text or '')


def make_app(data=None, authenticator=None, **overrides):
    """Build an emulator app on a fake clock.

    :returns: ``(app, clock)``.
    """
    overrides.setdefault('power_off_wait', 0)
    cfg = config_mod.build(data, **overrides)
    clock = FakeClock()
    chassis = chassis_mod.Chassis(cfg, clock=clock, sleep=clock.sleep)
    authenticator = authenticator or auth.BasicAuthenticator(USER, PASSWORD)
    return app_mod.EmulatorApp(chassis, authenticator, latency=cfg.latency,
                               sleep=clock.sleep), clock


def call(app, path, query='', method='GET', authorization=BASIC,
         environ=None, body=b''):
    """Call the WSGI app once and collect its answer."""
    env = {'REQUEST_METHOD': method, 'PATH_INFO': path,
           'QUERY_STRING': query, 'REMOTE_ADDR': '127.0.0.1',
           'REMOTE_PORT': '40000', 'wsgi.input': io.BytesIO(body),
           'CONTENT_LENGTH': str(len(body))}
    if authorization:
        env['HTTP_AUTHORIZATION'] = authorization
    env.update(environ or {})
    captured = {}

    def start_response(status, headers, exc_info=None):
        captured['status'], captured['headers'] = status, headers

    body = b''.join(app(env, start_response))
    return Response(captured['status'], captured['headers'], body)


def op(app, operation, **params):
    """Call a CM operation with query parameters."""
    query = '&'.join('%s=%s' % (k, v) for k, v in params.items())
    return call(app, '/' + operation, query)
