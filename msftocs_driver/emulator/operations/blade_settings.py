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


"""Blade settings through the BMC: next boot, LEDs, power capping.

Boot override (reference 6.2), attention LEDs (6.3; only the chassis LED
can be read back) and DCMI power reading and limit (6.3).
"""

import functools

from msftocs_driver.emulator.operations import common
from msftocs_driver.emulator.operations.common import blade_operation
from msftocs_driver.emulator.operations.common import on_off_operations
from msftocs_driver.emulator.operations.common import Role
from msftocs_driver.ocs import constants

CODE = constants.CompletionCode
BOOT = constants.BladeBootType


def _boot_reply(call, blade_id, next_boot):
    # statusDescription is the completion-code name, Success included,
    # unless a more specific text was set.
    description = call.description or call.code.name
    return common.blade_envelope(call.code, description, blade_id) + [
        ('nextBoot', next_boot)]


def _get_next_boot(chassis, blade_id, params):
    with common.bmc_call(chassis, blade_id) as call:
        # Only the device selector is reported: not persistence, not UEFI.
        next_boot = call.blade.next_boot if call.ok else BOOT.Unknown
    return _boot_reply(call, blade_id, next_boot)


def _set_next_boot(chassis, blade_id, params):
    boot_type = params.enum('bootType', BOOT)
    uefi = params.bool('uefi')
    persistent = params.bool('persistent')
    params.int('bootInstance')  # parsed (a bad value is a 400), unused
    rejected = None
    if boot_type is BOOT.Unknown:
        rejected = (CODE.ParameterOutOfRange,
                    'ParameterOutOfRange Cannot be set to Unknown.')
    next_boot = BOOT.Unknown
    with common.bmc_call(chassis, blade_id, rejected=rejected) as call:
        if call.ok and not isinstance(boot_type, BOOT):
            # An undefined number reaches the BMC as IPMI "unknown"
            # (0xFF); a BMC rejects it (inference, reference 6.2).
            call.code = CODE.Failure
        elif call.ok:
            call.blade.set_next_boot(boot_type, uefi, persistent)
            next_boot = boot_type
    return _boot_reply(call, blade_id, next_boot)


blade_operation('GetNextBoot', Role.user, _get_next_boot, root='BootResponse')
blade_operation('SetNextBoot', Role.user, _set_next_boot, root='BootResponse')


def _blade_led(chassis, blade_id, params, on):
    # IPMI Chassis Identify: interval 255 = on indefinitely, 0 = off.
    with common.bmc_call(chassis, blade_id,
                         unreachable=common.BMC_FAILURE) as call:
        if call.ok:
            call.blade.led_on = on
    return common.blade_envelope(call.code, call.description, blade_id)


on_off_operations(
    ('SetBladeAttentionLEDOn', 'SetAllBladesAttentionLEDOn'),
    ('SetBladeAttentionLEDOff', 'SetAllBladesAttentionLEDOff'),
    Role.operator, _blade_led)


def _chassis_led(chassis, params, on):
    with chassis.lock:
        chassis.chassis_led_on = on
    # No statusDescription on success (ChassisManager.cs v2.5).
    return 'ChassisResponse', common.envelope(common.SUCCESS)


common.operation('SetChassisAttentionLEDOn', Role.operator)(
    functools.partial(_chassis_led, on=True))
common.operation('SetChassisAttentionLEDOff', Role.operator)(
    functools.partial(_chassis_led, on=False))


@common.operation('GetChassisAttentionLEDStatus', Role.user)
def get_chassis_attention_led_status(chassis, params):
    with chassis.lock:
        on = chassis.chassis_led_on
    state = constants.LedState.ON if on else constants.LedState.OFF
    return 'LedStatusResponse', common.envelope(common.SUCCESS) + [
        ('ledState', state)]


def _reading(chassis, blade_id, params):
    with common.bmc_call(chassis, blade_id,
                         unreachable=common.BMC_FAILURE) as call:
        if call.ok and call.blade.records.power_reading_failed:
            # The BMC answers, but its DCMI reading fails (reference 6.3).
            call.code, call.description = CODE.Failure, CODE.Failure.name
        watts = call.blade.power_reading() if call.ok else -1.0
    return common.blade_envelope(call.code, call.description, blade_id) + [
        ('powerReading', watts)]


def _limit(chassis, blade_id, params):
    with common.bmc_call(chassis, blade_id,
                         unreachable=common.BMC_FAILURE) as call:
        if call.ok:
            active = call.blade.power_limit_active
            watts = call.blade.power_limit
        else:
            active, watts = False, -1.0
    fields = common.blade_envelope(call.code, call.description, blade_id)
    if chassis.profile.power_limit_active:
        # Unordered DataMembers are sorted ordinally: isPowerLimitActive
        # first. A v2.0 CM has powerLimit only (reference 6.3).
        fields.append(('isPowerLimitActive', active))
    return fields + [('powerLimit', watts)]


def _set_limit(chassis, blade_id, params):
    watts = params.double('powerLimitInWatts')
    rejected = None
    if not (constants.MIN_POWER_LIMIT_WATTS <= watts
            <= constants.MAX_POWER_LIMIT_WATTS):
        rejected = common.OUT_OF_RANGE
    with common.bmc_call(chassis, blade_id, rejected=rejected,
                         unreachable=common.BMC_FAILURE) as call:
        if call.ok:
            call.blade.power_limit = watts
    return common.blade_envelope(call.code, call.description, blade_id)


def _activate_limit(chassis, blade_id, params, on):
    with common.bmc_call(chassis, blade_id,
                         unreachable=common.BMC_FAILURE) as call:
        if call.ok:
            call.blade.power_limit_active = on
    return common.blade_envelope(call.code, call.description, blade_id)


blade_operation('GetBladePowerReading', Role.user, _reading,
                root='BladePowerReadingResponse',
                all_name='GetAllBladesPowerReading',
                all_root='GetAllBladesPowerReadingResponse',
                collection='bladePowerReadingCollection')
blade_operation('GetBladePowerLimit', Role.user, _limit,
                root='BladePowerLimitResponse',
                all_name='GetAllBladesPowerLimit',
                all_root='GetAllBladesPowerLimitResponse',
                collection='bladePowerLimitCollection')
blade_operation('SetBladePowerLimit', Role.operator, _set_limit,
                all_name='SetAllBladesPowerLimit')
on_off_operations(('SetBladePowerLimitOn', 'SetAllBladesPowerLimitOn'),
                  ('SetBladePowerLimitOff', 'SetAllBladesPowerLimitOff'),
                  Role.operator, _activate_limit)
