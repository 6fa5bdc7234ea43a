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


"""The WSGI application: routing, HTTP errors, faults, control API."""

import json
import random
from xml.etree import ElementTree

import pytest

from msftocs_driver.emulator import faults
from msftocs_driver.emulator import operations
from tests.unit.emulator import base


def control(app, method, path, body=None):
    raw = b'' if body is None else json.dumps(body).encode()
    reply = base.call(app, '/_emulator/' + path, method=method, body=raw)
    return reply.status_code, json.loads(reply.body)


@pytest.mark.parametrize('path,query', [
    ('/getbladestate', 'bladeid=1'), ('/GETBLADESTATE', 'BladeId=1'),
    ('/GetBladeState', 'bladeId=1&unknown=x')])
def test_names_match_case_insensitively(app, path, query):
    reply = base.call(app, path, query)
    assert reply.xml.tag.endswith('BladeStateResponse')
    assert reply.text('bladeNumber') == '1'


@pytest.mark.parametrize('path', ['/NoSuchOperation', '/', '/GetBladeState/x',
                                  '/a/GetBladeState'])
def test_unknown_operation_is_a_404_html_page(app, path):
    reply = base.call(app, path)
    assert reply.status_code == 404
    assert reply.headers['Content-Type'] == 'text/html; charset=utf-8'
    assert b'<html>' in reply.body


def test_other_methods_get_405(app):
    reply = base.call(app, '/GetBladeState', method='POST')
    assert reply.status_code == 405
    assert reply.headers['Allow'] == 'GET'


def test_unparsable_parameter_gets_400_and_no_side_effect(app):
    reply = base.call(app, '/SetBladeActivePowerCycle', 'bladeId=1&offTime=x')
    assert reply.status_code == 400
    assert b'offTime' in reply.body
    assert app.chassis.to_dict()['blades']['1']['host_on'] is False


@pytest.mark.parametrize('path, query, method, authorization, status', [
    ('/GetBladeState', 'bladeId=1', 'GET', None, 401),
    ('/NoSuchOperation', '', 'GET', base.BASIC, 404),
    ('/GetBladeState', 'bladeId=1', 'DELETE', base.BASIC, 405),
    ('/GetBladeState', 'bladeId=one', 'GET', base.BASIC, 400),
])
def test_error_pages_are_uncached_html(app, path, query, method,
                                       authorization, status):
    reply = base.call(app, path, query, method=method,
                      authorization=authorization)
    assert reply.status_code == status
    assert reply.headers['Content-Type'] == 'text/html; charset=utf-8'
    assert reply.headers['Cache-Control'] == 'no-cache'
    assert reply.body.startswith(b'<!DOCTYPE html>')


def test_control_replies_are_uncached_json(app):
    reply = base.call(app, '/_emulator/state')
    assert reply.headers['Content-Type'] == 'application/json'
    assert reply.headers['Cache-Control'] == 'no-cache'
    assert [name for name, _ in reply.header_list].count(
        'Cache-Control') == 1


@pytest.mark.parametrize('authorization', [
    None, 'Basic YWRtaW46d3Jvbmc=', 'Basic !!!', 'Bearer x',
    'Negotiate TlRMTVNTUAABAAAA'])
def test_missing_or_wrong_credentials_get_401(app, authorization):
    reply = base.call(app, '/GetBladeState', 'bladeId=1',
                      authorization=authorization)
    assert reply.status_code == 401
    assert reply.headers['WWW-Authenticate'] == (
        'Basic realm="msftocs-emulator"')
    assert base.call(app, '/_emulator/state',
                     authorization=authorization).status_code == 401


def test_latency_is_added_to_every_call():
    app, clock = base.make_app(latency=0.25)
    base.op(app, 'GetBladeState', bladeId=1)
    assert clock.slept == [0.25]


def test_bus_cost_is_paid_per_bmc_exchange_not_for_blade_en_calls():
    app, clock = base.make_app(bus_cost=0.5, blades=24)
    base.op(app, 'GetPowerState', bladeId=1)
    base.op(app, 'SetPowerOn', bladeId=1)
    assert clock.slept == []
    base.op(app, 'GetBladeState', bladeId=1)
    assert clock.slept == [0.5]
    clock.slept.clear()
    base.op(app, 'GetAllBladesState')
    assert clock.slept == [0.5] * 24
    clock.slept.clear()
    base.op(app, 'GetAllPowerState')
    assert clock.slept == []


def test_stats_count_operations_by_canonical_name(app):
    base.op(app, 'getbladestate', bladeId=1)
    base.op(app, 'GetBladeState', bladeId=2)
    base.op(app, 'GetPowerState', bladeId=2)
    base.call(app, '/GetBladeState', authorization=None)
    assert control(app, 'GET', 'stats') == (200, {
        'total': 3, 'operations': {'GetBladeState': 2, 'GetPowerState': 1},
        'running': 0})
    control(app, 'POST', 'stats/reset')
    assert control(app, 'GET', 'stats')[1]['total'] == 0


def test_a_call_is_running_until_its_operation_has_run(app, clock):
    seen = []

    def sleep(seconds):
        seen.append((control(app, 'GET', 'stats')[1]['running'],
                     app.chassis.blade(1).host_on))
        clock.sleep(seconds)

    control(app, 'POST', 'blades/1', {'switch_on': True, 'host_on': True})
    app.sleep = sleep
    control(app, 'POST', 'faults', {'kind': 'delay', 'seconds': 3,
                                    'operations': ['SetBladeOff']})
    base.op(app, 'SetBladeOff', bladeId=1)
    # Delayed: running, the blade still on; then run and no longer counted.
    assert seen == [(1, True)]
    assert app.chassis.blade(1).host_on is False
    assert control(app, 'GET', 'stats')[1]['running'] == 0


def test_control_state_and_blade_changes(app):
    status, blade = control(app, 'POST', 'blades/3', {
        'present': False, 'decompression_seconds': 5})
    assert (status, blade['present']) == (200, False)
    assert base.op(app, 'GetBladeState', bladeId=3).text(
        'completionCode') == 'Timeout'
    control(app, 'POST', 'blades/4', {'switch_on': False})
    control(app, 'POST', 'blades/4', {'switch_on': True})
    assert control(app, 'GET', 'blades/4')[1]['decompressing'] is True
    control(app, 'POST', 'blades/5', {'host_on': True, 'type': 'Jbod'})
    state = control(app, 'GET', 'state')[1]
    assert (state['blades']['5']['host_on'], state['blades']['5']['type'],
            state['sessions'], state['chassis_led_on']) == (
        True, 'Jbod', 0, False)
    assert sorted(state['blades']['1']) == sorted([
        'present', 'type', 'switch_on', 'decompressing', 'host_on',
        'next_boot', 'next_boot_persistent', 'next_boot_uefi', 'led_on',
        'power_limit', 'power_limit_active', 'serial_session', 'macs'])
    control(app, 'POST', 'reset')
    assert control(app, 'GET', 'blades/3')[1]['present'] is True


def test_control_decompression_seconds_applies_to_next_switch_on(app, clock):
    control(app, 'POST', 'blades/2', {'decompression_seconds': 2})
    base.op(app, 'SetPowerOff', bladeId=2)
    base.op(app, 'SetPowerOn', bladeId=2)
    clock.advance(2)
    assert base.op(app, 'GetBladeState', bladeId=2).text(
        'completionCode') == 'Success'


@pytest.mark.parametrize('path,body,status', [
    ('blades/25', {}, 404), ('blades/x', {}, 404),
    ('blades/1', {'present': 1}, 400), ('blades/1', {'colour': 'red'}, 400),
    ('blades/1', {'type': 'IEB'}, 400), ('blades/1', [], 400),
    ('nothing', {}, 404), ('faults', {'kind': 'bogus'}, 400),
    ('faults', {'kind': 'delay'}, 400),
    ('faults', {'kind': 'http500', 'operations': ['Nope']}, 400),
    ('faults', {'kind': 'http500', 'rate': 2}, 400),
    ('faults', {'kind': 'http500', 'count': 0}, 400)])
def test_control_errors_name_the_problem(app, path, body, status):
    code, reply = control(app, 'POST', path, body)
    assert code == status
    assert reply['error']


def test_http500_fault_for_the_next_two_calls_of_one_operation(app):
    control(app, 'POST', 'faults', {'kind': 'http500', 'count': 2,
                                    'operations': ['getbladestate']})
    assert base.op(app, 'GetPowerState', bladeId=1).status_code == 200
    for _ in range(2):
        reply = base.op(app, 'GetBladeState', bladeId=1)
        assert reply.status_code == 500
    assert base.op(app, 'GetBladeState', bladeId=1).status_code == 200
    assert control(app, 'GET', 'faults')[1] == {'faults': []}


def test_http500_fault_does_not_run_the_operation(app):
    control(app, 'POST', 'faults', {'kind': 'http500'})
    base.op(app, 'SetBladeOn', bladeId=1)
    control(app, 'DELETE', 'faults')
    assert base.op(app, 'GetBladeState', bladeId=1).text(
        'bladeState') == 'OFF'


def test_http401_fault(app):
    control(app, 'POST', 'faults', {'kind': 'http401', 'count': 1})
    reply = base.op(app, 'GetBladeState', bladeId=1)
    assert reply.status_code == 401
    assert 'WWW-Authenticate' in reply.headers


def test_delay_fault_adds_up_with_latency():
    app, clock = base.make_app(latency=0.1)
    control(app, 'POST', 'faults', {'kind': 'delay', 'seconds': 2})
    base.op(app, 'GetBladeState', bladeId=1)
    assert clock.slept == [2.1]


@pytest.mark.parametrize('kind', ['truncated', 'malformed', 'xml_bomb'])
def test_unparsable_body_faults(app, kind):
    control(app, 'POST', 'faults', {'kind': kind, 'count': 1})
    reply = base.op(app, 'GetBladeState', bladeId=1)
    assert reply.status_code == 200
    assert reply.headers['Content-Length'] == str(len(reply.body))
    if kind == 'xml_bomb':
        assert b'<!ENTITY lol9' in reply.body
    else:
        with pytest.raises(ElementTree.ParseError):
            ElementTree.fromstring(reply.body)


def test_wrong_namespace_and_wrong_blade_faults(app):
    control(app, 'POST', 'faults', {'kind': 'wrong_namespace', 'count': 1})
    reply = base.op(app, 'GetBladeState', bladeId=1)
    assert reply.xml.tag == '{%s}BladeStateResponse' % faults.WRONG_NAMESPACE
    control(app, 'POST', 'faults', {'kind': 'wrong_blade', 'count': 1})
    assert base.op(app, 'GetBladeState', bladeId=24).text(
        'bladeNumber') == '1'
    assert base.op(app, 'GetBladeState', bladeId=24).text(
        'bladeNumber') == '24'


def test_drop_faults_run_the_operation_then_lose_the_reply(app):
    control(app, 'POST', 'faults', {'kind': 'drop', 'count': 1})
    with pytest.raises(faults.ConnectionDrop):
        base.op(app, 'SetBladeOn', bladeId=1)
    assert app.chassis.to_dict()['blades']['1']['host_on'] is True

    control(app, 'POST', 'faults', {'kind': 'drop_mid_reply', 'count': 1})
    with pytest.raises(faults.ConnectionDrop):
        base.op(app, 'GetBladeState', bladeId=1)


def test_fault_rate_uses_the_random_source():
    injector = faults.FaultInjector(rng=random.Random(4))
    injector.add(faults.parse_fault({'kind': 'http500', 'rate': 0.5},
                                    ['GetBladeState']))
    fired = [injector.select('GetBladeState')[1] for _ in range(1000)]
    assert 400 < fired.count('http500') < 600


def test_reset_clears_faults(app):
    control(app, 'POST', 'faults', {'kind': 'http500'})
    control(app, 'POST', 'reset')
    assert base.op(app, 'GetBladeState', bladeId=1).status_code == 200


@pytest.mark.parametrize('role,allowed,refused', [
    ('user', ['GetBladeState', 'SetNextBoot', 'GetServiceVersion'],
     ['SetBladeAttentionLEDOn', 'SetBladeOn', 'StartBladeSerialSession']),
    ('operator', ['SetBladeAttentionLEDOn', 'SetBladePowerLimitOn'],
     ['SetPowerOff', 'SetBladeActivePowerCycle', 'ReceiveBladeSerialData']),
    ('admin', ['SetPowerOff', 'StopBladeSerialSession'], []),
])
def test_roles(role, allowed, refused):
    app, _ = base.make_app()
    app.role = operations.Role[role]
    for name in allowed:
        assert base.op(app, name, bladeId=1).status_code == 200, name
    for name in refused:
        reply = base.op(app, name, bladeId=1)
        assert reply.status_code == 400, name
        assert reply.headers['Content-Type'].startswith('text/html')
    app.forbidden_status = '403 Forbidden'
    for name in refused:
        assert base.op(app, name, bladeId=1).status_code == 403
