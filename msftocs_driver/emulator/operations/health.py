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


"""Health operations: GetChassisHealth and GetBladeHealth (reference 6.3)."""

from msftocs_driver.emulator import inventory
from msftocs_driver.emulator.operations import common
from msftocs_driver.emulator.operations.common import operation
from msftocs_driver.emulator.operations.common import Role
from msftocs_driver.emulator.operations import inventory as inventory_ops
from msftocs_driver.emulator import xmlout
from msftocs_driver.ocs import constants

_FAN_RPM = 4200
_JBOD_DISKS = 10


def _shell(blade, now):
    """BladeShellResponse members: cached type and Blade_EN state."""
    return common.blade_envelope(common.SUCCESS, '', blade.blade_id) + [
        ('bladeType', blade.cached_type.value),
        ('bladeState', blade.switch_state(now).name)]


@operation('GetChassisHealth', Role.user)
def get_chassis_health(chassis, params):
    parts = common.requested_parts(
        params, ('bladeHealth', 'psuHealth', 'fanHealth', 'batteryHealth'))
    shells, fans = [], []
    if parts['bladeHealth']:
        # Cached state only: no BMC traffic, hence cheap.
        with chassis.lock:
            now = chassis.clock()
            shells = [_shell(chassis.blade(i), now)
                      for i in range(1, chassis.population + 1)]
    if parts['fanHealth']:
        fans = [common.envelope(common.SUCCESS) + [
            ('fanId', fan), ('isFanHealthy', True), ('fanSpeed', _FAN_RPM)]
            for fan in range(1, inventory.FAN_COUNT + 1)]
    psus = inventory_ops.psu_entries() if parts['psuHealth'] else []
    return 'ChassisHealthResponse', common.envelope(common.SUCCESS) + [
        ('bladeShellCollection', xmlout.Items('BladeShellResponse', shells)),
        ('fanInfoCollection', xmlout.Items('FanInfo', fans)),
        ('psuInfoCollection', xmlout.Items('PsuInfo', psus)),
        # The emulated chassis has no battery backup units.
        ('batteryInfoCollection', xmlout.Items('BatteryInfo', []))]


def _hardware(blade, flags):
    """processorInfo, memoryInfo, pcieInfo and sensors of a server."""
    ok = common.envelope(common.SUCCESS)
    cpus = mems = pcie = sensors = ()
    if flags['cpuInfo']:
        cpus = [ok + list(zip(('procId', 'procType', 'state', 'frequency'),
                              cpu)) for cpu in inventory.processors()]
    faults = blade.records
    if flags['memInfo']:
        mems = [ok + list(zip(('dimm', 'dimmType', 'status', 'speed', 'size',
                               'memVoltage'),
                              _with_status(dimm, faults.dimm_status)))
                for dimm in inventory.memory()]
    if flags['pcieInfo']:
        pcie = [ok + list(zip(('pcieNumber', 'vendorId', 'deviceId',
                               'subSystemId', 'status'), device))
                for device in inventory.pcie_devices()]
    if flags['sensorInfo'] or flags['temp']:
        sensors = [ok + list(zip(
            ('sensorNumber', 'sensorType', 'status', 'entityId',
             'entityInstance', 'entityType', 'reading', 'description'),
            _with_status(sensor, faults.sensor_status)))
            for sensor in inventory.sensors(blade.host_on,
                                            blade.power_reading())
            if flags['sensorInfo'] or sensor[1] == 'Temperature']
    return [('processorInfo', xmlout.Items('ProcessorInfo', cpus)),
            ('memoryInfo', xmlout.Items('MemoryInfo', mems)),
            ('pcieInfo', xmlout.Items('PCIeInfo', pcie)),
            ('sensors', xmlout.Items('SensorInfo', sensors))]


def _with_status(item, statuses):
    """An inventory tuple with the status a test set for it, if any."""
    status = statuses.get(item[0])
    return item if status is None else item[:2] + (status,) + item[3:]


def _jbod(flags):
    """jbodInfo and jbodDiskInfo of a JBOD."""
    ok = common.envelope(common.SUCCESS)
    disks = []
    if flags['diskInfo']:
        disks = [ok + [('diskId', disk), ('diskStatus', 'Normal')]
                 for disk in range(1, _JBOD_DISKS + 1)]
    info = ok + [('unit', 'Celsius'), ('reading', '30')]
    status = ok + [('channel', 0), ('diskCount', len(disks)),
                   ('diskInfo', xmlout.Items('DiskInfo', disks))]
    return [('jbodInfo', xmlout.Struct(info) if flags['temp'] else None),
            ('jbodDiskInfo', xmlout.Struct(status) if disks else None)]


_HEALTH_FLAGS = ('cpuInfo', 'memInfo', 'diskInfo', 'pcieInfo', 'sensorInfo',
                 'temp', 'fruInfo')
_NO_HARDWARE = [('processorInfo', xmlout.EMPTY), ('memoryInfo', xmlout.EMPTY),
                ('pcieInfo', xmlout.EMPTY), ('sensors', xmlout.EMPTY)]
# A failed call keeps the contract's defaults: empty strings and lists, a
# default BladeShellResponse, no JBOD objects.
_NOT_READ = [
    ('serialNumber', ''), ('assetTag', ''), ('hardwareVersion', ''),
    ('productType', ''),
    ('bladeShell', xmlout.Struct(common.blade_envelope(
        constants.CompletionCode.Unknown, '', 0) + [
        ('bladeType', ''), ('bladeState', '')]))
] + _NO_HARDWARE + [('jbodInfo', None), ('jbodDiskInfo', None)]


def _health(blade, flags, now):
    fru = inventory.blade_fru(blade.blade_id, blade.blade_type)
    if not flags['fruInfo']:
        fru = dict.fromkeys(fru, '')
    fields = [('serialNumber', fru['serial_number']),
              ('assetTag', fru['asset_tag']),
              ('hardwareVersion', fru['hardware_version']),
              ('productType', fru['product_type']),
              ('bladeShell', xmlout.Struct(_shell(blade, now)))]
    if blade.blade_type is constants.BladeType.Jbod:
        return fields + _NO_HARDWARE + _jbod(flags)
    return fields + _hardware(blade, flags) + [('jbodInfo', None),
                                               ('jbodDiskInfo', None)]


@operation('GetBladeHealth', Role.user)
def get_blade_health(chassis, params):
    blade_id = params.int('bladeId')
    # By default everything but the slow sensor readings (reference 6.3).
    flags = common.requested_parts(params, _HEALTH_FLAGS,
                                   default_off=('sensorInfo',))
    # A BMC that does not answer: Timeout with an empty statusDescription
    # (ChassisManager.cs v2.5).
    with common.bmc_call(chassis, blade_id, allow_jbod=True,
                         unreachable=(constants.CompletionCode.Timeout, '')
                         ) as call:
        fields = (_health(call.blade, flags, chassis.clock()) if call.ok
                  else _NOT_READ)
    return 'BladeHealthResponse', common.blade_envelope(
        call.code, call.description, blade_id) + fields
