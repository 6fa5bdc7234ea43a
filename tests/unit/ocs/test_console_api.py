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


"""Tests of the serial-console operations of ChassisManagerClient."""

import pytest

from msftocs_driver.ocs import constants
from msftocs_driver.ocs import exceptions

TOKEN = '3F-A1-07-9C-5E-22-B8-41'


def test_start(client, transport):
    transport.reply('start_serial.xml')
    assert client.start_blade_serial_session(4, timeout=600) == TOKEN
    assert transport.last == {
        'operation': 'StartBladeSerialSession',
        'params': [('bladeId', 4), ('sessionTimeoutInSecs', 600),
                   ('powerOnWait', False)],
        'blade_id': 4, 'mutating': True}


@pytest.mark.parametrize('sample,error', [
    ('start_serial_active.xml', exceptions.SerialSessionActiveError),
    ('start_serial_max.xml', exceptions.MaxSerialSessionReachedError),
    ('start_serial_no_token.xml', exceptions.ResponseError),
])
def test_start_errors(client, transport, sample, error):
    transport.reply(sample)
    with pytest.raises(error) as caught:
        client.start_blade_serial_session(4, power_on_wait=True)
    assert caught.value.blade_id == 4
    assert ('powerOnWait', True) in transport.last['params']


def test_send(client, transport):
    transport.reply('chassis_response.xml')
    client.send_blade_serial_data(4, TOKEN, b'ls\r\n')
    assert transport.last == {
        'operation': 'SendBladeSerialData',
        'params': [('bladeId', 4), ('sessionToken', TOKEN),
                   ('data', b'ls\r\n')],
        'blade_id': 4, 'mutating': True}


def test_send_without_session(client, transport):
    transport.reply('chassis_response_no_session.xml')
    with pytest.raises(exceptions.NoActiveSerialSessionError):
        client.send_blade_serial_data(4, TOKEN, b'x')


@pytest.mark.parametrize('sample,data', [
    ('serial_data.xml', b'\r\nlogin: '),
    ('serial_data_empty.xml', b''),
    ('serial_data_timeout.xml', b''),
])
def test_receive(client, transport, sample, data):
    transport.reply(sample)
    assert client.receive_blade_serial_data(4, TOKEN) == data
    assert transport.last['operation'] == 'ReceiveBladeSerialData'
    assert transport.last['params'] == [('bladeId', 4),
                                        ('sessionToken', TOKEN)]
    assert transport.last['mutating']


@pytest.mark.parametrize('sample,error,code', [
    ('serial_data_overflow.xml', exceptions.CompletionCodeError,
     constants.CompletionCode.BmcRxSerialBufferOverflow),
    ('serial_data_no_session.xml', exceptions.NoActiveSerialSessionError,
     constants.CompletionCode.NoActiveSerialSession),
])
def test_receive_errors(client, transport, sample, error, code):
    transport.reply(sample)
    with pytest.raises(error) as caught:
        client.receive_blade_serial_data(4, TOKEN)
    assert caught.value.code is code


def test_receive_invalid_base64_hides_data(client, transport):
    transport.reply('serial_data_bad_base64.xml')
    with pytest.raises(exceptions.ResponseError) as caught:
        client.receive_blade_serial_data(4, TOKEN)
    assert 'c2VjcmV0' not in str(caught.value)
    assert TOKEN not in str(caught.value)


def test_stop(client, transport):
    transport.reply('chassis_response.xml', 'chassis_response.xml',
                    'chassis_response.xml')
    client.stop_blade_serial_session(4, TOKEN)
    assert transport.last['params'] == [('bladeId', 4),
                                        ('sessionToken', TOKEN),
                                        ('forceKill', False)]
    client.stop_blade_serial_session(4, force=True)
    assert transport.last['params'] == [('bladeId', 4), ('forceKill', True)]
    client.stop_blade_serial_session(4, TOKEN, force=True)
    assert transport.last['params'] == [('bladeId', 4),
                                        ('sessionToken', TOKEN),
                                        ('forceKill', True)]
    assert transport.last['mutating']


def test_stop_wrong_token(client, transport):
    transport.reply('chassis_response_session_active.xml')
    with pytest.raises(exceptions.SerialSessionActiveError):
        client.stop_blade_serial_session(4, 'AA-BB')
