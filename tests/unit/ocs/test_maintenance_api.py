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

"""Tests of the blade maintenance methods of ChassisManagerClient."""

import datetime
from unittest import mock

import pytest

from msftocs_driver.ocs import constants
from msftocs_driver.ocs import exceptions
from msftocs_driver.ocs import maintenance_api


def test_read_blade_log(client, transport):
    transport.reply('blade_log.xml')
    entries = client.read_blade_log(1)
    assert transport.last == {'operation': 'ReadBladeLog',
                              'params': [('bladeId', 1)], 'blade_id': 1,
                              'mutating': False}
    assert entries == (
        maintenance_api.LogEntry('2015-03-09T10:00:00',
                                 'Processor CPU0 IERR asserted'),
        maintenance_api.LogEntry('2015-03-09T10:05:00',
                                 'Memory DIMM3 correctable ECC'))


def test_read_blade_log_between_timestamps(client, transport):
    transport.reply('blade_log.xml')
    start = datetime.datetime(2015, 3, 9, 9, 59, 59, 123456,
                              tzinfo=datetime.timezone.utc)
    client.read_blade_log(4, start=start,
                          end=datetime.datetime(2015, 3, 9, 11))
    assert transport.last['operation'] == 'ReadBladeLogWithTimestamp'
    assert transport.last['params'] == [
        ('bladeId', 4), ('startTimestamp', '2015-03-09T09:59:59'),
        ('endTimestamp', '2015-03-09T11:00:00')]


def test_read_blade_log_needs_both_timestamps(client, transport):
    with pytest.raises(ValueError):
        client.read_blade_log(1, start=datetime.datetime(2015, 3, 9))
    with pytest.raises(TypeError):
        client.read_blade_log(1, start='yesterday', end='today')
    assert transport.calls == []


def test_read_blade_log_of_a_jbod(client, transport):
    transport.reply('blade_log_jbod.xml')
    with pytest.raises(exceptions.CommandNotValidForBladeError):
        client.read_blade_log(12)


def test_clear_blade_log(client, transport):
    transport.reply('blade_response.xml')
    client.clear_blade_log(1)
    assert transport.last == {'operation': 'ClearBladeLog',
                              'params': [('bladeId', 1)], 'blade_id': 1,
                              'mutating': True}


def test_get_post_code(client, transport):
    transport.reply('post_code.xml')
    code = client.get_post_code(2)
    assert transport.last['operation'] == 'GetPostCode'
    assert code == maintenance_api.PostCode(2, 'B2', 'AA')


@pytest.mark.parametrize('on, operation', [
    (True, 'SetBladeDefaultPowerStateOn'),
    (False, 'SetBladeDefaultPowerStateOff')])
def test_set_blade_default_power_state(client, transport, on, operation):
    transport.reply('blade_response.xml')
    client.set_blade_default_power_state(1, on)
    assert transport.last == {'operation': operation,
                              'params': [('bladeId', 1)], 'blade_id': 1,
                              'mutating': True}


def test_get_blade_default_power_state(client, transport):
    transport.reply('default_power_state_off.xml')
    assert (client.get_blade_default_power_state(1)
            is constants.PowerState.OFF)
    assert transport.last['operation'] == 'GetBladeDefaultPowerState'


def test_has_admin_role_with_a_reply(client, transport):
    transport.reply('serial_no_session.xml')
    assert client.has_admin_role(1) is True
    assert transport.last['operation'] == 'ReceiveBladeSerialData'
    # A token no session can hold: nothing is read from anybody's console.
    assert ('sessionToken', '00-00-00-00-00-00-00-00') in (
        transport.last['params'])


@pytest.mark.parametrize('status', [400, 403])
def test_has_admin_role_denied(client, status):
    with mock.patch.object(client, 'receive_blade_serial_data',
                           autospec=True,
                           side_effect=exceptions.HTTPError(status)):
        assert client.has_admin_role(1) is False


def test_has_admin_role_other_errors_propagate(client):
    for error in (exceptions.HTTPError(500),
                  exceptions.AuthenticationError('HTTP 401')):
        with mock.patch.object(client, 'receive_blade_serial_data',
                               autospec=True, side_effect=error):
            with pytest.raises(type(error)):
                client.has_admin_role(1)
