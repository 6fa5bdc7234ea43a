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


"""Attention LEDs: per blade (set only) and the chassis LED (reference 6.3).
"""

from msftocs_driver.emulator.operations import common
from msftocs_driver.emulator.operations.registry import operation
from msftocs_driver.emulator.operations.registry import Role
from msftocs_driver.ocs import constants


def _blade_led(chassis, blade_id, on):
    # IPMI Chassis Identify: interval 255 = on indefinitely, 0 = off.
    with common.bmc_call(chassis, blade_id) as call:
        if call.ok:
            call.blade.led_on = on
    return common.blade_envelope(call.code, call.description, blade_id)


@operation('SetBladeAttentionLEDOn', Role.operator)
def set_blade_attention_led_on(chassis, params):
    return 'BladeResponse', _blade_led(chassis, params.int('bladeId'), True)


@operation('SetBladeAttentionLEDOff', Role.operator)
def set_blade_attention_led_off(chassis, params):
    return 'BladeResponse', _blade_led(chassis, params.int('bladeId'), False)


@operation('SetAllBladesAttentionLEDOn', Role.operator)
def set_all_blades_attention_led_on(chassis, params):
    return 'AllBladesResponse', common.all_blades(
        chassis, 'bladeResponseCollection', 'BladeResponse',
        lambda c, blade_id: _blade_led(c, blade_id, True))


@operation('SetAllBladesAttentionLEDOff', Role.operator)
def set_all_blades_attention_led_off(chassis, params):
    return 'AllBladesResponse', common.all_blades(
        chassis, 'bladeResponseCollection', 'BladeResponse',
        lambda c, blade_id: _blade_led(c, blade_id, False))


def _chassis_led(chassis, on):
    with chassis.lock:
        chassis.chassis_led_on = on
    return 'ChassisResponse', common.envelope(common.SUCCESS,
                                              common.SUCCESS.name)


@operation('SetChassisAttentionLEDOn', Role.operator)
def set_chassis_attention_led_on(chassis, params):
    return _chassis_led(chassis, True)


@operation('SetChassisAttentionLEDOff', Role.operator)
def set_chassis_attention_led_off(chassis, params):
    return _chassis_led(chassis, False)


@operation('GetChassisAttentionLEDStatus', Role.user)
def get_chassis_attention_led_status(chassis, params):
    with chassis.lock:
        on = chassis.chassis_led_on
    state = constants.LedState.ON if on else constants.LedState.OFF
    return 'LedStatusResponse', common.envelope(common.SUCCESS) + [
        ('ledState', state)]
