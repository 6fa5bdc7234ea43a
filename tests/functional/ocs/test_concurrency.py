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


"""One client shared by many threads, as ironic's conductor does.

48 blades are driven through a power and boot sequence from 16 threads on
one client, with Basic and with NTLM authentication (where every pooled
connection is authenticated on its own). No call may fail, no
state-changing call may be sent twice, and each blade must end in the state
its sequence leads to.
"""

from concurrent import futures

import pytest

from msftocs_driver.ocs import constants
from tests.functional.ocs import helpers

BLADES = range(1, 49)
THREADS = 16
BOOT = constants.BladeBootType
PS = constants.PowerState


def _expected(blade_id):
    return {
        'host_on': blade_id % 2 == 1,
        'next_boot': BOOT.ForcePxe if blade_id % 2 else BOOT.ForceDefaultHdd,
        'persistent': blade_id % 3 == 0,
        'uefi': blade_id % 4 == 0,
    }


def _drive(cm, blade_id):
    expected = _expected(blade_id)
    cm.set_power_off(blade_id)
    cm.set_power_on(blade_id)
    helpers.wait_until_decompressed(cm, blade_id)
    cm.set_blade_on(blade_id)
    assert cm.get_blade_state(blade_id) is PS.ON
    assert cm.set_next_boot(
        blade_id, expected['next_boot'], uefi=expected['uefi'],
        persistent=expected['persistent']) is expected['next_boot']
    assert cm.get_next_boot(blade_id) is expected['next_boot']
    if not expected['host_on']:
        cm.set_blade_off(blade_id)
    assert cm.get_blade_state(blade_id) is (
        PS.ON if expected['host_on'] else PS.OFF)


@pytest.fixture(scope='module', params=['basic', 'ntlm'])
def chassis48(request, tls_files):
    endpoint = helpers.start_endpoint(request.param, tls_files, blades=48,
                                      decompression_seconds=1)
    try:
        yield endpoint
    finally:
        endpoint.process.stop()


def test_many_threads_one_client(chassis48):
    emulator = chassis48.process
    emulator.reset()
    emulator.reset_stats()
    with chassis48.client(max_connections=8) as cm:
        with futures.ThreadPoolExecutor(THREADS) as pool:
            results = [pool.submit(_drive, cm, blade_id)
                       for blade_id in BLADES]
            for result in results:
                result.result()

    state = emulator.state()['blades']
    for blade_id in BLADES:
        blade = state[str(blade_id)]
        expected = _expected(blade_id)
        assert blade['switch_on'] is True, blade_id
        assert blade['host_on'] is expected['host_on'], blade_id
        assert blade['next_boot'] == expected['next_boot'].name
        assert blade['next_boot_persistent'] is expected['persistent']
        assert blade['next_boot_uefi'] is expected['uefi']
    calls = emulator.stats()['operations']
    assert calls['SetPowerOff'] == calls['SetPowerOn'] == 48
    assert calls['SetBladeOn'] == 48
    assert calls['SetBladeOff'] == 24
    assert calls['SetNextBoot'] == 48
