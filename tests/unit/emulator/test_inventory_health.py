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


"""Inventory and health operations."""

from tests.unit.emulator import base

ENVELOPE = ['completionCode', 'apiVersion', 'statusDescription']


def test_service_version(app):
    reply = base.op(app, 'GetServiceVersion')
    assert reply.children() == ENVELOPE + ['serviceVersion']
    assert reply.text('serviceVersion') == '2.5.0.0'


def test_blade_info_order_and_nics():
    app, _ = base.make_app({'macs': {'3': ['00:15:5d:0a:1b:2c', None]}})
    reply = base.op(app, 'GetBladeInfo', bladeId=3)
    assert reply.children() == ENVELOPE + [
        'bladeNumber', 'bladeType', 'serialNumber', 'assetTag',
        'firmwareVersion', 'hardwareVersion', 'macAddress']
    nics = list(reply.xml.find(base.NS + 'macAddress'))
    assert [reply.children(nic) for nic in nics] == [
        ENVELOPE + ['deviceId', 'macAddress']] * 2
    values = [(nic.find(base.NS + 'statusDescription').text,
               nic.find(base.NS + 'macAddress').text) for nic in nics]
    assert values == [(None, '00:15:5D:0A:1B:2C'), ('Not Present', None)]


def test_blade_info_of_an_empty_slot_and_a_jbod():
    app, _ = base.make_app({'empty_slots': [5], 'jbod_slots': [6]})
    reply = base.op(app, 'GetBladeInfo', bladeId=5)
    assert (reply.text('completionCode'), reply.text('bladeType')) == (
        'Timeout', '')
    reply = base.op(app, 'GetBladeInfo', bladeId=6)
    assert (reply.text('completionCode'), reply.text('bladeType')) == (
        'Success', 'Jbod')


def test_all_blades_info(app):
    reply = base.op(app, 'GetAllBladesInfo')
    entries = list(reply.xml.find(base.NS + 'bladeInfoResponseCollection'))
    assert [e.tag.replace(base.NS, '') for e in entries] == [
        'BladeInfoResponse'] * 24


def test_chassis_info_all_parts_by_default():
    app, _ = base.make_app({'empty_slots': [2]})
    base.op(app, 'SetBladeOn', bladeId=1)
    reply = base.op(app, 'GetChassisInfo')
    assert reply.children() == ENVELOPE + [
        'chassisController', 'psuCollections', 'bladeCollections',
        'batteryCollections']
    controller = reply.xml.find(base.NS + 'chassisController')
    assert reply.children(controller) == ENVELOPE + [
        'serialNumber', 'assetTag', 'firmwareVersion', 'hardwareVersion',
        'softwareVersion', 'systemUptime', 'networkProperties']
    blades = list(reply.xml.find(base.NS + 'bladeCollections'))
    assert len(blades) == 24
    assert reply.children(blades[0]) == ENVELOPE + [
        'bladeNumber', 'bladeGuid', 'bladeName', 'powerState',
        'bladeMacAddress']
    first, second = blades[:2]
    assert first.find(base.NS + 'powerState').text == 'ON'
    assert first.find(base.NS + 'bladeName').text == 'BLADE1'
    assert second.find(base.NS + 'bladeGuid').text == (
        '00000000-0000-0000-0000-000000000000')
    assert len(reply.xml.find(base.NS + 'psuCollections')) == 6


def test_chassis_info_only_the_requested_parts(app):
    reply = base.op(app, 'GetChassisInfo', bladeinfo='true')
    nil = reply.xml.find(base.NS + 'chassisController')
    assert nil.get('{http://www.w3.org/2001/XMLSchema-instance}nil') == 'true'
    assert len(reply.xml.find(base.NS + 'psuCollections')) == 0


def test_chassis_health_blade_shells():
    app, clock = base.make_app({'empty_slots': [2], 'jbod_slots': [3],
                                'slots': {'4': {'switch_on': False}}})
    base.op(app, 'SetPowerOff', bladeId=5)
    base.op(app, 'SetPowerOn', bladeId=5)
    reply = base.op(app, 'GetChassisHealth', bladeHealth='true')
    assert reply.children() == ENVELOPE + [
        'bladeShellCollection', 'fanInfoCollection', 'psuInfoCollection',
        'batteryInfoCollection']
    assert b'<fanInfoCollection/><psuInfoCollection/>' in reply.body
    shells = list(reply.xml.find(base.NS + 'bladeShellCollection'))
    assert len(shells) == 24
    assert reply.children(shells[0]) == ENVELOPE + [
        'bladeNumber', 'bladeType', 'bladeState']
    summary = [(s.find(base.NS + 'bladeType').text,
                s.find(base.NS + 'bladeState').text) for s in shells[:5]]
    # An empty slot, and a blade whose BMC has not answered since its
    # switch came on, have no known type.
    assert summary == [('Server', 'ON'), ('Unknown', 'ON'), ('Jbod', 'ON'),
                       ('Unknown', 'OFF'), ('Unknown', 'OnFwDecompress')]


def test_chassis_health_everything(app):
    reply = base.op(app, 'GetChassisHealth')
    fans = list(reply.xml.find(base.NS + 'fanInfoCollection'))
    assert reply.children(fans[0]) == ENVELOPE + [
        'fanId', 'isFanHealthy', 'fanSpeed']
    assert len(reply.xml.find(base.NS + 'psuInfoCollection')) == 6


def test_blade_health_default_parts(app):
    reply = base.op(app, 'GetBladeHealth', bladeId=1)
    assert reply.children() == ENVELOPE + [
        'bladeNumber', 'serialNumber', 'assetTag', 'hardwareVersion',
        'productType', 'bladeShell', 'processorInfo', 'memoryInfo',
        'pcieInfo', 'sensors', 'jbodInfo', 'jbodDiskInfo']
    cpus = list(reply.xml.find(base.NS + 'processorInfo'))
    assert reply.children(cpus[0]) == ENVELOPE + [
        'procId', 'procType', 'state', 'frequency']
    dimms = list(reply.xml.find(base.NS + 'memoryInfo'))
    assert reply.children(dimms[0]) == ENVELOPE + [
        'dimm', 'dimmType', 'status', 'speed', 'size', 'memVoltage']
    assert sum(int(d.find(base.NS + 'size').text) for d in dimms) == 131072
    pcie = list(reply.xml.find(base.NS + 'pcieInfo'))
    assert reply.children(pcie[0]) == ENVELOPE + [
        'pcieNumber', 'vendorId', 'deviceId', 'subSystemId', 'status']
    # Only temperature sensors without sensorInfo.
    sensors = list(reply.xml.find(base.NS + 'sensors'))
    assert {s.find(base.NS + 'sensorType').text for s in sensors} == {
        'Temperature'}
    assert reply.text('serialNumber') == 'EMU0103230101'


def test_blade_health_sensors_only(app):
    reply = base.op(app, 'GetBladeHealth', bladeId=1, sensorInfo='true')
    sensors = list(reply.xml.find(base.NS + 'sensors'))
    assert reply.children(sensors[0]) == ENVELOPE + [
        'sensorNumber', 'sensorType', 'status', 'entityId', 'entityInstance',
        'entityType', 'reading', 'description']
    assert len(sensors) == 4
    assert len(reply.xml.find(base.NS + 'processorInfo')) == 0
    assert reply.text('serialNumber') == ''


def test_blade_health_of_a_jbod_and_of_an_off_blade():
    app, _ = base.make_app({'jbod_slots': [2],
                            'slots': {'3': {'switch_on': False}}})
    reply = base.op(app, 'GetBladeHealth', bladeId=2)
    assert reply.text('completionCode') == 'Success'
    disks = reply.xml.find(base.NS + 'jbodDiskInfo')
    assert reply.children(disks) == ENVELOPE + [
        'channel', 'diskCount', 'diskInfo']
    reply = base.op(app, 'GetBladeHealth', bladeId=3)
    assert reply.text('completionCode') == 'DevicePoweredOff'
    assert reply.children()[-2:] == ['jbodInfo', 'jbodDiskInfo']
