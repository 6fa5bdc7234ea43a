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


"""Blade event log and BIOS POST codes (reference 5 and 9).

ReadBladeLog, ReadBladeLogWithTimestamp (User), ClearBladeLog (Operator)
and GetPostCode (User). Each validates the request as every BMC command
does: an empty slot answers Timeout, a hard-off blade DevicePoweredOff, a
decompressing one FirmwareDecompressing, and a JBOD CommandNotValidForBlade
for the logs (the CM's JBOD table lists them, reference 9). The table does
not list GetPostCode; a JBOD has no BIOS, so it is refused as well
(inference).
"""

import datetime

from msftocs_driver.emulator import blade_records
from msftocs_driver.emulator.operations import common
from msftocs_driver.emulator.operations.common import operation
from msftocs_driver.emulator.operations.common import Role
from msftocs_driver.emulator import params as params_mod
from msftocs_driver.emulator import xmlout

#: A DateTime parameter left out is the CLR default, 0001-01-01.
_DATETIME_DEFAULT = datetime.datetime.min


def _datetime(params, name):
    """A DateTime query parameter (``DateTime.Parse``, invariant culture).

    :raises: BadParameter, answered with HTTP 400 as WCF does.
    """
    raw = params.string(name)
    if not raw:
        return _DATETIME_DEFAULT
    try:
        return blade_records.parse_time(raw, name)
    except blade_records.RecordsError:
        raise params_mod.BadParameter(name, 'DateTime')


def _log_reply(chassis, params, start=None, end=None):
    blade_id = params.int('bladeId')
    entries = []
    with common.bmc_call(chassis, blade_id) as call:
        if call.ok:
            # LogEntry members: eventTime, then eventDescription.
            entries = [[
                ('eventTime', when.isoformat()),
                ('eventDescription', text)]
                for when, text in call.blade.records.log_between(start, end)]
    # ChassisLogResponse derives from ChassisResponse: no bladeNumber.
    return 'ChassisLogResponse', common.envelope(
        call.code, call.description) + [
        ('logEntries', xmlout.Items('LogEntry', entries))]


@operation('ReadBladeLog', Role.user)
def read_blade_log(chassis, params):
    return _log_reply(chassis, params)


@operation('ReadBladeLogWithTimestamp', Role.user)
def read_blade_log_with_timestamp(chassis, params):
    start = _datetime(params, 'startTimestamp')
    end = _datetime(params, 'endTimestamp')
    return _log_reply(chassis, params, start, end)


@operation('ClearBladeLog', Role.operator)
def clear_blade_log(chassis, params):
    blade_id = params.int('bladeId')
    with common.bmc_call(chassis, blade_id) as call:
        if call.ok:
            call.blade.records.log = []
    return 'BladeResponse', common.blade_envelope(
        call.code, call.description, blade_id)


@operation('GetPostCode', Role.user)
def get_post_code(chassis, params):
    blade_id = params.int('bladeId')
    current = previous = ''
    with common.bmc_call(chassis, blade_id) as call:
        if call.ok:
            current = call.blade.records.post_code
            previous = call.blade.records.previous_post_code
    # BiosPostCode derives from ChassisResponse; its members are unordered,
    # hence sorted ordinally (inference from the reference, section 5).
    return 'BiosPostCode', common.envelope(call.code, call.description) + [
        ('PostCode', current), ('PreviousPostCode', previous)]
