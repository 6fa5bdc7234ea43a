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


"""Inventory operations: service version, blade and chassis information.

GetChassisInfo runs ApiGreenSignalling itself on a v2.0 CM, once, before
anything else; refused, it answers SerialSessionActive with no content
(reference 8.3). Its blade entries and GetBladeInfo go through the usual
blade validation, which runs it per blade.
"""

from msftocs_driver.emulator import inventory
from msftocs_driver.emulator.operations import common
from msftocs_driver.emulator.operations.common import blade_operation
from msftocs_driver.emulator.operations.common import operation
from msftocs_driver.emulator.operations.common import Role
from msftocs_driver.emulator import xmlout
from msftocs_driver.ocs import constants

CODE = constants.CompletionCode
_NULL_GUID = '00000000-0000-0000-0000-000000000000'
_PSU_WATTS = 400


@operation('GetServiceVersion', Role.user)
def get_service_version(chassis, params):
    return 'ServiceVersionResponse', common.envelope(common.SUCCESS) + [
        ('serviceVersion', chassis.profile.service_version)]


def _nics(blade):
    """NicInfo entries, one per NIC slot of the blade.

    A JBOD has no NICs to read: each entry carries the failed read's code
    (ChassisManager.cs v2.5 lists them anyway; the code being Failure, the
    mapping of the BMC's refusal, is an inference).
    """
    if blade.blade_type is constants.BladeType.Jbod:
        return xmlout.Items('NicInfo', [
            common.envelope(*common.BMC_FAILURE)
            + [('deviceId', device_id), ('macAddress', '')]
            for device_id in range(1, len(blade.macs) + 1)])
    entries = []
    for device_id, mac in enumerate(blade.macs, start=1):
        if mac is None:
            entries.append(common.envelope(common.SUCCESS, 'Not Present')
                           + [('deviceId', device_id), ('macAddress', '')])
        else:
            entries.append(common.envelope(common.SUCCESS)
                           + [('deviceId', device_id), ('macAddress', mac)])
    return xmlout.Items('NicInfo', entries)


def _blade_info(chassis, blade_id, params):
    # JBODs answer GetBladeInfo (reference 9).
    with common.bmc_call(chassis, blade_id, allow_jbod=True) as call:
        if call.ok:
            blade = call.blade
            fru = inventory.blade_fru(blade_id, blade.blade_type)
            body = [('bladeType', blade.blade_type.value),
                    ('serialNumber', fru['serial_number']),
                    ('assetTag', fru['asset_tag']),
                    ('firmwareVersion', fru['firmware_version']),
                    ('hardwareVersion', fru['hardware_version']),
                    ('macAddress', _nics(blade))]
        else:
            # Returned early: the contract's String.Empty defaults remain.
            body = [('bladeType', ''), ('serialNumber', ''), ('assetTag', ''),
                    ('firmwareVersion', ''), ('hardwareVersion', ''),
                    ('macAddress', xmlout.Items('NicInfo', []))]
    return common.blade_envelope(call.code, call.description, blade_id) + body


# GetAllBladesInfoResponse has no [DataContract]: serialised as a POCO,
# with the same element names (reference 3).
blade_operation('GetBladeInfo', Role.user, _blade_info,
                root='BladeInfoResponse', all_name='GetAllBladesInfo',
                all_root='GetAllBladesInfoResponse',
                collection='bladeInfoResponseCollection')


def _chassis_blade(chassis, blade_id):
    """A BladeInfo entry of GetChassisInfo (GetBladeState per slot)."""
    with common.bmc_call(chassis, blade_id) as call:
        if call.ok:
            blade = call.blade
            guid = inventory.blade_guid(blade_id)
            state = (constants.PowerState.ON if blade.host_on
                     else constants.PowerState.OFF)
            nics = _nics(blade)
        else:
            # One NicInfo carrying the failure's code, deviceId 0
            # (ChassisManager.cs v2.5).
            guid, state = _NULL_GUID, constants.PowerState.NA
            nics = xmlout.Items('NicInfo', [
                common.envelope(call.code, call.description)
                + [('deviceId', 0), ('macAddress', '')]])
    return common.blade_envelope(call.code, call.description, blade_id) + [
        ('bladeGuid', guid), ('bladeName', 'BLADE%d' % blade_id),
        ('powerState', state), ('bladeMacAddress', nics)]


def _uptime(seconds):
    """Format seconds like .NET's TimeSpan: ``[d.]hh:mm:ss[.fffffff]``.

    The CM writes the uptime of its process, so the fraction (in 100 ns
    ticks, omitted when zero) is nearly always there (the format is
    TimeSpan's default, an inference).
    """
    ticks = int(round(seconds * 10 ** 7))
    whole, fraction = divmod(ticks, 10 ** 7)
    days, rest = divmod(whole, 86400)
    text = '%02d:%02d:%02d' % (rest // 3600, rest % 3600 // 60, rest % 60)
    if fraction:
        text += '.%07d' % fraction
    return '%d.%s' % (days, text) if days else text


def _chassis_controller(chassis):
    network = common.envelope(common.SUCCESS) + [
        ('chassisNetworkPropertyCollection', xmlout.Items(
            'ChassisNetworkProperty', [common.envelope(common.SUCCESS) + [
                ('macAddress', '00:15:5D:0A:00:01'),
                ('ipAddress', '127.0.0.1'), ('subnetMask', '255.0.0.0'),
                ('gatewayAddress', ''), ('dnsAddress', ''),
                ('dhcpServer', ''), ('dnsDomain', ''),
                ('dnsHostName', 'msftocs-emulator'),
                ('dhcpEnabled', False)]]))]
    return xmlout.Struct(common.envelope(common.SUCCESS) + [
        ('serialNumber', inventory.CHASSIS_SERIAL), ('assetTag', ''),
        ('firmwareVersion', inventory.CHASSIS_FIRMWARE),
        ('hardwareVersion', inventory.CHASSIS_HARDWARE),
        ('softwareVersion', chassis.profile.service_version),
        ('systemUptime', _uptime(chassis.clock() - chassis.started)),
        ('networkProperties', xmlout.Struct(network))])


def psu_entries():
    """PsuInfo entries of the emulated chassis (all healthy)."""
    return [common.envelope(common.SUCCESS) + [
        ('id', psu), ('serialNumber', 'EMUPSU%04d' % psu),
        ('state', constants.PowerState.ON), ('powerOut', _PSU_WATTS)]
        for psu in range(1, inventory.PSU_COUNT + 1)]


@operation('GetChassisInfo', Role.user)
def get_chassis_info(chassis, params):
    parts = common.requested_parts(params, (
        'bladeInfo', 'psuInfo', 'chassisControllerInfo', 'batteryInfo'))
    refused = chassis.green_signal()
    if refused:
        return 'ChassisInfoResponse', common.envelope(*refused) + [
            ('chassisController', None),
            ('psuCollections', xmlout.Items('PsuInfo', [])),
            ('bladeCollections', xmlout.Items('BladeInfo', [])),
            ('batteryCollections', xmlout.Items('BatteryInfo', []))]
    blades = []
    if parts['bladeInfo']:
        blades = [_chassis_blade(chassis, blade_id)
                  for blade_id in range(1, chassis.population + 1)]
    return 'ChassisInfoResponse', common.envelope(common.SUCCESS) + [
        ('chassisController',
         _chassis_controller(chassis) if parts['chassisControllerInfo']
         else None),
        ('psuCollections', xmlout.Items(
            'PsuInfo', psu_entries() if parts['psuInfo'] else [])),
        ('bladeCollections', xmlout.Items('BladeInfo', blades)),
        # The emulated chassis has no battery backup units.
        ('batteryCollections', xmlout.Items('BatteryInfo', []))]
