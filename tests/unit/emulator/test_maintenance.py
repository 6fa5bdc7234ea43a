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


"""Blade log, POST code and health-fault records of the emulator."""

import json

import pytest

from msftocs_driver.emulator import operations
from tests.unit.emulator import base

ENVELOPE = ['completionCode', 'apiVersion', 'statusDescription']
LOG = [{'time': '2015-03-09T10:00:00', 'description': 'CPU0 IERR'},
       {'time': '2015-03-09T11:00:00', 'description': 'DIMM3 ECC'}]


def records(app, blade_id, **changes):
    method = 'POST' if changes else 'GET'
    reply = base.call(app, '/_emulator/blades/%d/records' % blade_id,
                      method=method, body=json.dumps(changes).encode())
    return reply.status_code, json.loads(reply.body)


def entries(reply):
    log = reply.xml.find(base.NS + 'logEntries')
    return [(e.find(base.NS + 'eventTime').text,
             e.find(base.NS + 'eventDescription').text) for e in log]


@pytest.fixture
def chassis_app():
    app, _ = base.make_app({'empty_slots': [5], 'jbod_slots': [6],
                            'slots': {'7': {'switch_on': False}}})
    return app


def test_read_blade_log_and_reply_order(app):
    assert records(app, 1, log=LOG)[0] == 200
    reply = base.op(app, 'ReadBladeLog', bladeId=1)
    assert reply.children() == ENVELOPE + ['logEntries']
    assert reply.text('completionCode') == 'Success'
    item = reply.xml.find(base.NS + 'logEntries')[0]
    assert reply.children(item) == ['eventTime', 'eventDescription']
    assert entries(reply) == [(e['time'], e['description']) for e in LOG]


def test_read_blade_log_with_timestamps(app):
    records(app, 1, log=LOG)
    reply = base.op(app, 'ReadBladeLogWithTimestamp', bladeId=1,
                    startTimestamp='2015-03-09T10:30:00',
                    endTimestamp='2015-03-09T12:00:00')
    assert entries(reply) == [('2015-03-09T11:00:00', 'DIMM3 ECC')]
    # Left out, both are DateTime's default (year 1): nothing in between.
    assert entries(base.op(app, 'ReadBladeLogWithTimestamp',
                           bladeId=1)) == []
    bad = base.op(app, 'ReadBladeLogWithTimestamp', bladeId=1,
                  startTimestamp='yesterday', endTimestamp='today')
    assert bad.status_code == 400


def test_clear_blade_log(app):
    records(app, 2, log=LOG)
    reply = base.op(app, 'ClearBladeLog', bladeId=2)
    assert reply.children() == ENVELOPE + ['bladeNumber']
    assert reply.text('completionCode') == 'Success'
    assert entries(base.op(app, 'ReadBladeLog', bladeId=2)) == []
    assert records(app, 2)[1]['log'] == []


def test_post_code(app):
    reply = base.op(app, 'GetPostCode', bladeId=1)
    assert reply.children() == ENVELOPE + ['PostCode', 'PreviousPostCode']
    assert (reply.text('PostCode'), reply.text('PreviousPostCode')) == (
        'AA', 'AA')
    records(app, 1, post_code='B2', previous_post_code='AA')
    reply = base.op(app, 'GetPostCode', bladeId=1)
    assert (reply.text('PostCode'), reply.text('PreviousPostCode')) == (
        'B2', 'AA')


@pytest.mark.parametrize('operation', ['ReadBladeLog', 'ClearBladeLog',
                                       'GetPostCode'])
@pytest.mark.parametrize('blade_id, code', [
    (5, 'Timeout'), (6, 'CommandNotValidForBlade'),
    (7, 'DevicePoweredOff'), (25, 'ParameterOutOfRange')])
def test_error_matrix(chassis_app, operation, blade_id, code):
    # The JBOD's type is known once its BMC has answered.
    base.op(chassis_app, 'GetBladeInfo', bladeId=6)
    reply = base.op(chassis_app, operation, bladeId=blade_id)
    assert reply.status_code == 200
    assert reply.text('completionCode') == code


def test_roles():
    assert operations.lookup('ReadBladeLog').role is operations.Role.user
    assert (operations.lookup('readbladelogwithtimestamp').role
            is operations.Role.user)
    assert operations.lookup('GetPostCode').role is operations.Role.user
    assert (operations.lookup('ClearBladeLog').role
            is operations.Role.operator)
    app, _ = base.make_app()
    app.role = operations.Role.user
    assert base.op(app, 'ClearBladeLog', bladeId=1).status_code == 400
    assert base.op(app, 'ReadBladeLog', bladeId=1).status_code == 200


def _sensor_statuses(app, blade_id):
    reply = base.op(app, 'GetBladeHealth', bladeId=blade_id,
                    sensorInfo='true', memInfo='true')
    sensors = {int(s.find(base.NS + 'sensorNumber').text):
               s.find(base.NS + 'status').text
               for s in reply.xml.find(base.NS + 'sensors')}
    dimms = {int(d.find(base.NS + 'dimm').text):
             d.find(base.NS + 'status').text
             for d in reply.xml.find(base.NS + 'memoryInfo')}
    return sensors, dimms


def test_health_faults(app):
    assert records(app, 1, sensor_status={'2': 'cr'},
                   dimm_status={'3': 'SingleBitError'})[0] == 200
    sensors, dimms = _sensor_statuses(app, 1)
    assert sensors[2] == 'cr' and sensors[1] == 'ok'
    assert dimms[3] == 'SingleBitError' and dimms[1] == 'Ok'
    # "ok" clears a fault.
    records(app, 1, sensor_status={'2': 'ok'}, dimm_status={})
    sensors, dimms = _sensor_statuses(app, 1)
    assert set(sensors.values()) == {'ok'} and set(dimms.values()) == {'Ok'}


def test_power_reading_failure(app):
    records(app, 1, power_reading_failed=True)
    reply = base.op(app, 'GetBladePowerReading', bladeId=1)
    assert (reply.text('completionCode'), reply.text('powerReading')) == (
        'Failure', '-1')
    reply = base.op(app, 'GetAllBladesPowerReading')
    codes = [item.find(base.NS + 'completionCode').text for item in
             reply.xml.find(base.NS + 'bladePowerReadingCollection')]
    assert codes[0] == 'Failure' and set(codes[1:]) == {'Success'}


@pytest.mark.parametrize('changes, field', [
    ({'log': [{'time': 'noon', 'description': 'x'}]}, 'log[0].time'),
    ({'log': 'x'}, 'log'),
    ({'sensor_status': {'2': 'broken'}}, 'sensor_status.2'),
    ({'dimm_status': {'x': 'Ok'}}, 'dimm_status'),
    ({'power_reading_failed': 1}, 'power_reading_failed'),
    ({'post_code': 7}, 'post_code'),
    ({'colour': 'red'}, 'colour'),
])
def test_bad_record_changes_are_refused_whole(app, changes, field):
    # A valid change sent along is not applied either.
    changes.setdefault('post_code', 'B2')
    status, body = records(app, 1, **changes)
    assert status == 400
    assert body['error'].startswith(field)
    assert records(app, 1)[1]['post_code'] == 'AA'


def test_append_log_and_reset(app):
    records(app, 1, log=LOG[:1])
    status, body = records(app, 1, append_log=LOG[1:])
    assert [e['description'] for e in body['log']] == [
        'CPU0 IERR', 'DIMM3 ECC']
    base.call(app, '/_emulator/reset', method='POST')
    assert records(app, 1)[1]['log'] == []
    assert records(app, 99)[0] == 404
