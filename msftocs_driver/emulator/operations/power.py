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


"""Power operations: the Blade_EN switch and host power (reference 6.1)."""

from msftocs_driver.emulator.operations import common
from msftocs_driver.emulator.operations.registry import operation
from msftocs_driver.emulator.operations.registry import Role
from msftocs_driver.ocs import constants

CODE = constants.CompletionCode
STATE = constants.PowerState


# Blade_EN switch: a GPIO on the chassis side bus, not the BMC. These calls
# run no blade validation and work on empty slots, JBODs and dead BMCs.

def _power_state(chassis, blade_id):
    if not chassis.valid_id(blade_id):
        return common.blade_envelope(
            CODE.ParameterOutOfRange, CODE.ParameterOutOfRange.name,
            blade_id) + [('Decompression', 0), ('powerState', STATE.NA)]
    with chassis.lock:
        blade = chassis.blade(blade_id)
        now = chassis.clock()
        state = blade.switch_state(now)
        remaining = blade.decompression_remaining(now)
    if state is STATE.OFF:
        text = 'Blade power is Off'
    elif state is STATE.OnFwDecompress:
        text = 'Blade On.  Firmware Decompression Time Remaining: %d' % (
            remaining)
    else:
        text = 'Blade Power is On, firmware decompressed'
    return common.blade_envelope(common.SUCCESS, text, blade_id) + [
        ('Decompression', remaining), ('powerState', state)]


@operation('GetPowerState', Role.user)
def get_power_state(chassis, params):
    return 'PowerStateResponse', _power_state(chassis, params.int('bladeId'))


@operation('GetAllPowerState', Role.user)
def get_all_power_state(chassis, params):
    return 'GetAllPowerStateResponse', common.all_blades(
        chassis, 'powerStateResponseCollection', 'PowerStateResponse',
        _power_state)


def _switch(chassis, blade_id, on):
    if not chassis.valid_id(blade_id):
        return common.blade_envelope(
            CODE.ParameterOutOfRange, CODE.ParameterOutOfRange.name, blade_id)
    if on:
        chassis.switch_power_on(blade_id)
    else:
        chassis.switch_power_off(blade_id)
    return common.blade_envelope(common.SUCCESS, '', blade_id)


@operation('SetPowerOn', Role.admin)
def set_power_on(chassis, params):
    return 'BladeResponse', _switch(chassis, params.int('bladeId'), True)


@operation('SetPowerOff', Role.admin)
def set_power_off(chassis, params):
    return 'BladeResponse', _switch(chassis, params.int('bladeId'), False)


@operation('SetAllPowerOn', Role.admin)
def set_all_power_on(chassis, params):
    return 'AllBladesResponse', common.all_blades(
        chassis, 'bladeResponseCollection', 'BladeResponse',
        lambda c, blade_id: _switch(c, blade_id, True))


@operation('SetAllPowerOff', Role.admin)
def set_all_power_off(chassis, params):
    return 'AllBladesResponse', common.all_blades(
        chassis, 'bladeResponseCollection', 'BladeResponse',
        lambda c, blade_id: _switch(c, blade_id, False))


# Host power, through the blade's BMC.

def _blade_state(chassis, blade_id):
    with common.bmc_call(chassis, blade_id) as call:
        if not call.ok:
            state = STATE.NA
        else:
            state = STATE.ON if call.blade.host_on else STATE.OFF
    return common.blade_envelope(call.code, call.description, blade_id) + [
        ('bladeState', state)]


@operation('GetBladeState', Role.user)
def get_blade_state(chassis, params):
    return 'BladeStateResponse', _blade_state(chassis, params.int('bladeId'))


@operation('GetAllBladesState', Role.user)
def get_all_blades_state(chassis, params):
    return 'GetAllBladesStateResponse', common.all_blades(
        chassis, 'bladeStateResponseCollection', 'BladeStateResponse',
        _blade_state)


def _host_power(chassis, blade_id, on):
    with common.bmc_call(chassis, blade_id) as call:
        if call.ok:
            call.blade.set_host_power(on)
    return common.blade_envelope(call.code, call.description, blade_id)


@operation('SetBladeOn', Role.admin)
def set_blade_on(chassis, params):
    return 'BladeResponse', _host_power(chassis, params.int('bladeId'), True)


@operation('SetBladeOff', Role.admin)
def set_blade_off(chassis, params):
    return 'BladeResponse', _host_power(chassis, params.int('bladeId'), False)


@operation('SetAllBladesOn', Role.admin)
def set_all_blades_on(chassis, params):
    return 'AllBladesResponse', common.all_blades(
        chassis, 'bladeResponseCollection', 'BladeResponse',
        lambda c, blade_id: _host_power(c, blade_id, True))


@operation('SetAllBladesOff', Role.admin)
def set_all_blades_off(chassis, params):
    return 'AllBladesResponse', common.all_blades(
        chassis, 'bladeResponseCollection', 'BladeResponse',
        lambda c, blade_id: _host_power(c, blade_id, False))


def _power_cycle(chassis, blade_id, off_time):
    with common.bmc_call(chassis, blade_id) as call:
        if call.ok and off_time > constants.MAX_POWER_CYCLE_OFF_TIME:
            call.code = CODE.ParameterOutOfRange
            call.description = CODE.ParameterOutOfRange.name
        elif call.ok:
            # A host that is off is powered on instead (reference 6.1).
            call.blade.power_cycle(chassis.clock(), off_time)
    return common.blade_envelope(call.code, call.description, blade_id)


@operation('SetBladeActivePowerCycle', Role.admin)
def set_blade_active_power_cycle(chassis, params):
    return 'BladeResponse', _power_cycle(
        chassis, params.int('bladeId'), params.uint('offTime'))


@operation('SetAllBladesActivePowerCycle', Role.admin)
def set_all_blades_active_power_cycle(chassis, params):
    off_time = params.uint('offTime')
    return 'AllBladesResponse', common.all_blades(
        chassis, 'bladeResponseCollection', 'BladeResponse',
        lambda c, blade_id: _power_cycle(c, blade_id, off_time))
