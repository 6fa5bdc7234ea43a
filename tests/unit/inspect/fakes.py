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

"""Chassis-manager results and driver_info shared by the unit tests."""

from msftocs_driver.ocs import constants
from msftocs_driver.ocs import models

PASSWORD = 'not-a-real-secret-4711'

DRIVER_INFO = {
    'msftocs_base_url': 'https://cm01.example.org:8000',
    'msftocs_blade_id': 3,
    'msftocs_username': 'admin',
    'msftocs_password': PASSWORD,
}

MAC_1 = '00:15:5D:0A:1B:2C'
MAC_2 = '00:15:5D:0A:1B:2D'


def blade_info(blade_type=constants.BladeType.Server, macs=(MAC_1, None),
               asset_tag='RACK7-U12'):
    """A GetBladeInfo result for blade 3; ``None`` MACs are absent NICs."""
    return models.BladeInfo(
        blade_id=3, blade_type=blade_type, serial_number='QTFCTM3230105',
        asset_tag=asset_tag, firmware_version='03.05.09',
        hardware_version='C1030Q',
        nics=tuple(models.NicInfo(device_id=index, mac_address=mac)
                   for index, mac in enumerate(macs, start=1)))


def blade_health(processor_states=('Present', 'Present'),
                 dimms=(('Ok', 16384), ('SingleBitError', 16384),
                        ('NotPresent', 0)),
                 asset_tag='RACK7-U12'):
    """A GetBladeHealth result for blade 3.

    :param processor_states: ``state`` of each processor socket.
    :param dimms: ``(status, size_mb)`` of each DIMM slot.
    :param asset_tag: the FRU asset tag.
    """
    processors = tuple(
        models.ProcessorInfo(proc_id=index, proc_type='IntelHaswell',
                             state=state, frequency_mhz=2300)
        for index, state in enumerate(processor_states, start=1))
    memory = tuple(
        models.MemoryInfo(dimm=index,
                          dimm_type='NotPresent' if status == 'NotPresent'
                          else 'DDR4',
                          status=status, speed_mhz=2133, size_mb=size,
                          voltage='1.2')
        for index, (status, size) in enumerate(dimms, start=1))
    return models.BladeHealth(
        blade_id=3, serial_number='QTFCTM3230105', asset_tag=asset_tag,
        hardware_version='C1030Q', product_type='C2010',
        blade_type=constants.BladeType.Server,
        blade_state=constants.PowerState.ON, processors=processors,
        memory=memory, pcie=(), sensors=())
