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

"""Verify, clean, service and deploy steps of the management interface.

None needs a ramdisk: each is one or a few chassis-manager calls.

* ``verify_chassis_manager`` (verify step, runs at ``manage``): reaches
  the CM with the node's credentials, checks that their role may make the
  Admin calls the driver needs (power and console, reference 1.3), that
  the slot holds a server blade, and records the CM version in
  ``driver_internal_info['msftocs_cm_version']``.
* ``clear_blade_log`` (ClearBladeLog).
* ``set_power_limit`` (``watts``, ``enabled``): SetBladePowerLimit, then
  SetBladePowerLimitOn or Off.
* ``set_power_restore_policy`` (``state``: ``on`` or ``off``):
  SetBladeDefaultPowerStateOn or Off, read back with
  GetBladeDefaultPowerState.

The clean, service and deploy steps have priority 0: they run only when
asked for (manual cleaning, servicing, deploy templates).
"""

from ironic.common import exception
from ironic.drivers import base
from oslo_log import log

from msftocs_driver.common import args
from msftocs_driver.common import cm
from msftocs_driver import exception as msftocs_exc
from msftocs_driver.i18n import _
from msftocs_driver.ocs import constants
from msftocs_driver.ocs import exceptions as ocs_exc

LOG = log.getLogger(__name__)

#: driver_internal_info key of the CM version the verify step learnt.
CM_VERSION = 'msftocs_cm_version'
#: Priority of the verify step (enabled: verify steps run when > 0).
VERIFY_PRIORITY = 90
#: Blade types the driver can manage.
_NOT_SERVERS = frozenset({constants.BladeType.Jbod, constants.BladeType.IEB})
_RESTORE_STATES = {'on': constants.PowerState.ON,
                   'off': constants.PowerState.OFF}

_WATTS_ARG = {'watts': {
    'description': _('The power limit in watts, a whole number from %(min)d '
                     'to %(max)d.') % {
                         'min': constants.MIN_POWER_LIMIT_WATTS,
                         'max': constants.MAX_POWER_LIMIT_WATTS},
    'required': True},
    'enabled': {
    'description': _('Whether the limit is enforced (true, the default) or '
                     'only recorded (false).'),
    'required': False}}
_STATE_ARG = {'state': {
    'description': _('"on": the host powers up whenever the blade gets '
                     'power; "off": it stays off until powered on.'),
    'required': True}}


def _step(argsinfo=None):
    """Declare an out-of-band clean, service and deploy step, priority 0."""
    def decorate(func):
        func = base.deploy_step(priority=0, argsinfo=argsinfo)(func)
        func = base.service_step(priority=0, argsinfo=argsinfo,
                                 requires_ramdisk=False)(func)
        return base.clean_step(priority=0, argsinfo=argsinfo,
                               requires_ramdisk=False)(func)
    return decorate


def _verify_failure(node, reason):
    return exception.NodeVerifyFailure(node=node.uuid, reason=reason)


class BladeStepsMixin:
    """The steps of :class:`~msftocs_driver.management.MsftOcsManagement`."""

    @base.verify_step(priority=VERIFY_PRIORITY)
    def verify_chassis_manager(self, task):
        """Check the CM account and the slot, and record the CM version.

        :param task: a TaskManager instance with an exclusive lock.
        :raises: MsftOcsAuthenticationError for rejected credentials,
            MsftOcsConnectionError for an unreachable CM.
        :raises: NodeVerifyFailure when the account lacks the Admin role or
            the slot does not hold a server blade.
        """
        node = task.node
        with cm.client_for(node, 'verify the chassis manager') as (client,
                                                                   info):
            blade_id = info['blade_id']
            if not client.has_admin_role(blade_id):
                raise _verify_failure(node, _(
                    'the chassis-manager account in msftocs_username may '
                    'not power blades on or off: power and console calls '
                    'need the WcsCmAdmin role. Add the account to the '
                    'WcsCmAdmin group (or the local Administrators) of the '
                    'chassis manager, or use another account.'))
            self._check_server_blade(node, client, blade_id)
            version = client.cm_version()
        if not version.assumed:
            node.set_driver_internal_info(CM_VERSION, str(version))
            node.save()
        LOG.info('Verified node %(node)s: chassis manager %(url)s, version '
                 '%(version)s, blade %(blade)d',
                 {'node': node.uuid, 'url': info['base_url'],
                  'version': version, 'blade': blade_id})

    @staticmethod
    def _check_server_blade(node, client, blade_id):
        try:
            blade = client.get_blade_info(blade_id)
        except ocs_exc.BladeTimeoutError:
            raise _verify_failure(node, _(
                'slot %d of the chassis is empty or its blade\'s BMC does '
                'not answer the chassis manager; check msftocs_blade_id and '
                'the blade.') % blade_id)
        except (ocs_exc.DevicePoweredOffError,
                ocs_exc.FirmwareDecompressingError) as exc:
            # Without power the BMC cannot tell the blade type; inspection
            # and every power-on check it again.
            LOG.warning('Blade %(blade)d of node %(node)s cannot report its '
                        'type now (%(code)s); it is checked when the blade '
                        'has power', {'blade': blade_id, 'node': node.uuid,
                                      'code': exc.code.name})
            return
        if blade.blade_type in _NOT_SERVERS:
            raise _verify_failure(node, _(
                'slot %(blade)d of the chassis holds a %(type)s blade, not a '
                'server: it has no host to power or deploy. Check '
                'msftocs_blade_id.') % {'blade': blade_id,
                                        'type': blade.blade_type.value})

    @_step()
    def clear_blade_log(self, task):
        """Clear the blade's event log (ClearBladeLog).

        :param task: a TaskManager instance with an exclusive lock.
        :raises: the translated chassis-manager error.
        """
        with cm.client_for(task.node, 'clear the blade log',
                           writes=True) as (client, info):
            client.clear_blade_log(info['blade_id'])
        LOG.info('Cleared the event log of node %s', task.node.uuid)

    @_step(argsinfo=_WATTS_ARG)
    def set_power_limit(self, task, watts=None, enabled=True):
        """Set the blade's power limit and enforce it or not.

        Both arguments are checked before any chassis-manager call.

        :param task: a TaskManager instance with an exclusive lock.
        :param watts: the limit, a whole number of watts in the CM's range.
        :param enabled: whether the limit is enforced.
        :raises: InvalidParameterValue, MissingParameterValue for a bad
            argument; the translated chassis-manager error.
        """
        node = task.node
        watts = args.parse_watts(node, watts)
        enabled = args.parse_bool(node, 'enabled', enabled)
        with cm.client_for(node, 'set the power limit',
                           writes=True) as (client, info):
            client.set_blade_power_limit(info['blade_id'], watts)
            client.set_blade_power_limit_active(info['blade_id'], enabled)
        LOG.info('Set the power limit of node %(node)s to %(watts)d W, '
                 '%(state)s', {'node': node.uuid, 'watts': watts,
                               'state': 'enforced' if enabled
                               else 'not enforced'})

    @_step(argsinfo=_STATE_ARG)
    def set_power_restore_policy(self, task, state=None):
        """Set what the host does when the blade gets power, and check it.

        :param task: a TaskManager instance with an exclusive lock.
        :param state: ``on`` (the host powers up with the blade) or ``off``
            (it stays off until powered on).
        :raises: InvalidParameterValue, MissingParameterValue for a bad
            argument; MsftOcsError when the policy read back differs; the
            translated chassis-manager error.
        """
        node = task.node
        state = args.parse_choice(node, 'state', state,
                                  tuple(_RESTORE_STATES))
        with cm.client_for(node, 'set the power restore policy',
                           writes=True) as (client, info):
            client.set_blade_default_power_state(info['blade_id'],
                                                 state == 'on')
            found = client.get_blade_default_power_state(info['blade_id'])
        if found is not _RESTORE_STATES[state]:
            raise msftocs_exc.MsftOcsError(node=node.uuid, error=_(
                'the chassis manager accepted the power restore policy '
                '"%(state)s" but reads it back as %(found)s') % {
                    'state': state, 'found': found.name})
        LOG.info('Power restore policy of node %(node)s: %(state)s',
                 {'node': node.uuid, 'state': state})
