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


"""Boot override operations: GetNextBoot and SetNextBoot (reference 6.2)."""

from msftocs_driver.emulator.operations import common
from msftocs_driver.emulator.operations.registry import operation
from msftocs_driver.emulator.operations.registry import Role
from msftocs_driver.ocs import constants

CODE = constants.CompletionCode
BOOT = constants.BladeBootType


@operation('GetNextBoot', Role.user)
def get_next_boot(chassis, params):
    blade_id = params.int('bladeId')
    with common.bmc_call(chassis, blade_id) as call:
        # Only the device selector is reported: not persistence, not UEFI.
        next_boot = call.blade.next_boot if call.ok else BOOT.Unknown
    return 'BootResponse', _reply(call, blade_id, next_boot)


@operation('SetNextBoot', Role.user)
def set_next_boot(chassis, params):
    blade_id = params.int('bladeId')
    boot_type = params.enum('bootType', BOOT)
    uefi = params.bool('uefi')
    persistent = params.bool('persistent')
    params.int('bootInstance')  # parsed (a bad value is a 400), unused
    next_boot = BOOT.Unknown
    with common.bmc_call(chassis, blade_id) as call:
        if not call.ok:
            pass
        elif boot_type is BOOT.Unknown:
            call.code = CODE.ParameterOutOfRange
            call.description = 'ParameterOutOfRange Cannot be set to Unknown.'
        elif not isinstance(boot_type, BOOT):
            # An undefined number reaches the BMC as IPMI "unknown"
            # (0xFF); a BMC rejects it (inference, reference 6.2).
            call.code = CODE.Failure
        else:
            call.blade.set_next_boot(boot_type, uefi, persistent)
            next_boot = boot_type
    return 'BootResponse', _reply(call, blade_id, next_boot)


def _reply(call, blade_id, next_boot):
    # statusDescription is the completion-code name, Success included,
    # except for the more specific texts set above.
    description = call.description or call.code.name
    return common.blade_envelope(call.code, description, blade_id) + [
        ('nextBoot', next_boot)]
