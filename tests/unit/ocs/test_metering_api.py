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

"""Tests of the power metering methods of ChassisManagerClient."""

import pytest

from msftocs_driver.ocs import exceptions
from msftocs_driver.ocs import models


def test_power_reading(client, transport):
    transport.reply('power_reading.xml', 'all_power_reading.xml')
    assert client.get_blade_power_reading(1) == models.PowerReading(1, 187.5)
    result = client.get_all_blades_power_reading()
    assert result[1].result() == models.PowerReading(1, 210.0)
    assert isinstance(result[2].error, exceptions.DevicePoweredOffError)


def test_power_limit(client, transport):
    transport.reply('power_limit.xml', 'power_limit_v20.xml')
    assert client.get_blade_power_limit(1) == models.PowerLimit(1, 400.0,
                                                                True)
    assert client.get_blade_power_limit(1) == models.PowerLimit(1, 250.0,
                                                                None)


def test_set_power_limit(client, transport):
    transport.reply(*['blade_response.xml'] * 3)
    client.set_blade_power_limit(1, 250)
    assert transport.last['params'] == [('bladeId', 1),
                                        ('powerLimitInWatts', 250.0)]
    assert transport.last['mutating']
    client.set_blade_power_limit_active(1, True)
    assert transport.last['operation'] == 'SetBladePowerLimitOn'
    client.set_blade_power_limit_active(1, False)
    assert transport.last['operation'] == 'SetBladePowerLimitOff'


@pytest.mark.parametrize('watts', ['250', True, None])
def test_set_power_limit_needs_a_number(client, transport, watts):
    with pytest.raises(TypeError, match='watts must be a number'):
        client.set_blade_power_limit(1, watts)
    assert transport.calls == []
