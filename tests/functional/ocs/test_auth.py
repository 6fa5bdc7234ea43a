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

"""Authentication against the emulator: auto, hints, any password.

The NTLM endpoints run a real NTLM server (pyspnego) under the Negotiate
scheme, as a stock chassis manager does; the handshakes here are real.
"""

import pytest

from msftocs_driver.emulator import runner
from msftocs_driver.ocs import auth
from msftocs_driver.ocs import client as ocs_client
from msftocs_driver.ocs import exceptions
from tests.functional.ocs import helpers
from tests.unit.ocs import secrets_scan

#: Not Latin-1: requests' own Basic auth cannot encode it.
WIDE_PASSWORD = 'pä55-wörd-€-密码'


@pytest.fixture(autouse=True)
def _forget_learned_schemes():
    learned = dict(auth._learned)
    auth._learned.clear()
    yield
    auth._learned.clear()
    auth._learned.update(learned)


def test_auto_learns_the_scheme(endpoint, emulator):
    with endpoint.client(auth='auto') as cm:
        assert cm.get_blade_state(1) is not None
        assert cm.set_blade_on(1) is None
    assert auth.learned(emulator.url.rstrip('/')) == endpoint.auth
    # A later client of the endpoint uses it at once.
    with endpoint.client(auth='auto') as cm:
        assert cm.get_blade_state(1) is not None


def test_auto_with_wrong_credentials(endpoint, emulator):
    with endpoint.client(auth='auto', password='wrong') as cm:
        with pytest.raises(exceptions.AuthenticationError,
                           match='rejected the credentials') as caught:
            cm.get_blade_state(1)
    assert 'use the' not in str(caught.value)


def test_explicit_scheme_the_cm_does_not_offer(endpoint):
    other = 'basic' if endpoint.auth == 'ntlm' else 'ntlm'
    with endpoint.client(auth=other) as cm:
        with pytest.raises(exceptions.AuthenticationError) as caught:
            cm.get_blade_state(1)
    assert 'use the %s (or auto) auth type' % endpoint.auth in str(
        caught.value)
    secrets_scan.assert_no_secret(caught.value, [helpers.PASSWORD])


@pytest.fixture(scope='module', params=['basic', 'ntlm'])
def wide_emulator(request):
    process = runner.EmulatorProcess(auth=request.param,
                                     username=helpers.USERNAME,
                                     password=WIDE_PASSWORD, blades=24)
    process.start()
    try:
        yield process
    finally:
        process.stop()


@pytest.mark.parametrize('client_auth', ['auto', 'explicit'])
def test_a_password_beyond_latin1(wide_emulator, client_auth):
    scheme = wide_emulator.auth if client_auth == 'explicit' else 'auto'
    with ocs_client.ChassisManagerClient(
            wide_emulator.url, helpers.USERNAME, WIDE_PASSWORD,
            auth=scheme) as cm:
        assert cm.get_blade_state(1) is not None
    wrong = WIDE_PASSWORD + '密'
    with ocs_client.ChassisManagerClient(
            wide_emulator.url, helpers.USERNAME, wrong, auth=scheme) as cm:
        with pytest.raises(exceptions.AuthenticationError) as caught:
            cm.get_blade_state(1)
    secrets_scan.assert_no_secret(caught.value, [WIDE_PASSWORD, wrong, '密'])
