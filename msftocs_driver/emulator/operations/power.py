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


"""Power operations (reference 6.1).

The Blade_EN calls never run ApiGreenSignalling on a v2.0 CM; SetPowerOff
force-stops the serial session of its own blade only (reference 8.3).

Two domains: the Blade_EN hot-swap switch (SetPowerOn/Off, GetPowerState),
a GPIO on the chassis side bus that works for any slot, and host power
through the blade's BMC (SetBladeOn/Off, GetBladeState, power cycle). The
BMC's power restore policy (SetBladeDefaultPowerState{On,Off}, IPMI
AlwaysPowerUp / StayOff) decides whether the host boots when Blade_EN
turns on.
"""

from msftocs_driver.emulator.operations import common
from msftocs_driver.emulator.operations.common import blade_operation
from msftocs_driver.emulator.operations.common import on_off_operations
from msftocs_driver.emulator.operations.common import Role
from msftocs_driver.ocs import constants

STATE = constants.PowerState


# Blade_EN switch: no blade validation, so these work on empty slots,
# JBODs and dead BMCs.

def _power_state(chassis, blade_id, params):
    if not chassis.valid_id(blade_id):
        return common.blade_envelope(*common.OUT_OF_RANGE, blade_id) + [
            ('Decompression', 0), ('powerState', STATE.NA)]
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


def _switch(chassis, blade_id, params, on):
    if not chassis.valid_id(blade_id):
        return common.blade_envelope(*common.OUT_OF_RANGE, blade_id)
    if on:
        chassis.switch_power_on(blade_id)
    else:
        chassis.switch_power_off(blade_id)
    return common.blade_envelope(common.SUCCESS, '', blade_id)


blade_operation('GetPowerState', Role.user, _power_state,
                root='PowerStateResponse', all_name='GetAllPowerState',
                all_root='GetAllPowerStateResponse',
                collection='powerStateResponseCollection')
on_off_operations(('SetPowerOn', 'SetAllPowerOn'),
                  ('SetPowerOff', 'SetAllPowerOff'), Role.admin, _switch)


# Host power, through the blade's BMC.

def _blade_state(chassis, blade_id, params):
    with common.bmc_call(chassis, blade_id) as call:
        if not call.ok:
            state = STATE.NA
        else:
            state = STATE.ON if call.blade.host_on else STATE.OFF
    return common.blade_envelope(call.code, call.description, blade_id) + [
        ('bladeState', state)]


def _host_power(chassis, blade_id, params, on):
    with common.bmc_call(chassis, blade_id,
                         unreachable=common.BMC_FAILURE) as call:
        if call.ok:
            call.blade.set_host_power(on)
    return common.blade_envelope(call.code, call.description, blade_id)


def _power_cycle(chassis, blade_id, params):
    off_time = params.uint('offTime')
    rejected = None
    if off_time > constants.MAX_POWER_CYCLE_OFF_TIME:
        rejected = common.OUT_OF_RANGE
    with common.bmc_call(chassis, blade_id, rejected=rejected,
                         unreachable=common.BMC_FAILURE) as call:
        if call.ok:
            call.blade.power_cycle(chassis.clock(), off_time)
    return common.blade_envelope(call.code, call.description, blade_id)


blade_operation('GetBladeState', Role.user, _blade_state,
                root='BladeStateResponse', all_name='GetAllBladesState',
                all_root='GetAllBladesStateResponse',
                collection='bladeStateResponseCollection')
on_off_operations(('SetBladeOn', 'SetAllBladesOn'),
                  ('SetBladeOff', 'SetAllBladesOff'), Role.admin, _host_power)
blade_operation('SetBladeActivePowerCycle', Role.admin, _power_cycle,
                all_name='SetAllBladesActivePowerCycle')


# Power restore policy; not in the CM's JBOD exclusion table (reference 9).

def _set_policy(chassis, blade_id, params, on):
    with common.bmc_call(chassis, blade_id, allow_jbod=True) as call:
        if call.ok:
            call.blade.power_restore_on = on
    return common.blade_envelope(call.code, call.description, blade_id)


def _get_policy(chassis, blade_id, params):
    with common.bmc_call(chassis, blade_id, allow_jbod=True) as call:
        if not call.ok:
            state = STATE.NA
        else:
            state = STATE.ON if call.blade.power_restore_on else STATE.OFF
    return common.blade_envelope(call.code, call.description, blade_id) + [
        ('bladeState', state)]


on_off_operations(
    ('SetBladeDefaultPowerStateOn', 'SetAllBladesDefaultPowerStateOn'),
    ('SetBladeDefaultPowerStateOff', 'SetAllBladesDefaultPowerStateOff'),
    Role.operator, _set_policy)
blade_operation('GetBladeDefaultPowerState', Role.user, _get_policy,
                root='BladeStateResponse',
                all_name='GetAllBladesDefaultPowerState',
                all_root='GetAllBladesStateResponse',
                collection='bladeStateResponseCollection')
