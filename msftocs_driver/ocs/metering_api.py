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

"""Blade power metering operations of the chassis-manager client.

A blade's present power draw (GetBladePowerReading,
GetAllBladesPowerReading) and its power limit (GetBladePowerLimit,
SetBladePowerLimit, SetBladePowerLimitOn/Off).
"""

from msftocs_driver.ocs import convert


class MeteringOperations:
    """Power metering methods of the chassis-manager client.

    Mixed into :class:`~msftocs_driver.ocs.client.ChassisManagerClient`,
    which provides ``_blade_call`` and ``_all``.
    """

    def get_blade_power_reading(self, blade_id):
        """Return a blade's present power draw.

        :returns: :class:`~msftocs_driver.ocs.models.PowerReading`.
        """
        reply = self._blade_call('GetBladePowerReading',
                                 'BladePowerReadingResponse', blade_id)
        return convert.power_reading(reply, blade_id)

    def get_all_blades_power_reading(self):
        """Return every blade's present power draw.

        :returns: dict of blade id to ``BladeOutcome`` of ``PowerReading``.
        """
        return self._all('GetAllBladesPowerReading',
                         'GetAllBladesPowerReadingResponse',
                         'bladePowerReadingCollection',
                         convert.power_reading)

    def get_blade_power_limit(self, blade_id):
        """Return a blade's power limit.

        :returns: :class:`~msftocs_driver.ocs.models.PowerLimit`.
        """
        reply = self._blade_call('GetBladePowerLimit',
                                 'BladePowerLimitResponse', blade_id)
        return convert.power_limit(reply, blade_id)

    def set_blade_power_limit(self, blade_id, watts):
        """Set a blade's power limit in watts (the CM checks the range)."""
        if isinstance(watts, bool) or not isinstance(watts, (int, float)):
            raise TypeError('watts must be a number, not %r' % (watts,))
        self._blade_call('SetBladePowerLimit', 'BladeResponse', blade_id,
                         (('powerLimitInWatts', float(watts)),),
                         mutating=True)

    def set_blade_power_limit_active(self, blade_id, active):
        """Activate or deactivate a blade's power limit."""
        self._blade_call('SetBladePowerLimit%s' % ('On' if active else 'Off'),
                         'BladeResponse', blade_id, mutating=True)
