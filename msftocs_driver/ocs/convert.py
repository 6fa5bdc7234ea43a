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

"""Conversion of parsed chassis-manager replies into result models.

Each function takes a :class:`~msftocs_driver.ocs.responses.Reply` whose
envelope was already checked and returns a model of
:mod:`msftocs_driver.ocs.models`.
"""

from msftocs_driver.ocs import constants
from msftocs_driver.ocs import models

#: statusDescription of a NicInfo for a NIC that is not there.
_NIC_NOT_PRESENT = 'not present'


def blade_type(reply, name='bladeType'):
    """A blade type string: ``None`` when empty or nil (empty slot)."""
    value = reply.text(name, required=False)
    if not value:
        return None
    return reply.enum(name, constants.BladeType)


def power_state_info(reply, blade_id):
    """GetPowerState: the Blade_EN switch of one blade."""
    return models.PowerStateInfo(
        blade_id=blade_id,
        state=reply.enum('powerState', constants.PowerState),
        decompression_seconds=reply.integer('Decompression'),
        description=reply.text('statusDescription', required=False) or '')


def blade_state(reply, blade_id):
    """GetBladeState: the host power state reported by the BMC."""
    return reply.enum('bladeState', constants.PowerState)


def nic_info(reply):
    """One NicInfo; the MAC is ``None`` for an absent NIC."""
    code, description = reply.completion()
    mac = reply.text('macAddress', required=False)
    if (code is not constants.CompletionCode.Success
            or description.strip().lower() == _NIC_NOT_PRESENT):
        mac = None
    return models.NicInfo(device_id=reply.integer('deviceId'),
                          mac_address=mac or None)


def blade_info(reply, blade_id):
    """GetBladeInfo: inventory of one blade."""
    return models.BladeInfo(
        blade_id=blade_id,
        blade_type=blade_type(reply),
        serial_number=reply.text('serialNumber', required=False),
        asset_tag=reply.text('assetTag', required=False),
        firmware_version=reply.text('firmwareVersion', required=False),
        hardware_version=reply.text('hardwareVersion', required=False),
        nics=tuple(nic_info(item) for item in reply.items('macAddress')))


def power_reading(reply, blade_id):
    """GetBladePowerReading: present power draw in watts."""
    return models.PowerReading(blade_id=blade_id,
                               watts=reply.number('powerReading'))


def power_limit(reply, blade_id):
    """GetBladePowerLimit: limit in watts and whether it is active."""
    return models.PowerLimit(
        blade_id=blade_id, watts=reply.number('powerLimit'),
        active=reply.boolean('isPowerLimitActive', required=False))


def _processor(item):
    return models.ProcessorInfo(
        proc_id=item.integer('procId'),
        proc_type=item.text('procType', required=False),
        state=item.text('state', required=False),
        frequency_mhz=item.integer('frequency'))


def _memory(item):
    return models.MemoryInfo(
        dimm=item.integer('dimm'),
        dimm_type=item.text('dimmType', required=False),
        status=item.text('status', required=False),
        speed_mhz=item.integer('speed'),
        size_mb=item.integer('size'),
        voltage=item.text('memVoltage', required=False))


def _pcie(item):
    return models.PcieInfo(
        number=item.integer('pcieNumber'),
        vendor_id=item.text('vendorId', required=False),
        device_id=item.text('deviceId', required=False),
        subsystem_id=item.text('subSystemId', required=False),
        status=item.text('status', required=False))


def _sensor(item):
    return models.SensorInfo(
        number=item.integer('sensorNumber'),
        sensor_type=item.text('sensorType', required=False),
        status=item.text('status', required=False),
        entity=item.text('entityId', required=False),
        entity_instance=item.text('entityInstance', required=False),
        reading=item.text('reading', required=False),
        description=item.text('description', required=False))


def blade_health(reply, blade_id):
    """GetBladeHealth: hardware inventory and sensors of one blade."""
    shell = reply.child('bladeShell')
    if shell is None:
        raise reply.error('element bladeShell is missing')
    shell.check_blade_number()
    return models.BladeHealth(
        blade_id=blade_id,
        serial_number=reply.text('serialNumber', required=False),
        asset_tag=reply.text('assetTag', required=False),
        hardware_version=reply.text('hardwareVersion', required=False),
        product_type=reply.text('productType', required=False),
        blade_type=blade_type(shell),
        blade_state=shell.enum('bladeState', constants.PowerState),
        processors=tuple(_processor(i) for i in reply.items('processorInfo')),
        memory=tuple(_memory(i) for i in reply.items('memoryInfo')),
        pcie=tuple(_pcie(i) for i in reply.items('pcieInfo')),
        sensors=tuple(_sensor(i) for i in reply.items('sensors')))


def chassis_blade(item):
    """One entry of GetChassisInfo's ``bladeCollections``."""
    macs = (nic_info(nic).mac_address
            for nic in item.items('bladeMacAddress'))
    return models.ChassisBladeInfo(
        blade_id=item.integer('bladeNumber'),
        guid=item.text('bladeGuid', required=False),
        name=item.text('bladeName', required=False),
        power_state=item.enum('powerState', constants.PowerState),
        mac_addresses=tuple(mac for mac in macs if mac))


def chassis_info(reply):
    """GetChassisInfo: chassis controller inventory and blade list."""
    controller = reply.child('chassisController')
    if controller is None:
        raise reply.error('element chassisController is missing')
    return models.ChassisInfo(
        serial_number=controller.text('serialNumber', required=False),
        asset_tag=controller.text('assetTag', required=False),
        firmware_version=controller.text('firmwareVersion', required=False),
        hardware_version=controller.text('hardwareVersion', required=False),
        software_version=controller.text('softwareVersion', required=False),
        system_uptime=controller.text('systemUptime', required=False),
        blades=tuple(chassis_blade(item)
                     for item in reply.items('bladeCollections')))


def chassis_health(reply):
    """GetChassisHealth (blades only): type and Blade_EN state per slot."""
    shells = tuple(
        models.BladeShell(
            blade_id=item.integer('bladeNumber'),
            blade_type=item.enum('bladeType', constants.BladeType),
            state=item.enum('bladeState', constants.PowerState))
        for item in reply.items('bladeShellCollection'))
    if not shells:
        raise reply.error('element bladeShellCollection lists no blade')
    return models.ChassisHealth(blades=shells)
