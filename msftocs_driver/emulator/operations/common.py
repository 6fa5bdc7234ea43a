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


"""The operation table and what the handlers share.

Each handler module registers its operations with :func:`operation` or
:func:`blade_operation`. A handler takes the
:class:`~msftocs_driver.emulator.chassis.Chassis` and the
:class:`~msftocs_driver.emulator.params.QueryParams` of the request and
returns ``(root element name, fields)`` for :func:`.xmlout.render`.

Each operation also has the least privileged role allowed to call it
(CM v2.5 ``ChassisManagerSecurity``, reference 1.3); operations missing
from the CM's table require Admin.
"""

import collections
import contextlib
import enum
import functools

from msftocs_driver.emulator import xmlout
from msftocs_driver.ocs import constants

Operation = collections.namedtuple('Operation', ('name', 'handler', 'role'))

_OPERATIONS = {}

CODE = constants.CompletionCode
SUCCESS = CODE.Success
#: ``(code, description)`` of an id or value out of range.
OUT_OF_RANGE = (CODE.ParameterOutOfRange, CODE.ParameterOutOfRange.name)
#: A BMC that does not answer (empty slot, dead BMC), as GetBladeState,
#: GetBladeInfo and the boot calls report it.
BMC_TIMEOUT = (CODE.Timeout, CODE.Timeout.name)
#: The same for the calls that check the IPMI result and set Failure
#: themselves: SetBladeOn/Off, power cycle, blade LEDs, power reading and
#: limit (ChassisManager.cs v2.5).
BMC_FAILURE = (CODE.Failure, CODE.Failure.name)


class Role(enum.IntEnum):
    """CM authorization roles, most privileged first."""

    admin = 0  # WcsCmAdmin (or a local administrator)
    operator = 1  # WcsCmOperator
    user = 2  # WcsCmUser


def operation(name, role=Role.admin):
    """Register the decorated function as the handler of CM ``name``.

    :param role: the least privileged role allowed to call it.
    """
    def register(handler):
        _OPERATIONS[name.lower()] = Operation(name, handler, role)
        return handler
    return register


def blade_operation(name, role, per_blade, root='BladeResponse',
                    all_name=None, all_root='AllBladesResponse',
                    collection='bladeResponseCollection'):
    """Register a single-blade operation and, optionally, its All* variant.

    :param name: the single-blade operation, which takes ``bladeId``.
    :param role: the least privileged role allowed to call both.
    :param per_blade: ``f(chassis, blade_id, params) -> fields``.
    :param root: root element of the single-blade reply, also the element
        of each entry of the All* collection.
    :param all_name: the All* operation, which runs ``per_blade`` for every
        slot with the same parameters; None when there is none.
    :param all_root: root element of the All* reply.
    :param collection: element name of the All* collection.
    """
    def single(chassis, params):
        return root, per_blade(chassis, params.int('bladeId'), params)

    def every(chassis, params):
        entries = [per_blade(chassis, blade_id, params)
                   for blade_id in range(1, chassis.population + 1)]
        # Success if at least one blade succeeded (reference 5).
        if any(fields[0][1] is SUCCESS for fields in entries):
            head = envelope(SUCCESS, 'Fetched result successfully')
        else:
            head = envelope(CODE.Failure, 'Failure in fetching result')
        return all_root, head + [(collection, xmlout.Items(root, entries))]

    operation(name, role)(single)
    if all_name:
        operation(all_name, role)(every)


def on_off_operations(on_names, off_names, role, per_blade):
    """Register the On and Off operations of a blade setting, with All*.

    :param on_names: ``(single-blade name, All* name)`` of the On pair.
    :param off_names: the same for the Off pair.
    :param role: the least privileged role allowed to call them.
    :param per_blade: ``f(chassis, blade_id, params, on) -> fields``.
    """
    for (name, all_name), on in ((on_names, True), (off_names, False)):
        blade_operation(name, role, functools.partial(per_blade, on=on),
                        all_name=all_name)


def lookup(name):
    """Find an operation by name, ignoring case as WCF does.

    :returns: the :class:`Operation`, or None for an unknown name.
    """
    return _OPERATIONS.get(name.lower())


def names():
    """Canonical names of every registered operation, sorted."""
    return sorted(op.name for op in _OPERATIONS.values())


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
    if blade.decompressing(now):
        return decompressing(blade.decompression_remaining(now))
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
def bmc_call(chassis, blade_id, allow_jbod=False, rejected=None,
             unreachable=BMC_TIMEOUT):
    """Validate a blade request as the CM does, then talk to its BMC.

    ValidateRequest order (CM v2.5, reference 6.1): id range, (v2.0 only:
    ApiGreenSignalling, reference 8.3), cached blade type (a known JBOD
    gets CommandNotValidForBlade where not allowed; an Unknown type is
    allowed everything), Blade_EN off, decompression.
    Then the operation's own parameter checks (``rejected``). These use
    cached state and cost nothing; then one exchange on the chassis-wide
    BMC bus, which times out for an empty slot. The body of the ``with``
    runs under the chassis lock.

    :param allow_jbod: whether a JBOD may make this call.
    :param rejected: ``(code, description)`` when a parameter of the call
        is invalid, else None. The CM checks its parameters after
        ValidateRequest and before any IPMI command (reference 6.1 for
        offTime; the same order assumed for the other range checks,
        inference), so an empty slot answers ParameterOutOfRange, not
        Timeout, and the bus is not used.
    :param unreachable: ``(code, description)`` when the BMC does not
        answer.
    :yields: a :class:`BmcCall`.
    """
    if not chassis.valid_id(blade_id):
        yield BmcCall(*OUT_OF_RANGE)
        return
    refused = chassis.green_signal()
    if refused:
        yield BmcCall(*refused)
        return
    with chassis.lock:
        blade = chassis.blade(blade_id)
        failure = None
        if (not allow_jbod
                and blade.cached_type is constants.BladeType.Jbod):
            failure = (CODE.CommandNotValidForBlade,
                       CODE.CommandNotValidForBlade.name)
        failure = failure or check_power(blade, chassis.clock()) or rejected
    if failure:
        yield BmcCall(*failure)
        return
    with chassis.bmc_bus(), chassis.lock:
        blade = chassis.blade(blade_id)
        if not blade.bmc_reachable(chassis.clock()):
            yield BmcCall(*unreachable)
        else:
            yield BmcCall(SUCCESS, '', blade)
