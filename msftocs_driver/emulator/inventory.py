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


"""Static inventory of the emulated hardware: FRU, CPUs, DIMMs, PCIe.

Values are deterministic per slot so that tests and inspection can rely on
them: two Haswell CPUs, 8 DDR4 DIMMs of 16 GiB (sizes in MB, as the CM
reports them), two PCIe devices and a few sensors per server blade.
"""

import uuid

from msftocs_driver.ocs import constants

CHASSIS_SERIAL = 'EMUCHASSIS0001'
CHASSIS_FIRMWARE = '2.5.0.0'
CHASSIS_HARDWARE = 'CM-EMU-1'
BLADE_FIRMWARE = '03.05.09'
BLADE_HARDWARE = 'C1030Q'
PRODUCT_TYPE = 'OCS Blade (emulated)'
JBOD_PRODUCT_TYPE = 'OCS JBOD (emulated)'
CPU_COUNT = 2
CPU_TYPE = 'IntelHaswell'
CPU_MHZ = 2400
DIMM_COUNT = 8
DIMM_TYPE = 'DDR4'
DIMM_MB = 16384
DIMM_MHZ = 2133
DIMM_VOLTAGE = '1.2V'
PSU_COUNT = 6
FAN_COUNT = 6
_GUID_NAMESPACE = uuid.UUID('7b0a0c3e-5ad9-4c61-9d42-0c5f4e6f0b11')


def blade_serial(blade_id):
    """Baseboard serial number of a slot."""
    return 'EMU%02d%08d' % (blade_id, 3230100 + blade_id)


def blade_guid(blade_id):
    """IPMI system GUID of a slot (lowercase, as the CM writes Guids)."""
    return str(uuid.uuid5(_GUID_NAMESPACE, 'blade-%d' % blade_id))


def blade_fru(blade_id, blade_type):
    """FRU fields of a blade.

    :returns: dict with serial_number, asset_tag, firmware_version,
        hardware_version and product_type.
    """
    return {
        'serial_number': blade_serial(blade_id),
        'asset_tag': '',
        'firmware_version': BLADE_FIRMWARE,
        'hardware_version': BLADE_HARDWARE,
        'product_type': (JBOD_PRODUCT_TYPE if blade_type is
                         constants.BladeType.Jbod else PRODUCT_TYPE),
    }


def processors():
    """``(procId, procType, state, frequency MHz)`` of each CPU."""
    return [(i, CPU_TYPE, 'Present', CPU_MHZ)
            for i in range(1, CPU_COUNT + 1)]


def memory():
    """``(dimm, dimmType, status, speed MHz, size MB, voltage)`` per DIMM."""
    return [(i, DIMM_TYPE, 'Ok', DIMM_MHZ, DIMM_MB, DIMM_VOLTAGE)
            for i in range(1, DIMM_COUNT + 1)]


def pcie_devices():
    """``(number, vendorId, deviceId, subSystemId, status)`` per slot."""
    return [(1, '0x15B3', '0x1003', '0x0050', 'Present'),
            (2, '0x8086', '0x0953', '0x3702', 'Present'),
            (3, '', '', '', 'NotPresent')]


def sensors(host_on, watts):
    """The blade's sensors as tuples in SensorInfo member order.

    Each is ``(number, type, status, entityId, entityInstance,
    entityType, reading, description)``.

    :param host_on: whether the host runs (readings depend on it).
    :param watts: present power reading.
    """
    cpu_temp = '48' if host_on else '25'
    return [
        (1, 'Temperature', 'ok', '0x07', '0x01', 'System Board', '24',
         'Inlet Temp'),
        (2, 'Temperature', 'ok', '0x03', '0x01', 'Processor', cpu_temp,
         'CPU0 Temp'),
        (3, 'Temperature', 'ok', '0x03', '0x02', 'Processor', cpu_temp,
         'CPU1 Temp'),
        (4, 'Current', 'ok', '0x15', '0x01', 'Power Unit',
         '%g' % watts, 'Blade Power'),
    ]
