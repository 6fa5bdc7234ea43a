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

"""The session of the library page runs against the emulator as shown."""

import os
import pathlib
import subprocess
import sys

from tests.functional.ocs import helpers

_ROOT = pathlib.Path(__file__).resolve().parents[3]


def test_library_page_session(endpoint, emulator):
    env = dict(os.environ, MSFTOCS_CM_URL=emulator.url,
               MSFTOCS_CM_USERNAME=helpers.USERNAME,
               MSFTOCS_CM_PASSWORD=helpers.PASSWORD,
               MSFTOCS_CM_AUTH=endpoint.auth)
    if isinstance(endpoint.verify, str):
        env['MSFTOCS_CM_CA_BUNDLE'] = endpoint.verify
    emulator.set_blade(5, switch_on=False)

    done = subprocess.run(
        [sys.executable, '-m', 'tools.ocs_session', '3'], cwd=_ROOT,
        env=env, capture_output=True, text=True, timeout=120)

    assert done.returncode == 0, done.stderr
    assert 'blade 5: switched off' in done.stdout
    assert 'blade 4: host OFF' in done.stdout
    assert 'blade 3: next boot ForcePxe' in done.stdout
    assert 'blade 3: host ON, next boot NoOverride' in done.stdout
    assert emulator.blade(3)['host_on'] is True
    assert helpers.PASSWORD not in done.stdout + done.stderr
