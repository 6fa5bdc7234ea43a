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


"""Pieces shared by the operation handlers: envelopes, validation, All*."""

import contextlib

from msftocs_driver.emulator import xmlout
from msftocs_driver.ocs import constants

CODE = constants.CompletionCode
SUCCESS = CODE.Success


def envelope(code, description=''):
    """The ChassisResponse members every reply starts with."""
    return [('completionCode', code), ('apiVersion', 1),
            ('statusDescription', description)]


def blade_envelope(code, description, blade_id):
    """The BladeResponse members: the envelope, then ``bladeNumber``."""
    return [('completionCode', code), ('apiVersion', 1),
            ('statusDescription', description), ('bladeNumber', blade_id)]


def requested_parts(params, names, default_off=()):
    """Read the boolean "which parts" flags of an information call.

    When none is set the CM returns every part (but ``default_off``).

    :returns: dict of flag name to bool.
    """
    parts = {name: params.bool(name) for name in names}
    if not any(parts.values()):
        parts = {name: name not in default_off for name in names}
    return parts


def decompressing(seconds):
    """The status of a BMC call during firmware decompression."""
    return CODE.FirmwareDecompressing, 'Decompression Time Remaining %d' % (
        seconds)


def check_power(blade, now):
    """Blade_EN and decompression checks of the CM's ValidateRequest.

    :returns: ``(code, description)`` of the failure, or None.
    """
    if not blade.switch_on:
        return CODE.DevicePoweredOff, CODE.DevicePoweredOff.name
    remaining = blade.decompression_remaining(now)
    if remaining:
        return decompressing(remaining)
    return None


class BmcCall(object):
    """Outcome of validating a blade request and reaching its BMC.

    :ivar code: completion code; Success when the BMC answered.
    :ivar description: statusDescription for a failure.
    :ivar blade: the blade, when the BMC answered.
    """

    __slots__ = ('code', 'description', 'blade')

    def __init__(self, code, description='', blade=None):
        self.code = code
        self.description = description
        self.blade = blade

    @property
    def ok(self):
        return self.code is SUCCESS


@contextlib.contextmanager
def bmc_call(chassis, blade_id, allow_jbod=False):
    """Validate a blade request as the CM does, then talk to its BMC.

    ValidateRequest order (CM v2.5, reference 6.1): id range, cached blade
    type (a known JBOD gets CommandNotValidForBlade where not allowed; an
    Unknown type is allowed everything), Blade_EN
    off, decompression. These use cached state and cost nothing; then one
    exchange on the chassis-wide BMC bus, which times out for an empty slot.
    The body of the ``with`` runs under the chassis lock.

    :yields: a :class:`BmcCall`.
    """
    if not chassis.valid_id(blade_id):
        yield BmcCall(CODE.ParameterOutOfRange, CODE.ParameterOutOfRange.name)
        return
    with chassis.lock:
        blade = chassis.blade(blade_id)
        failure = None
        if (not allow_jbod
                and blade.cached_type is constants.BladeType.Jbod):
            failure = (CODE.CommandNotValidForBlade,
                       CODE.CommandNotValidForBlade.name)
        failure = failure or check_power(blade, chassis.clock())
    if failure:
        yield BmcCall(*failure)
        return
    with chassis.bmc_bus(), chassis.lock:
        blade = chassis.blade(blade_id)
        if not blade.bmc_reachable(chassis.clock()):
            yield BmcCall(CODE.Timeout, CODE.Timeout.name)
        else:
            yield BmcCall(SUCCESS, '', blade)


def all_blades(chassis, collection, item, per_blade):
    """Run a single-blade handler for every slot, as the All* calls do.

    :param collection: element name of the collection.
    :param item: element name of each entry.
    :param per_blade: ``f(chassis, blade_id) -> fields`` whose first field
        is the completion code.
    :returns: the reply fields: Success if at least one blade succeeded.
    """
    entries = [per_blade(chassis, blade_id)
               for blade_id in range(1, chassis.population + 1)]
    if any(fields[0][1] is SUCCESS for fields in entries):
        head = envelope(SUCCESS, 'Fetched result successfully')
    else:
        head = envelope(CODE.Failure, 'Failure in fetching result')
    return head + [(collection, xmlout.Items(item, entries))]
