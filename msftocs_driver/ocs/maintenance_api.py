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

"""Blade maintenance operations of the chassis-manager client.

The blade's event log (ReadBladeLog, ReadBladeLogWithTimestamp,
ClearBladeLog), its BIOS POST codes (GetPostCode), its power restore
policy (SetBladeDefaultPowerStateOn/Off, GetBladeDefaultPowerState) and a
probe of the caller's role.
"""

import dataclasses
import datetime
import typing

from msftocs_driver.ocs import constants
from msftocs_driver.ocs import exceptions

#: A session token no session can have: the CM draws its tokens from
#: random non-zero bytes (reference 8.1).
_IMPOSSIBLE_TOKEN = '00-00-00-00-00-00-00-00'


@dataclasses.dataclass(frozen=True)
class LogEntry:
    """One entry of a blade's event log (LogEntry of ChassisLogResponse).

    :ivar time: ``eventTime`` as the CM writes it (ISO 8601), or ``None``.
    :ivar description: ``eventDescription``.
    """

    time: typing.Optional[str]
    description: str


@dataclasses.dataclass(frozen=True)
class PostCode:
    """The BIOS POST codes of a blade (GetPostCode).

    :ivar current: ``PostCode``, the code of the present (or last) POST.
    :ivar previous: ``PreviousPostCode``, the code of the POST before.
    """

    blade_id: int
    current: typing.Optional[str]
    previous: typing.Optional[str]


def _timestamp(name, value):
    if not isinstance(value, datetime.datetime):
        raise TypeError('%s must be a datetime, not %r' % (name, value))
    # DateTime.Parse on the CM side; no zone, seconds precision.
    return value.replace(tzinfo=None, microsecond=0).isoformat()


class MaintenanceOperations:
    """Blade log, POST code, restore policy and role probe methods.

    Mixed into :class:`~msftocs_driver.ocs.client.ChassisManagerClient`,
    which provides ``_blade_call``.
    """

    def read_blade_log(self, blade_id, start=None, end=None):
        """Return a blade's event log, oldest entry first as the CM lists it.

        :param start: a ``datetime``: only entries from then on
            (ReadBladeLogWithTimestamp); needs ``end`` too.
        :param end: a ``datetime``: only entries until then.
        :returns: a tuple of :class:`LogEntry`.
        """
        if (start is None) != (end is None):
            raise ValueError('start and end go together')
        if start is None:
            reply = self._blade_call('ReadBladeLog', 'ChassisLogResponse',
                                     blade_id, check_blade=False)
        else:
            reply = self._blade_call(
                'ReadBladeLogWithTimestamp', 'ChassisLogResponse', blade_id,
                (('startTimestamp', _timestamp('start', start)),
                 ('endTimestamp', _timestamp('end', end))),
                check_blade=False)
        return tuple(LogEntry(time=item.text('eventTime', required=False),
                              description=item.text('eventDescription',
                                                    required=False) or '')
                     for item in reply.items('logEntries'))

    def clear_blade_log(self, blade_id):
        """Clear a blade's event log."""
        self._blade_call('ClearBladeLog', 'BladeResponse', blade_id,
                         mutating=True)

    def get_post_code(self, blade_id):
        """Return a blade's current and previous BIOS POST code.

        The reply (``BiosPostCode``) derives from ChassisResponse and carries
        no ``bladeNumber`` (inference from the reference, section 5).

        :returns: :class:`PostCode`.
        """
        reply = self._blade_call('GetPostCode', 'BiosPostCode', blade_id,
                                 check_blade=False)
        return PostCode(blade_id=blade_id,
                        current=reply.text('PostCode', required=False),
                        previous=reply.text('PreviousPostCode',
                                            required=False))

    def set_blade_default_power_state(self, blade_id, on):
        """Set a blade's power restore policy.

        :param on: ``True``: the host powers up whenever its BMC gets power
            (IPMI "always power up"); ``False``: it stays off ("stay off").
        """
        self._blade_call('SetBladeDefaultPowerState%s' % ('On' if on
                                                          else 'Off'),
                         'BladeResponse', blade_id, mutating=True)

    def get_blade_default_power_state(self, blade_id):
        """Return a blade's power restore policy (``PowerState`` ON or OFF).

        ``NA`` when the BMC does not say.
        """
        reply = self._blade_call('GetBladeDefaultPowerState',
                                 'BladeStateResponse', blade_id)
        return reply.enum('bladeState', constants.PowerState)

    def has_admin_role(self, blade_id):
        """Whether the account may make Admin calls (power, console).

        The CM has no "who am I" operation. ReceiveBladeSerialData needs the
        Admin role (reference 1.3) and, with a token no session can hold,
        changes nothing: an account with the role gets a reply with a
        completion code (NoActiveSerialSession, SerialSessionActive,
        DevicePoweredOff...), one without it the CM's access-denied page,
        an HTTP 400 or 403 (reference 1.3 and 12: which of the two is not
        verified on hardware).

        :param blade_id: a slot of the chassis (any state).
        :returns: ``True`` or ``False``.
        :raises: OCSError for other failures (credentials, network).
        """
        try:
            self.receive_blade_serial_data(blade_id, _IMPOSSIBLE_TOKEN)
        except exceptions.HTTPError as exc:
            if exc.status_code in (400, 403):
                return False
            raise
        except exceptions.CompletionCodeError:
            pass
        return True
