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


"""Tests of ChassisManagerClient: requests sent and replies decoded."""

from unittest import mock

import pytest

from msftocs_driver.ocs import client as ocs_client
from msftocs_driver.ocs import connector
from msftocs_driver.ocs import constants
from msftocs_driver.ocs import exceptions
from msftocs_driver.ocs import models
from tests.unit.ocs import samples

PS = constants.PowerState


def test_service_version(client, transport):
    transport.reply('service_version.xml')
    assert client.get_service_version() == '2.5.0.0'
    assert transport.last == {'operation': 'GetServiceVersion',
                              'params': [], 'blade_id': None,
                              'mutating': False}


def test_chassis_info(client, transport):
    transport.reply('chassis_info.xml')
    info = client.get_chassis_info()
    assert transport.last['params'] == [
        ('bladeInfo', True), ('psuInfo', False),
        ('chassisControllerInfo', True), ('batteryInfo', False)]
    assert info.serial_number == 'CM12345'
    assert info.software_version == '2.5.0.0'
    assert info.system_uptime == '12:00:01'
    assert info.blades == (
        models.ChassisBladeInfo(1, '4c4c4544-0031-3010-8031-b1c04f4e3032',
                                'BLADE1', PS.ON, ('00:15:5D:0A:1B:2C',)),
        models.ChassisBladeInfo(2, '00000000-0000-0000-0000-000000000000',
                                'BLADE2', PS.NA, ()))


def test_chassis_info_without_controller(client, transport):
    transport.reply('chassis_info_no_controller.xml')
    with pytest.raises(exceptions.ResponseError, match='chassisController'):
        client.get_chassis_info()


def test_chassis_health(client, transport):
    transport.reply('chassis_health.xml')
    health = client.get_chassis_health()
    assert ('bladeHealth', True) in transport.last['params']
    assert ('psuHealth', False) in transport.last['params']
    assert health.blades == (
        models.BladeShell(1, constants.BladeType.Server, PS.ON),
        models.BladeShell(2, constants.BladeType.Jbod, PS.OFF),
        models.BladeShell(3, constants.BladeType.Unknown, PS.OnFwDecompress))


def test_chassis_health_without_blades(client, transport):
    transport.reply('chassis_health_empty.xml')
    with pytest.raises(exceptions.ResponseError, match='no blade'):
        client.get_chassis_health()


def test_chassis_led(client, transport):
    transport.reply('led_status.xml', 'chassis_response.xml',
                    'chassis_response.xml')
    assert (client.get_chassis_attention_led_status()
            is constants.LedState.ON)
    client.set_chassis_attention_led(True)
    assert transport.last['operation'] == 'SetChassisAttentionLEDOn'
    assert transport.last['mutating']
    client.set_chassis_attention_led(False)
    assert transport.last['operation'] == 'SetChassisAttentionLEDOff'


def test_blade_info(client, transport):
    transport.reply('blade_info.xml')
    info = client.get_blade_info(3)
    assert transport.last == {'operation': 'GetBladeInfo',
                              'params': [('bladeId', 3)], 'blade_id': 3,
                              'mutating': False}
    assert info == models.BladeInfo(
        blade_id=3, blade_type=constants.BladeType.Server,
        serial_number='QTFCTM3230105', asset_tag='',
        firmware_version='03.05.09', hardware_version='C1030Q',
        nics=(models.NicInfo(1, '00:15:5D:0A:1B:2C'),
              models.NicInfo(2, None)))


def test_blade_info_empty_slot(client, transport):
    transport.reply('blade_info_empty_slot.xml')
    with pytest.raises(exceptions.BladeTimeoutError) as caught:
        client.get_blade_info(3)
    assert caught.value.blade_id == 3
    assert caught.value.operation == 'GetBladeInfo'


def test_blade_info_unknown_type(client, transport):
    transport.reply('blade_info_bad_type.xml')
    with pytest.raises(exceptions.ResponseError, match='bladeType'):
        client.get_blade_info(3)


def test_all_blades_info(client, transport):
    transport.reply('all_blades_info.xml')
    result = client.get_all_blades_info()
    assert sorted(result) == [1, 2, 3]
    assert result[1].result().serial_number == 'SN0001'
    assert result[2].result().blade_type is constants.BladeType.Jbod
    assert isinstance(result[3].error, exceptions.BladeTimeoutError)
    assert result[3].error.blade_id == 3
    with pytest.raises(exceptions.BladeTimeoutError):
        result[3].result()


def test_blade_health(client, transport):
    transport.reply('blade_health.xml', 'blade_health.xml')
    health = client.get_blade_health(1)
    params = dict(transport.last['params'])
    assert params['sensorInfo'] is False
    assert params['cpuInfo'] and params['memInfo'] and params['fruInfo']
    assert health.blade_type is constants.BladeType.Server
    assert health.blade_state is PS.ON
    assert health.product_type == 'Server'
    assert health.processors[1] == models.ProcessorInfo(
        2, 'IntelHaswell', 'Present', 2400)
    assert sum(dimm.size_mb for dimm in health.memory) == 3 * 16384
    assert health.memory[0].voltage == '1.2V'
    assert health.pcie == (models.PcieInfo(1, '8086', '1572', '0001',
                                           'Present'),)
    assert health.sensors[0].description == 'Inlet Temp'
    client.get_blade_health(1, sensors=True)
    assert dict(transport.last['params'])['sensorInfo'] is True


@pytest.mark.parametrize('sample,match', [
    ('blade_health_no_shell.xml', 'bladeShell'),
    ('blade_health_bad_number.xml', 'size'),
])
def test_blade_health_invalid(client, transport, sample, match):
    transport.reply(sample)
    with pytest.raises(exceptions.ResponseError, match=match):
        client.get_blade_health(1)


def test_blade_health_of_another_blade(client, transport):
    transport.reply('blade_health.xml')
    with pytest.raises(exceptions.ResponseError, match='blade 1'):
        client.get_blade_health(2)


def test_power_state(client, transport):
    transport.reply('power_state_on.xml', 'power_state_decompressing.xml')
    assert client.get_power_state(1) == models.PowerStateInfo(
        1, PS.ON, 0, 'Blade Power is On, firmware decompressed')
    info = client.get_power_state(1)
    assert info.state is PS.OnFwDecompress
    assert info.decompression_seconds == 17


def test_all_power_state(client, transport):
    transport.reply('all_power_state.xml')
    result = client.get_all_power_state()
    assert result[1].result().state is PS.ON
    assert result[2].result().state is PS.OFF
    assert transport.last['operation'] == 'GetAllPowerState'


@pytest.mark.parametrize('method,operation', [
    ('set_power_on', 'SetPowerOn'), ('set_power_off', 'SetPowerOff'),
    ('set_blade_on', 'SetBladeOn'), ('set_blade_off', 'SetBladeOff'),
])
def test_power_actions(client, transport, method, operation):
    transport.reply('blade_response.xml')
    assert getattr(client, method)(1) is None
    assert transport.last == {'operation': operation,
                              'params': [('bladeId', 1)], 'blade_id': 1,
                              'mutating': True}


@pytest.mark.parametrize('sample,error', [
    ('blade_response_powered_off.xml', exceptions.DevicePoweredOffError),
    ('blade_response_out_of_range.xml',
     exceptions.ParameterOutOfRangeError),
    ('blade_response_jbod.xml', exceptions.CommandNotValidForBladeError),
    ('blade_response_failure.xml', exceptions.CompletionCodeError),
    ('blade_response_wrong_blade.xml', exceptions.ResponseError),
])
def test_power_action_errors(client, transport, sample, error):
    transport.reply(sample)
    with pytest.raises(error) as caught:
        client.set_blade_on(1)
    assert caught.value.blade_id == 1
    assert caught.value.operation == 'SetBladeOn'
    assert 'SetBladeOn blade 1' in str(caught.value)


def test_completion_error_carries_description(client, transport):
    transport.reply('blade_response_powered_off.xml')
    with pytest.raises(exceptions.DevicePoweredOffError) as caught:
        client.set_blade_off(1)
    assert caught.value.code is constants.CompletionCode.DevicePoweredOff
    assert caught.value.status_description == 'DevicePoweredOff'


def test_blade_state(client, transport):
    transport.reply('blade_state_on.xml')
    assert client.get_blade_state(1) is PS.ON


def test_blade_state_decompressing(client, transport):
    transport.reply('blade_state_decompressing.xml')
    with pytest.raises(exceptions.FirmwareDecompressingError) as caught:
        client.get_blade_state(1)
    assert caught.value.seconds_remaining == 21


def test_blade_state_empty_slot(client, transport):
    transport.reply('blade_state_timeout.xml')
    with pytest.raises(exceptions.BladeTimeoutError):
        client.get_blade_state(1)


def test_all_blades_state(client, transport):
    transport.reply('all_blades_state.xml')
    result = client.get_all_blades_state()
    assert result[1].result() is PS.ON
    assert result[2].result() is PS.OFF
    assert [type(result[n].error) for n in (3, 4, 5, 6)] == [
        exceptions.DevicePoweredOffError,
        exceptions.FirmwareDecompressingError,
        exceptions.BladeTimeoutError,
        exceptions.CommandNotValidForBladeError]
    assert result[4].error.seconds_remaining == 9
    assert result[4].error.blade_id == 4


def test_all_blades_state_when_every_blade_failed(client, transport):
    # Top-level Failure, but every blade is listed: keep the per-blade
    # answers, they are what the caller needs.
    transport.reply('all_blades_state_all_off.xml')
    result = client.get_all_blades_state()
    assert all(isinstance(outcome.error, exceptions.DevicePoweredOffError)
               for outcome in result.values())


def test_all_blades_state_failure_without_blades(client, transport):
    transport.reply('all_blades_state_failure.xml')
    with pytest.raises(exceptions.CompletionCodeError) as caught:
        client.get_all_blades_state()
    assert caught.value.code is constants.CompletionCode.Failure
    assert caught.value.blade_id is None


@pytest.mark.parametrize('sample,match', [
    ('all_blades_state_empty.xml', 'lists no blade'),
    ('all_blades_state_duplicate.xml', 'twice'),
])
def test_all_blades_state_invalid(client, transport, sample, match):
    transport.reply(sample)
    with pytest.raises(exceptions.ResponseError, match=match):
        client.get_all_blades_state()


def test_active_power_cycle(client, transport):
    transport.reply('blade_response.xml')
    client.set_blade_active_power_cycle(1, off_time=5)
    assert transport.last['operation'] == 'SetBladeActivePowerCycle'
    assert transport.last['params'] == [('bladeId', 1), ('offTime', 5)]
    assert transport.last['mutating']


def test_next_boot(client, transport):
    transport.reply('boot_response.xml', 'boot_response.xml')
    assert client.get_next_boot(1) is constants.BladeBootType.ForcePxe
    assert not transport.last['mutating']
    result = client.set_next_boot(1, constants.BladeBootType.ForcePxe,
                                  uefi=True, persistent=False)
    assert result is constants.BladeBootType.ForcePxe
    assert transport.last['params'] == [
        ('bladeId', 1), ('bootType', constants.BladeBootType.ForcePxe),
        ('uefi', True), ('persistent', False), ('bootInstance', 0)]
    assert transport.last['mutating']


def test_set_next_boot_unknown(client, transport):
    transport.reply('boot_response_unknown.xml')
    with pytest.raises(exceptions.ParameterOutOfRangeError,
                       match='Cannot be set to Unknown'):
        client.set_next_boot(1, constants.BladeBootType.Unknown, uefi=False,
                             persistent=False)


def test_blade_led(client, transport):
    transport.reply('blade_response.xml', 'blade_response.xml')
    client.set_blade_attention_led(1, True)
    assert transport.last['operation'] == 'SetBladeAttentionLEDOn'
    client.set_blade_attention_led(1, False)
    assert transport.last['operation'] == 'SetBladeAttentionLEDOff'
    assert transport.last['mutating']


@pytest.mark.parametrize('call', [
    lambda c: c.get_blade_state(0),
    lambda c: c.get_blade_state(49),
    lambda c: c.get_blade_state(True),
    lambda c: c.get_blade_state('1'),
    lambda c: c.set_blade_active_power_cycle(1, off_time=-1),
    lambda c: c.set_next_boot(1, constants.BladeBootType.ForcePxe,
                              uefi=False, persistent=False,
                              boot_instance=-1),
    lambda c: c.start_blade_serial_session(1, timeout=-5),
    lambda c: c.send_blade_serial_data(1, '', b'x'),
    lambda c: c.stop_blade_serial_session(1),
])
def test_invalid_arguments(client, transport, call):
    with pytest.raises(ValueError):
        call(client)
    assert transport.calls == []


@pytest.mark.parametrize('call', [
    lambda c: c.set_next_boot(1, 'ForcePxe', uefi=False, persistent=False),
    lambda c: c.send_blade_serial_data(1, 'TOKEN', 'text'),
])
def test_invalid_argument_types(client, transport, call):
    with pytest.raises(TypeError):
        call(client)
    assert transport.calls == []


def test_context_manager_closes(transport):
    with mock.patch.object(connector.Connector, 'close',
                           autospec=True) as close:
        with ocs_client.ChassisManagerClient('https://cm', 'u', 'p') as c:
            assert c.base_url == 'https://cm'
            assert 'https://cm' in repr(c)
        close.assert_called_once_with(mock.ANY)


def test_client_rejects_base_url_with_path():
    with pytest.raises(ValueError, match='path'):
        ocs_client.ChassisManagerClient('http://cm:8000/api', 'u', 'p')


def test_blade_health_of_an_unidentified_blade(client, transport):
    transport.replies.append(samples.load('blade_health.xml').replace(
        b'<bladeType>Server</bladeType>', b'<bladeType/>'))
    assert client.get_blade_health(1).blade_type is None
