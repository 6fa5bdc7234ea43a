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


"""Power restore policy: what the host does when Blade_EN turns on.

``SetBladeDefaultPowerState{On,Off}`` set the BMC's IPMI power restore
policy (AlwaysPowerUp / StayOff), read back by
``GetBladeDefaultPowerState`` (reference 6.1).
"""

from msftocs_driver.emulator.operations import common
from msftocs_driver.emulator.operations.registry import operation
from msftocs_driver.emulator.operations.registry import Role
from msftocs_driver.ocs import constants

STATE = constants.PowerState


def _set_policy(chassis, blade_id, on):
    with common.bmc_call(chassis, blade_id, allow_jbod=True) as call:
        if call.ok:
            call.blade.power_restore_on = on
    return common.blade_envelope(call.code, call.description, blade_id)


def _get_policy(chassis, blade_id):
    with common.bmc_call(chassis, blade_id, allow_jbod=True) as call:
        if not call.ok:
            state = STATE.NA
        else:
            state = STATE.ON if call.blade.power_restore_on else STATE.OFF
    return common.blade_envelope(call.code, call.description, blade_id) + [
        ('bladeState', state)]


@operation('SetBladeDefaultPowerStateOn', Role.operator)
def set_blade_default_power_state_on(chassis, params):
    return 'BladeResponse', _set_policy(chassis, params.int('bladeId'), True)


@operation('SetBladeDefaultPowerStateOff', Role.operator)
def set_blade_default_power_state_off(chassis, params):
    return 'BladeResponse', _set_policy(chassis, params.int('bladeId'), False)


@operation('SetAllBladesDefaultPowerStateOn', Role.operator)
def set_all_blades_default_power_state_on(chassis, params):
    return 'AllBladesResponse', common.all_blades(
        chassis, 'bladeResponseCollection', 'BladeResponse',
        lambda c, blade_id: _set_policy(c, blade_id, True))


@operation('SetAllBladesDefaultPowerStateOff', Role.operator)
def set_all_blades_default_power_state_off(chassis, params):
    return 'AllBladesResponse', common.all_blades(
        chassis, 'bladeResponseCollection', 'BladeResponse',
        lambda c, blade_id: _set_policy(c, blade_id, False))


@operation('GetBladeDefaultPowerState', Role.user)
def get_blade_default_power_state(chassis, params):
    return 'BladeStateResponse', _get_policy(chassis, params.int('bladeId'))


@operation('GetAllBladesDefaultPowerState', Role.user)
def get_all_blades_default_power_state(chassis, params):
    return 'GetAllBladesStateResponse', common.all_blades(
        chassis, 'bladeStateResponseCollection', 'BladeStateResponse',
        _get_policy)
