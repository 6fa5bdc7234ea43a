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


"""Fixtures of the client's functional tests: emulators and clients.

Every emulator listens on 127.0.0.1 on a free port and is stopped by PID.
The TLS emulators serve a certificate issued by a CA generated for the test
session, and clients verify it against that CA.
"""

import pytest

from tests.functional.ocs import helpers


@pytest.fixture(scope='session')
def tls_files(tmp_path_factory):
    # The emulator runner's control session (verify=False) honours
    # REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE, which then override its
    # verify=False; hide them while the tests run. The client under test
    # ignores the environment (trust_env=False).
    with pytest.MonkeyPatch.context() as patch:
        for name in ('REQUESTS_CA_BUNDLE', 'CURL_CA_BUNDLE'):
            patch.delenv(name, raising=False)
        yield helpers.make_tls_files(str(tmp_path_factory.mktemp('tls')))


@pytest.fixture(scope='module', params=sorted(helpers.MODES))
def endpoint(request, tls_files):
    """A 24-blade emulator in each mode, with a 1 s decompression time."""
    ep = helpers.start_endpoint(request.param, tls_files, blades=24,
                                decompression_seconds=1)
    try:
        yield ep
    finally:
        ep.process.stop()


@pytest.fixture
def emulator(endpoint):
    """The emulator process, reset to its initial state, without faults."""
    endpoint.process.clear_faults()
    # A delayed call of the previous test runs before the reset.
    endpoint.process.wait_until_idle()
    endpoint.process.reset()
    return endpoint.process


@pytest.fixture
def client(endpoint, emulator):
    with endpoint.client() as cm:
        yield cm
