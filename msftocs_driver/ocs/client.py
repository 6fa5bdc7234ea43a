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

"""Client of the chassis-manager REST API: one method per operation.

A :class:`ChassisManagerClient` talks to one chassis manager and is safe to
share between threads (see :mod:`msftocs_driver.ocs.connector`). Blade
methods take the blade's logical id (1 to 24 or 48). Every method raises only
:class:`~msftocs_driver.ocs.exceptions.OCSError` subclasses for failures of
the chassis manager or the network, and ``ValueError`` or ``TypeError`` for an
invalid argument.
"""

from msftocs_driver.ocs import connector
from msftocs_driver.ocs import console_api
from msftocs_driver.ocs import constants
from msftocs_driver.ocs import convert
from msftocs_driver.ocs import encoding
from msftocs_driver.ocs import failures
from msftocs_driver.ocs import maintenance_api
from msftocs_driver.ocs import metering_api
from msftocs_driver.ocs import responses
from msftocs_driver.ocs import version

#: Bound the calls of a block of code: ``with client.time_limit(60): ...``
#: (see :func:`msftocs_driver.ocs.failures.time_limit`).
time_limit = failures.time_limit


class ChassisManagerClient(console_api.ConsoleOperations,
                           maintenance_api.MaintenanceOperations,
                           metering_api.MeteringOperations):
    """Client of one chassis manager.

    :param base_url: ``http(s)://host[:port]`` of the chassis manager, with
        no path.
    :param username: user name; ``DOMAIN\\user`` is accepted with NTLM.
    :param password: password; never logged.
    :param auth: ``auto`` (the default: learn the scheme from the chassis
        manager's first challenge), ``basic`` or ``ntlm`` (a stock chassis
        manager demands NTLM under the ``Negotiate`` scheme).
    :param verify: ``True``, ``False`` or the path of a CA bundle.
    :param connect_timeout: seconds allowed to connect.
    :param read_timeout: seconds allowed for a reply.
    :param retries: retries of a failed call (see
        :mod:`~msftocs_driver.ocs.connector` for which calls are retried).
    :param retry_interval: first retry delay in seconds, then doubled.
    :param max_connections: most concurrent requests to this chassis
        manager.
    :param slots: a semaphore of ``max_connections`` slots shared with the
        other clients of the same chassis manager (see
        :class:`~msftocs_driver.ocs.connector.Connector`).
    :raises ValueError: on an invalid argument, e.g. a base URL with a path.
    """

    def __init__(self, base_url, username, password, *, auth='auto',
                 verify=True, connect_timeout=10.0, read_timeout=60.0,
                 retries=2, retry_interval=0.5, max_connections=4,
                 slots=None):
        self._connector = connector.Connector(
            base_url, username, password, auth=auth, verify=verify,
            connect_timeout=connect_timeout, read_timeout=read_timeout,
            retries=retries, retry_interval=retry_interval,
            max_connections=max_connections, slots=slots)
        self._version = version.VersionCache(self.get_service_version,
                                             self._connector.endpoint)

    @property
    def base_url(self):
        """The chassis manager's base URL."""
        return self._connector.base_url

    def __repr__(self):
        return '<ChassisManagerClient %s>' % self._connector.base_url

    def close(self):
        """Close the kept-alive connections (the client stays usable)."""
        self._connector.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    def _call(self, operation, root, params=(), *, blade_id=None,
              mutating=False, check_blade=None, raise_for_code=True):
        body = self._connector.call(operation, params, blade_id=blade_id,
                                    mutating=mutating)
        if check_blade is None:
            check_blade = blade_id is not None
        return responses.parse(body, root, operation, blade_id=blade_id,
                               check_blade=check_blade,
                               raise_for_code=raise_for_code)

    def _blade_call(self, operation, root, blade_id, params=(), **kwargs):
        params = ((('bladeId', encoding.check_blade_id(blade_id)),)
                  + tuple(params))
        return self._call(operation, root, params, blade_id=blade_id,
                          **kwargs)

    def _all(self, operation, root, collection, convert_item):
        reply = self._call(operation, root, raise_for_code=False)
        return responses.outcomes(reply, collection, convert_item)

    # Chassis

    def get_service_version(self):
        """Return the chassis manager's version, e.g. ``2.5.0.0``."""
        reply = self._call('GetServiceVersion', 'ServiceVersionResponse')
        return reply.text('serviceVersion')

    def cm_version(self):
        """Return the chassis manager's version, learned once per client.

        The first call sends ``GetServiceVersion`` and logs the version at
        INFO level; later calls answer from memory. If the chassis manager
        cannot tell, v2.5 is assumed (logged at DEBUG level, asked again a
        minute later): this never raises.

        :returns: :class:`~msftocs_driver.ocs.version.CMVersion`; its
            ``is_v20`` tells a v2.0 chassis manager, ``assumed`` an
            unlearned one.
        """
        return self._version.get()

    @property
    def known_cm_version(self):
        """The version if already learned, else ``None`` (never any I/O)."""
        return self._version.known

    def get_chassis_info(self):
        """Return the chassis controller inventory and the blade list.

        Slow on a real chassis manager: it queries every blade's BMC.

        :returns: :class:`~msftocs_driver.ocs.models.ChassisInfo`.
        """
        reply = self._call('GetChassisInfo', 'ChassisInfoResponse', (
            ('bladeInfo', True), ('psuInfo', False),
            ('chassisControllerInfo', True), ('batteryInfo', False)))
        return convert.chassis_info(reply)

    def get_chassis_health(self):
        """Return type and Blade_EN state of every slot.

        Only the cheap blade part is requested (``bladeHealth=true``); its
        length is the chassis population (24 or 48).

        :returns: :class:`~msftocs_driver.ocs.models.ChassisHealth`.
        """
        reply = self._call('GetChassisHealth', 'ChassisHealthResponse', (
            ('bladeHealth', True), ('psuHealth', False),
            ('fanHealth', False), ('batteryHealth', False)))
        return convert.chassis_health(reply)

    def get_chassis_attention_led_status(self):
        """Return the chassis attention LED state (``LedState``)."""
        reply = self._call('GetChassisAttentionLEDStatus', 'LedStatusResponse')
        return reply.enum('ledState', constants.LedState)

    def set_chassis_attention_led(self, on):
        """Turn the chassis attention LED on or off.

        :param on: ``True`` for on.
        """
        self._call('SetChassisAttentionLED%s' % ('On' if on else 'Off'),
                   'ChassisResponse', mutating=True)

    # Inventory

    def get_blade_info(self, blade_id):
        """Return a blade's inventory (type, serial, firmware, NICs).

        :returns: :class:`~msftocs_driver.ocs.models.BladeInfo`.
        """
        reply = self._blade_call('GetBladeInfo', 'BladeInfoResponse',
                                 blade_id)
        return convert.blade_info(reply, blade_id)

    def get_all_blades_info(self):
        """Return every blade's inventory.

        :returns: dict of blade id to
            :class:`~msftocs_driver.ocs.models.BladeOutcome` of
            :class:`~msftocs_driver.ocs.models.BladeInfo`.
        """
        return self._all('GetAllBladesInfo', 'GetAllBladesInfoResponse',
                         'bladeInfoResponseCollection', convert.blade_info)

    def get_blade_health(self, blade_id, sensors=False):
        """Return a blade's processors, memory, PCIe devices and FRU data.

        :param sensors: also read the BMC sensors (slow).
        :returns: :class:`~msftocs_driver.ocs.models.BladeHealth`.
        """
        reply = self._blade_call(
            'GetBladeHealth', 'BladeHealthResponse', blade_id,
            (('cpuInfo', True), ('memInfo', True), ('diskInfo', False),
             ('pcieInfo', True), ('sensorInfo', bool(sensors)),
             ('temp', False), ('fruInfo', True)), check_blade=False)
        return convert.blade_health(reply, blade_id)

    # Blade_EN switch ("AC" power of the whole blade)

    def get_power_state(self, blade_id):
        """Return the state of a blade's Blade_EN switch.

        :returns: :class:`~msftocs_driver.ocs.models.PowerStateInfo`.
        """
        reply = self._blade_call('GetPowerState', 'PowerStateResponse',
                                 blade_id)
        return convert.power_state_info(reply, blade_id)

    def get_all_power_state(self):
        """Return the Blade_EN switch state of every slot.

        :returns: dict of blade id to ``BladeOutcome`` of
            :class:`~msftocs_driver.ocs.models.PowerStateInfo`.
        """
        return self._all('GetAllPowerState', 'GetAllPowerStateResponse',
                         'powerStateResponseCollection',
                         convert.power_state_info)

    def set_power_on(self, blade_id):
        """Turn a blade's Blade_EN switch on (its BMC then decompresses)."""
        self._blade_call('SetPowerOn', 'BladeResponse', blade_id,
                         mutating=True)

    def set_power_off(self, blade_id):
        """Turn a blade's Blade_EN switch off (cuts all its power)."""
        self._blade_call('SetPowerOff', 'BladeResponse', blade_id,
                         mutating=True)

    # Host power through the BMC

    def get_blade_state(self, blade_id):
        """Return a blade's host power state (``PowerState`` ON or OFF).

        :raises DevicePoweredOffError: if the Blade_EN switch is off.
        :raises FirmwareDecompressingError: right after the switch went on.
        :raises BladeTimeoutError: for an empty slot or a dead BMC.
        """
        reply = self._blade_call('GetBladeState', 'BladeStateResponse',
                                 blade_id)
        return convert.blade_state(reply, blade_id)

    def get_all_blades_state(self):
        """Return the host power state of every slot.

        :returns: dict of blade id to ``BladeOutcome`` of ``PowerState``;
            each error is what :meth:`get_blade_state` would raise.
        """
        return self._all('GetAllBladesState', 'GetAllBladesStateResponse',
                         'bladeStateResponseCollection', convert.blade_state)

    def set_blade_on(self, blade_id):
        """Power a blade's host on (IPMI chassis power-up)."""
        self._blade_call('SetBladeOn', 'BladeResponse', blade_id,
                         mutating=True)

    def set_blade_off(self, blade_id):
        """Power a blade's host off at once (IPMI power-down, not ACPI)."""
        self._blade_call('SetBladeOff', 'BladeResponse', blade_id,
                         mutating=True)

    def set_blade_active_power_cycle(self, blade_id, off_time=0):
        """Power-cycle a blade's host (also powers on a host that is off).

        :param off_time: seconds to stay off (the CM accepts up to 255).
        """
        self._blade_call('SetBladeActivePowerCycle', 'BladeResponse',
                         blade_id,
                         (('offTime', encoding.check_non_negative_int(
                             'off_time', off_time)),),
                         mutating=True)

    # Boot device

    def get_next_boot(self, blade_id):
        """Return a blade's next-boot override (``BladeBootType``).

        The chassis manager reports neither persistence nor UEFI mode.
        """
        reply = self._blade_call('GetNextBoot', 'BootResponse', blade_id)
        return reply.enum('nextBoot', constants.BladeBootType)

    def set_next_boot(self, blade_id, boot_type, *, uefi, persistent,
                      boot_instance=0):
        """Set a blade's next-boot override.

        :param boot_type: a ``BladeBootType`` other than ``Unknown``.
        :param uefi: boot in UEFI mode.
        :param persistent: apply to every later boot, not just the next.
        :param boot_instance: IPMI device instance selector (normally 0).
        :returns: the ``BladeBootType`` the chassis manager set.
        """
        if not isinstance(boot_type, constants.BladeBootType):
            raise TypeError('boot_type must be a BladeBootType, not %r'
                            % (boot_type,))
        reply = self._blade_call(
            'SetNextBoot', 'BootResponse', blade_id,
            (('bootType', boot_type), ('uefi', bool(uefi)),
             ('persistent', bool(persistent)),
             ('bootInstance', encoding.check_non_negative_int(
                 'boot_instance', boot_instance))),
            mutating=True)
        return reply.enum('nextBoot', constants.BladeBootType)

    # Attention LED

    def set_blade_attention_led(self, blade_id, on):
        """Turn a blade's attention LED (IPMI identify) on or off."""
        self._blade_call('SetBladeAttentionLED%s' % ('On' if on else 'Off'),
                         'BladeResponse', blade_id, mutating=True)
