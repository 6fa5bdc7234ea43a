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


"""Every client method against the emulator over real HTTP.

Each test runs against four emulators: Basic and NTLM authentication, over
plain HTTP and over TLS verified against a generated CA.
"""

import pytest
import urllib3

from msftocs_driver.ocs import constants
from msftocs_driver.ocs import exceptions
from tests.functional.ocs import helpers

PS = constants.PowerState
BOOT = constants.BladeBootType


def test_service_version(client):
    version = client.get_service_version()
    assert version.count('.') == 3


def test_cm_version_learned_once(client, emulator):
    emulator.reset_stats()
    learned = client.cm_version()
    assert str(learned) == client.get_service_version()
    assert not learned.assumed and not learned.is_v20
    assert client.cm_version() is learned
    assert emulator.stats()['operations']['GetServiceVersion'] == 2


def test_chassis_health(client, emulator):
    emulator.set_blade(2, type='Jbod')
    emulator.set_blade(3, switch_on=False)
    health = client.get_chassis_health()
    assert [shell.blade_id for shell in health.blades] == list(range(1, 25))
    assert health.blades[0].blade_type is constants.BladeType.Server
    assert health.blades[1].blade_type is constants.BladeType.Jbod
    assert health.blades[2].state is PS.OFF


def test_chassis_info(client, emulator):
    info = client.get_chassis_info()
    assert info.serial_number
    assert [blade.blade_id for blade in info.blades] == list(range(1, 25))
    macs = emulator.state()['blades']['1']['macs']
    assert set(info.blades[0].mac_addresses) <= set(macs)


def test_chassis_led(client, emulator):
    client.set_chassis_attention_led(True)
    assert client.get_chassis_attention_led_status() is constants.LedState.ON
    assert emulator.state()['chassis_led_on'] is True
    client.set_chassis_attention_led(False)
    assert (client.get_chassis_attention_led_status()
            is constants.LedState.OFF)


def test_blade_info(client, emulator):
    info = client.get_blade_info(1)
    assert info.blade_id == 1
    assert info.blade_type is constants.BladeType.Server
    assert info.serial_number
    macs = [nic.mac_address for nic in info.nics if nic.mac_address]
    assert macs == emulator.state()['blades']['1']['macs']
    emulator.set_blade(4, present=False)
    with pytest.raises(exceptions.BladeTimeoutError):
        client.get_blade_info(4)


def test_all_blades_info(client, emulator):
    emulator.set_blade(4, present=False)
    result = client.get_all_blades_info()
    assert sorted(result) == list(range(1, 25))
    assert result[1].result().blade_type is constants.BladeType.Server
    with pytest.raises(exceptions.BladeTimeoutError):
        result[4].result()


def test_blade_health(client):
    health = client.get_blade_health(1)
    assert health.blade_id == 1
    assert health.processors and health.memory
    assert all(dimm.size_mb >= 0 for dimm in health.memory)
    assert health.sensors == ()
    with_sensors = client.get_blade_health(1, sensors=True)
    assert with_sensors.sensors


def test_blade_en_switch(client, emulator):
    client.set_power_off(1)
    assert client.get_power_state(1).state is PS.OFF
    assert emulator.blade(1)['switch_on'] is False
    with pytest.raises(exceptions.DevicePoweredOffError) as caught:
        client.get_blade_state(1)
    assert caught.value.blade_id == 1
    client.set_power_on(1)
    info = helpers.wait_until_decompressed(client, 1)
    assert info.description
    assert emulator.blade(1)['switch_on'] is True


def test_firmware_decompressing(client, emulator):
    emulator.set_blade(1, switch_on=False, decompression_seconds=600)
    client.set_power_on(1)
    info = client.get_power_state(1)
    assert info.state is PS.OnFwDecompress
    assert 0 < info.decompression_seconds <= 600
    with pytest.raises(exceptions.FirmwareDecompressingError) as caught:
        client.set_blade_on(1)
    assert 0 < caught.value.seconds_remaining <= 600


def test_all_power_state(client, emulator):
    client.set_power_off(3)
    result = client.get_all_power_state()
    assert sorted(result) == list(range(1, 25))
    assert result[3].result().state is PS.OFF
    assert result[1].result().state is PS.ON


def test_host_power(client, emulator):
    client.set_blade_on(2)
    assert client.get_blade_state(2) is PS.ON
    assert emulator.blade(2)['host_on'] is True
    client.set_blade_off(2)
    assert client.get_blade_state(2) is PS.OFF
    client.set_blade_active_power_cycle(2)
    assert client.get_blade_state(2) is PS.ON
    client.set_blade_active_power_cycle(2, off_time=1)


def test_all_blades_state(client, emulator):
    client.set_blade_on(1)
    client.set_power_off(2)
    emulator.set_blade(3, present=False)
    emulator.set_blade(4, type='Jbod')
    result = client.get_all_blades_state()
    assert result[1].result() is PS.ON
    assert isinstance(result[2].error, exceptions.DevicePoweredOffError)
    assert isinstance(result[3].error, exceptions.BladeTimeoutError)
    assert isinstance(result[4].error,
                      exceptions.CommandNotValidForBladeError)


def test_error_classes(client, emulator):
    emulator.set_blade(5, present=False)
    with pytest.raises(exceptions.BladeTimeoutError):
        client.get_blade_state(5)
    emulator.set_blade(6, type='Jbod')
    with pytest.raises(exceptions.CommandNotValidForBladeError):
        client.set_blade_on(6)
    with pytest.raises(exceptions.ParameterOutOfRangeError):
        client.get_blade_state(25)  # a 24-blade chassis


def test_next_boot(client, emulator):
    assert client.set_next_boot(1, BOOT.ForcePxe, uefi=True,
                                persistent=True) is BOOT.ForcePxe
    assert client.get_next_boot(1) is BOOT.ForcePxe
    blade = emulator.blade(1)
    assert blade['next_boot'] == 'ForcePxe'
    assert blade['next_boot_persistent'] is True
    assert blade['next_boot_uefi'] is True
    client.set_next_boot(1, BOOT.ForceDefaultHdd, uefi=False,
                         persistent=False)
    assert client.get_next_boot(1) is BOOT.ForceDefaultHdd
    with pytest.raises(exceptions.ParameterOutOfRangeError):
        client.set_next_boot(1, BOOT.Unknown, uefi=False, persistent=False)


def test_blade_led(client, emulator):
    client.set_blade_attention_led(1, True)
    assert emulator.blade(1)['led_on'] is True
    client.set_blade_attention_led(1, False)
    assert emulator.blade(1)['led_on'] is False


def test_power_reading(client, emulator):
    client.set_blade_on(1)
    assert client.get_blade_power_reading(1).watts >= 0
    client.set_power_off(2)
    result = client.get_all_blades_power_reading()
    assert result[1].result().blade_id == 1
    assert isinstance(result[2].error, exceptions.DevicePoweredOffError)


def test_power_limit(client, emulator):
    client.set_blade_power_limit(1, 300.5)
    client.set_blade_power_limit_active(1, True)
    limit = client.get_blade_power_limit(1)
    assert (limit.watts, limit.active) == (300.5, True)
    client.set_blade_power_limit_active(1, False)
    assert client.get_blade_power_limit(1).active is False
    with pytest.raises(exceptions.ParameterOutOfRangeError):
        client.set_blade_power_limit(1, 50)


def test_serial_calls(client, emulator):
    token = client.start_blade_serial_session(1, timeout=60)
    assert emulator.blade(1)['serial_session'] is True
    with pytest.raises(exceptions.SerialSessionActiveError):
        client.start_blade_serial_session(1)
    # Base64 of these bytes contains '+', '/' and '='.
    client.send_blade_serial_data(1, token, b'\xfb\xff\xbf\xfe\r\n')
    assert isinstance(client.receive_blade_serial_data(1, token), bytes)
    with pytest.raises(exceptions.SerialSessionActiveError):
        client.receive_blade_serial_data(1, 'AA-BB-CC-DD-EE-FF-00-11')
    client.stop_blade_serial_session(1, token)
    assert emulator.blade(1)['serial_session'] is False
    with pytest.raises(exceptions.NoActiveSerialSessionError):
        client.receive_blade_serial_data(1, token)
    client.start_blade_serial_session(1)
    client.stop_blade_serial_session(1, force=True)
    assert emulator.blade(1)['serial_session'] is False


def test_wrong_password(endpoint, emulator):
    with endpoint.client(password='wrong') as cm:
        with pytest.raises(exceptions.AuthenticationError):
            cm.get_blade_state(1)


@pytest.mark.parametrize('endpoint', ['ntlm', 'tls-ntlm'], indirect=True)
def test_basic_client_against_ntlm(endpoint, emulator):
    with endpoint.client(auth='basic') as cm:
        with pytest.raises(exceptions.AuthenticationError,
                           match='use the ntlm .or auto. auth type'):
            cm.get_blade_state(1)


@pytest.mark.parametrize('endpoint', ['tls', 'tls-ntlm'], indirect=True)
def test_tls_verification(endpoint, emulator):
    # The system CAs do not know the generated CA.
    with endpoint.client(verify=True, retries=0) as cm:
        with pytest.raises(exceptions.TLSError,
                           match='TLS certificate verification failed '
                                 '.unable to get local issuer') as caught:
            cm.get_blade_state(1)
    assert caught.value.verification_failed
    assert caught.value.may_have_run is False
    # Unverified TLS works, and the library does not silence urllib3's
    # warning about it.
    with endpoint.client(verify=False) as cm:
        with pytest.warns(urllib3.exceptions.InsecureRequestWarning):
            assert cm.get_blade_state(1) in (PS.ON, PS.OFF)


@pytest.mark.parametrize('endpoint', ['tls'], indirect=True)
def test_ca_bundle_removed_after_validation(endpoint, emulator, tmp_path):
    bundle = tmp_path / 'ca.pem'
    with open(endpoint.verify, 'rb') as source:
        bundle.write_bytes(source.read())
    with endpoint.client(verify=str(bundle), retries=2) as cm:
        assert cm.get_blade_state(1) in (PS.ON, PS.OFF)
        cm.close()  # the next call opens a new connection
        bundle.unlink()
        with pytest.raises(exceptions.TLSError,
                           match='cannot read the CA bundle') as caught:
            cm.get_blade_state(1)
    assert caught.value.may_have_run is False
    assert caught.value.__context__ is None
