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

"""Management interface of the msftocs hardware type.

What the chassis manager can and cannot tell, and what this interface does
about it:

* Boot device: SetNextBoot takes the device, the UEFI flag (from
  ``boot_mode_utils.get_boot_mode``) and persistence. GetNextBoot reports
  the device only, so ``persistent`` is always ``None``. A hard-off blade's
  BMC cannot take a boot device: it is recorded and applied when the blade
  is powered on.
* Boot mode: the firmware boot mode cannot be read or set through the CM;
  the mode that counts is the UEFI flag this driver sets on every boot
  override. ``get_boot_mode`` reports the current mode, which the CM never
  tells, so it answers ``None`` (unknown) without a CM call: the mode the
  driver requests is configuration, not an observation. The conductor
  calls it on every power-sync pass.
* Secure boot: not reported by the CM, so ``get_secure_boot_state`` keeps
  ironic's "unsupported" default and costs nothing.
* Vendor: every blade behind a chassis manager is an Open CloudServer
  blade, so ``detect_vendor`` answers a constant without a CM call.
* Indicators: the blade attention LED can be set but not read (reads give
  ``unknown``); the chassis attention LED, shared by all blades of the
  chassis, can be read and set.
"""

from ironic.common import boot_modes
from ironic.common import components
from ironic.common import exception
from ironic.common import indicator_states
from ironic.common import metrics_utils
from ironic.conductor import task_manager
from ironic.drivers import base
from ironic.drivers.modules import boot_mode_utils
from oslo_log import log

from msftocs_driver.common import boot_device
from msftocs_driver.common import cm
from msftocs_driver.common import driver_info
from msftocs_driver.common import health
from msftocs_driver.common import sensors
from msftocs_driver import exception as msftocs_exc
from msftocs_driver.i18n import _
from msftocs_driver.ocs import constants
from msftocs_driver.ocs import exceptions as ocs_exc
from msftocs_driver import steps

LOG = log.getLogger(__name__)
METRICS = metrics_utils.get_metrics_logger(__name__)

BOOT_DEVICE_MAP = boot_device.BOOT_DEVICE_MAP
BOOT_DEVICE_MAP_REV = boot_device.BOOT_DEVICE_MAP_REV

#: ``properties['vendor']`` of every node: an Open CloudServer blade,
#: whichever manufacturer built it (the CM does not report one).
VENDOR = 'microsoft'

#: driver_internal_info key of a boot device waiting for the BMC to be up.
PENDING_BOOT_DEVICE = boot_device.PENDING_BOOT_DEVICE

LED = 'led'
_SETTABLE_LED_STATES = {indicator_states.ON: True,
                        indicator_states.OFF: False}
_CHASSIS_LED_MAP = {constants.LedState.ON: indicator_states.ON,
                    constants.LedState.OFF: indicator_states.OFF}


_set_next_boot = boot_device.set_next_boot
apply_pending_boot_device = boot_device.apply_pending


class MsftOcsManagement(driver_info.ValidateDriverInfoMixin,
                        steps.BladeStepsMixin,
                        base.ManagementInterface):
    """Boot device, sensors, indicators, health and steps of an OCS blade."""

    def get_supported_boot_devices(self, task):
        """Return the boot devices the chassis manager can select.

        :param task: a TaskManager instance.
        :returns: a list of :mod:`ironic.common.boot_devices` values.
        """
        return list(BOOT_DEVICE_MAP)

    @METRICS.timer('MsftOcsManagement.set_boot_device')
    @task_manager.require_exclusive_lock
    def set_boot_device(self, task, device, persistent=False):
        """Set the next boot device of the node's blade.

        If the blade is hard powered off or its BMC firmware is still
        decompressing, the device is recorded and applied at power on.

        :param task: a TaskManager instance.
        :param device: a boot device from :mod:`ironic.common.boot_devices`.
        :param persistent: whether the device applies to every boot.
        :raises: InvalidParameterValue for an unsupported device.
        :raises: MsftOcsError and subclasses on CM errors.
        """
        if device not in BOOT_DEVICE_MAP:
            raise exception.InvalidParameterValue(
                _('Boot device %(dev)s is not supported by node %(node)s; '
                  'supported: %(all)s') %
                {'dev': device, 'node': task.node.uuid,
                 'all': ', '.join(BOOT_DEVICE_MAP)})
        node = task.node
        with cm.client_for(node, 'set boot device',
                           writes=True) as (client, info):
            try:
                _set_next_boot(task, client, info, device, persistent)
            except (ocs_exc.DevicePoweredOffError,
                    ocs_exc.FirmwareDecompressingError) as exc:
                LOG.info('The BMC of node %(node)s (blade %(blade)d) cannot '
                         'take a boot device now (%(err)s); %(dev)s will be '
                         'set when the blade is powered on',
                         {'node': node.uuid, 'blade': info['blade_id'],
                          'err': exc.code.name, 'dev': device})
                node.set_driver_internal_info(
                    PENDING_BOOT_DEVICE,
                    {'boot_device': device, 'persistent': bool(persistent)})
                node.save()
                return
        if node.driver_internal_info.get(PENDING_BOOT_DEVICE):
            node.del_driver_internal_info(PENDING_BOOT_DEVICE)
            node.save()

    @METRICS.timer('MsftOcsManagement.get_boot_device')
    def get_boot_device(self, task):
        """Return the next boot device of the node's blade.

        :param task: a TaskManager instance.
        :returns: ``{'boot_device': <device or None>, 'persistent': None}``;
            the CM cannot report persistence. While a boot device recorded
            for the next power on is pending, that device and its
            persistence, without a CM call: it is what the blade boots
            from when this driver starts it next.
        :raises: MsftOcsError and subclasses on CM errors.
        """
        pending = task.node.driver_internal_info.get(PENDING_BOOT_DEVICE)
        if pending:
            return {'boot_device': pending['boot_device'],
                    'persistent': pending['persistent']}
        with cm.client_for(task.node, 'get boot device') as (client, info):
            boot_type = client.get_next_boot(info['blade_id'])
        return {'boot_device': BOOT_DEVICE_MAP_REV.get(boot_type),
                'persistent': None}

    def get_supported_boot_modes(self, task):
        """Return the boot modes a boot override can request.

        :param task: a TaskManager instance.
        :returns: UEFI and legacy BIOS.
        """
        return [boot_modes.UEFI, boot_modes.LEGACY_BIOS]

    def get_boot_mode(self, task):
        """Return the blade's current boot mode: unknown, always.

        No chassis-manager operation reports the firmware's boot mode
        (GetNextBoot reports the device only, without its UEFI flag), so
        the current mode is unknown. The mode this driver requests on boot
        overrides (the node's ``boot_mode`` capability, or
        ``[deploy]default_boot_mode``) is configuration and is not reported
        as the current one. No CM call.

        :param task: a TaskManager instance.
        :returns: ``None``.
        """
        return None

    @METRICS.timer('MsftOcsManagement.get_node_health')
    def get_node_health(self, task):
        """Return the blade's health, batched per chassis under shared locks.

        See :mod:`msftocs_driver.common.health` for the mapping and cost.

        :param task: a TaskManager instance.
        :returns: an ``ironic.common.health_states.HealthState``, or None
            when the blade has no health to report (hard powered off,
            starting, JBOD).
        :raises: UnsupportedDriverExtension on an ironic without node
            health.
        :raises: MsftOcsError and subclasses on CM errors.
        """
        return health.get_node_health(task)

    @METRICS.timer('MsftOcsManagement.get_mac_addresses')
    def get_mac_addresses(self, task):
        """Return the MAC addresses of the blade's NICs (GetBladeInfo).

        NICs the CM reports with an error or as not present are left out.

        :param task: a TaskManager instance.
        :returns: a list of lowercase MAC addresses.
        :raises: MsftOcsError and subclasses on CM errors.
        """
        with cm.client_for(task.node, 'read the MAC addresses') as (client,
                                                                    info):
            blade = client.get_blade_info(info['blade_id'])
        return [nic.mac_address.lower() for nic in blade.nics
                if nic.mac_address]

    def detect_vendor(self, task):
        """Return the vendor of the node's hardware, without a CM call.

        :param task: a TaskManager instance.
        :returns: :data:`VENDOR`.
        """
        return VENDOR

    @task_manager.require_exclusive_lock
    def set_boot_mode(self, task, mode):
        """Accept the boot mode this driver already applies, refuse others.

        The CM has no API to change the firmware boot mode; the mode of a
        boot override follows the node's ``boot_mode`` capability (or
        ``[deploy]default_boot_mode``).

        :param task: a TaskManager instance.
        :param mode: ``boot_modes.UEFI`` or ``boot_modes.LEGACY_BIOS``.
        :raises: InvalidParameterValue for another mode.
        """
        current = boot_mode_utils.get_boot_mode(task.node)
        if mode != current:
            raise exception.InvalidParameterValue(
                _('The chassis manager of node %(node)s cannot change the '
                  'firmware boot mode; boot overrides use %(cur)s. Set the '
                  'node\'s boot_mode capability to %(mode)s instead.') %
                {'node': task.node.uuid, 'cur': current, 'mode': mode})

    @METRICS.timer('MsftOcsManagement.get_sensors_data')
    def get_sensors_data(self, task):
        """Return the blade's power reading and BMC sensors.

        :param task: a TaskManager instance.
        :returns: ``{sensor_type: {sensor_id: {'Sensor Reading': ...}}}``.
        :raises: FailedToGetSensorData on any CM error.
        """
        node = task.node
        try:
            with cm.client_for(node, 'get sensors data') as (client, info):
                reading = client.get_blade_power_reading(info['blade_id'])
                blade_health = client.get_blade_health(info['blade_id'],
                                                       sensors=True)
        except msftocs_exc.MsftOcsError as exc:
            raise exception.FailedToGetSensorData(node=node.uuid, error=exc)
        return sensors.sensors_data(reading, blade_health)

    def get_supported_indicators(self, task, component=None):
        """Return the blade and chassis attention LEDs.

        :param task: a TaskManager instance.
        :param component: optionally restrict to ``system`` or ``chassis``.
        :returns: ``{component: {'led': {'readonly': False, 'states':
            [...]}}}``.
        """
        indicators = {
            components.SYSTEM: {LED: {'readonly': False,
                                      'states': list(_SETTABLE_LED_STATES)}},
            components.CHASSIS: {LED: {'readonly': False,
                                       'states': list(_SETTABLE_LED_STATES)}},
        }
        if component is not None:
            return {k: v for k, v in indicators.items() if k == component}
        return indicators

    def _check_indicator(self, task, component, indicator, state=None):
        if (component not in (components.SYSTEM, components.CHASSIS)
                or indicator != LED):
            raise exception.InvalidParameterValue(
                _('Node %(node)s has no indicator %(ind)s on component '
                  '%(comp)s') % {'node': task.node.uuid, 'ind': indicator,
                                 'comp': component})
        if state is not None and state not in _SETTABLE_LED_STATES:
            raise exception.InvalidParameterValue(
                _('Indicator state %(state)s is not supported by node '
                  '%(node)s; use on or off') %
                {'state': state, 'node': task.node.uuid})

    @METRICS.timer('MsftOcsManagement.set_indicator_state')
    @task_manager.require_exclusive_lock
    def set_indicator_state(self, task, component, indicator, state):
        """Turn the blade or chassis attention LED on or off.

        :param task: a TaskManager instance.
        :param component: ``system`` (the blade) or ``chassis``.
        :param indicator: ``led``.
        :param state: ``on`` or ``off``.
        :raises: InvalidParameterValue for another indicator or state.
        :raises: MsftOcsError and subclasses on CM errors.
        """
        self._check_indicator(task, component, indicator, state)
        on = _SETTABLE_LED_STATES[state]
        with cm.client_for(task.node, 'set indicator',
                           writes=component == components.SYSTEM) as (client,
                                                                      info):
            if component == components.CHASSIS:
                client.set_chassis_attention_led(on)
            else:
                client.set_blade_attention_led(info['blade_id'], on)

    @METRICS.timer('MsftOcsManagement.get_indicator_state')
    def get_indicator_state(self, task, component, indicator):
        """Return the state of the blade or chassis attention LED.

        :param task: a TaskManager instance.
        :param component: ``system`` (the blade) or ``chassis``.
        :param indicator: ``led``.
        :returns: ``on``/``off`` for the chassis LED; ``unknown`` for the
            blade LED, which the CM cannot read back.
        :raises: InvalidParameterValue for another indicator.
        :raises: MsftOcsError and subclasses on CM errors.
        """
        self._check_indicator(task, component, indicator)
        if component == components.SYSTEM:
            return indicator_states.UNKNOWN
        with cm.client_for(task.node, 'get indicator') as (client, info):
            led = client.get_chassis_attention_led_status()
        return _CHASSIS_LED_MAP.get(led, indicator_states.UNKNOWN)
