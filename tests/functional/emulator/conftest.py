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


"""Fixtures of the emulator functional tests: processes and certificates."""

import pytest

from msftocs_driver.emulator import runner
from tools import devcerts

PASSWORD = 'func-secret'


@pytest.fixture(scope='session')
def tls(tmp_path_factory):
    """CA, server certificate for 127.0.0.1 and an unrelated CA."""
    files = devcerts.make_tls_files(str(tmp_path_factory.mktemp('tls')))
    other = devcerts.make_tls_files(str(tmp_path_factory.mktemp('other')))
    return dict(files, other_ca=other['ca'])


@pytest.fixture(scope='module')
def basic_emulator():
    """A 24-blade emulator with Basic authentication and 1 s decompression."""
    with runner.EmulatorProcess(password=PASSWORD,
                                decompression_seconds=1) as process:
        yield process


@pytest.fixture
def emulator(basic_emulator):
    basic_emulator.reset()
    return basic_emulator
