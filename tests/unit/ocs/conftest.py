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


"""Shared fixtures of the client library's unit tests."""

from unittest import mock

import pytest

from msftocs_driver.ocs import auth
from msftocs_driver.ocs import client as ocs_client
from msftocs_driver.ocs import connector
from tests.unit.ocs import samples


class FakeTransport:
    """Stands in for Connector.call: records calls, returns samples."""

    def __init__(self):
        self.calls = []
        self.replies = []

    def reply(self, *names):
        self.replies.extend(samples.load(name) for name in names)

    def __call__(self, _connector, operation, params=(), *, blade_id=None,
                 mutating=False):
        self.calls.append({'operation': operation, 'params': list(params),
                           'blade_id': blade_id, 'mutating': mutating})
        return self.replies.pop(0)

    @property
    def last(self):
        return self.calls[-1]


@pytest.fixture(autouse=True)
def _forget_learned_schemes():
    """Every test starts without learned schemes or plain-http warnings."""
    with mock.patch.dict(auth._learned, clear=True), \
            mock.patch.object(auth, '_warned', set()):
        yield


@pytest.fixture
def transport():
    fake = FakeTransport()
    with mock.patch.object(connector.Connector, 'call', autospec=True,
                           side_effect=fake):
        yield fake


@pytest.fixture
def client(transport):
    return ocs_client.ChassisManagerClient('http://cm.example:8000', 'admin',
                                           'pw')
