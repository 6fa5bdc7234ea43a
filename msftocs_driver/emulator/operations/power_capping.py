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


"""Power reading and power limit (DCMI) operations (reference 6.3)."""

from msftocs_driver.emulator.operations import common
from msftocs_driver.emulator.operations.registry import operation
from msftocs_driver.emulator.operations.registry import Role
from msftocs_driver.ocs import constants

CODE = constants.CompletionCode


def _reading(chassis, blade_id):
    with common.bmc_call(chassis, blade_id) as call:
        watts = call.blade.power_reading() if call.ok else -1.0
    return common.blade_envelope(call.code, call.description, blade_id) + [
        ('powerReading', watts)]


@operation('GetBladePowerReading', Role.user)
def get_blade_power_reading(chassis, params):
    return 'BladePowerReadingResponse', _reading(chassis,
                                                 params.int('bladeId'))


@operation('GetAllBladesPowerReading', Role.user)
def get_all_blades_power_reading(chassis, params):
    return 'GetAllBladesPowerReadingResponse', common.all_blades(
        chassis, 'bladePowerReadingCollection', 'BladePowerReadingResponse',
        _reading)


def _limit(chassis, blade_id):
    with common.bmc_call(chassis, blade_id) as call:
        if call.ok:
            active = call.blade.power_limit_active
            watts = call.blade.power_limit
        else:
            active, watts = False, -1.0
    # Unordered DataMembers are sorted ordinally: isPowerLimitActive first.
    return common.blade_envelope(call.code, call.description, blade_id) + [
        ('isPowerLimitActive', active), ('powerLimit', watts)]


@operation('GetBladePowerLimit', Role.user)
def get_blade_power_limit(chassis, params):
    return 'BladePowerLimitResponse', _limit(chassis, params.int('bladeId'))


@operation('GetAllBladesPowerLimit', Role.user)
def get_all_blades_power_limit(chassis, params):
    return 'GetAllBladesPowerLimitResponse', common.all_blades(
        chassis, 'bladePowerLimitCollection', 'BladePowerLimitResponse',
        _limit)


def _set_limit(chassis, blade_id, watts):
    with common.bmc_call(chassis, blade_id) as call:
        if call.ok and not (constants.MIN_POWER_LIMIT_WATTS <= watts
                            <= constants.MAX_POWER_LIMIT_WATTS):
            call.code = CODE.ParameterOutOfRange
            call.description = CODE.ParameterOutOfRange.name
        elif call.ok:
            call.blade.power_limit = watts
    return common.blade_envelope(call.code, call.description, blade_id)


@operation('SetBladePowerLimit', Role.operator)
def set_blade_power_limit(chassis, params):
    return 'BladeResponse', _set_limit(
        chassis, params.int('bladeId'), params.double('powerLimitInWatts'))


@operation('SetAllBladesPowerLimit', Role.operator)
def set_all_blades_power_limit(chassis, params):
    watts = params.double('powerLimitInWatts')
    return 'AllBladesResponse', common.all_blades(
        chassis, 'bladeResponseCollection', 'BladeResponse',
        lambda c, blade_id: _set_limit(c, blade_id, watts))


def _activate(chassis, blade_id, active):
    with common.bmc_call(chassis, blade_id) as call:
        if call.ok:
            call.blade.power_limit_active = active
    return common.blade_envelope(call.code, call.description, blade_id)


@operation('SetBladePowerLimitOn', Role.operator)
def set_blade_power_limit_on(chassis, params):
    return 'BladeResponse', _activate(chassis, params.int('bladeId'), True)


@operation('SetBladePowerLimitOff', Role.operator)
def set_blade_power_limit_off(chassis, params):
    return 'BladeResponse', _activate(chassis, params.int('bladeId'), False)


@operation('SetAllBladesPowerLimitOn', Role.operator)
def set_all_blades_power_limit_on(chassis, params):
    return 'AllBladesResponse', common.all_blades(
        chassis, 'bladeResponseCollection', 'BladeResponse',
        lambda c, blade_id: _activate(c, blade_id, True))


@operation('SetAllBladesPowerLimitOff', Role.operator)
def set_all_blades_power_limit_off(chassis, params):
    return 'AllBladesResponse', common.all_blades(
        chassis, 'bladeResponseCollection', 'BladeResponse',
        lambda c, blade_id: _activate(c, blade_id, False))
