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


"""Every All* operation: one entry per slot, aggregate completion code."""

import pytest

from tests.unit.emulator import base

ALL_OPERATIONS = [
    ('GetAllPowerState', 'powerStateResponseCollection',
     'PowerStateResponse'),
    ('GetAllBladesState', 'bladeStateResponseCollection',
     'BladeStateResponse'),
    ('GetAllBladesInfo', 'bladeInfoResponseCollection', 'BladeInfoResponse'),
    ('GetAllBladesPowerReading', 'bladePowerReadingCollection',
     'BladePowerReadingResponse'),
    ('GetAllBladesPowerLimit', 'bladePowerLimitCollection',
     'BladePowerLimitResponse'),
    ('GetAllBladesDefaultPowerState', 'bladeStateResponseCollection',
     'BladeStateResponse'),
    ('SetAllPowerOn', 'bladeResponseCollection', 'BladeResponse'),
    ('SetAllBladesOn', 'bladeResponseCollection', 'BladeResponse'),
    ('SetAllBladesOff', 'bladeResponseCollection', 'BladeResponse'),
    ('SetAllBladesActivePowerCycle', 'bladeResponseCollection',
     'BladeResponse'),
    ('SetAllBladesAttentionLEDOn', 'bladeResponseCollection',
     'BladeResponse'),
    ('SetAllBladesAttentionLEDOff', 'bladeResponseCollection',
     'BladeResponse'),
    ('SetAllBladesPowerLimitOn', 'bladeResponseCollection', 'BladeResponse'),
    ('SetAllBladesPowerLimitOff', 'bladeResponseCollection',
     'BladeResponse'),
    ('SetAllBladesDefaultPowerStateOn', 'bladeResponseCollection',
     'BladeResponse'),
    ('SetAllBladesDefaultPowerStateOff', 'bladeResponseCollection',
     'BladeResponse'),
]


@pytest.mark.parametrize('operation,collection,item', ALL_OPERATIONS)
def test_one_entry_per_slot(operation, collection, item):
    app, _ = base.make_app({'blades': 48, 'empty_slots': [48]})
    reply = base.op(app, operation)
    assert reply.children() == ['completionCode', 'apiVersion',
                                'statusDescription', collection]
    assert (reply.text('completionCode'), reply.text('statusDescription')) == (
        'Success', 'Fetched result successfully')
    entries = list(reply.xml.find(base.NS + collection))
    assert [e.tag for e in entries] == [base.NS + item] * 48
    numbers = [int(e.find(base.NS + 'bladeNumber').text) for e in entries]
    assert numbers == list(range(1, 49))


def test_set_all_power_limit_applies_the_range_per_blade(app):
    reply = base.op(app, 'SetAllBladesPowerLimit', powerLimitInWatts=50)
    assert reply.text('completionCode') == 'Failure'
    base.op(app, 'SetAllBladesPowerLimit', powerLimitInWatts=300)
    assert {b['power_limit'] for b in app.chassis.to_dict()[
        'blades'].values()} == {300.0}


def test_set_all_power_off_kills_every_session(app):
    base.op(app, 'StartBladeSerialSession', bladeId=1)
    base.op(app, 'SetAllPowerOff')
    state = app.chassis.to_dict()
    assert state['sessions'] == 0
    assert not any(b['switch_on'] for b in state['blades'].values())
