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

"""Power interface of the msftocs hardware type.

A blade has two power domains. The Blade_EN hot-swap switch
(SetPowerOn/SetPowerOff/GetPowerState) feeds the whole blade, BMC included;
host power goes through the BMC (SetBladeOn/SetBladeOff/GetBladeState).
"Power off" here is host power off through the BMC: the BMC stays up, so
boot device changes and the serial console keep working. A blade whose
switch is off ("hard off") reads as powered off and is switched on, then
waited for, when ironic powers it on.

The chassis manager has no graceful shutdown: SetBladeOff is an immediate
IPMI power-down and SetBladeActivePowerCycle a hard power cycle. The
interface therefore advertises no soft power states.
"""

from ironic.common import exception
from ironic.common import metrics_utils
from ironic.common import states
from ironic.conductor import task_manager
from ironic.drivers import base
from oslo_log import log

from msftocs_driver.common import cm
from msftocs_driver.common import console_guard
from msftocs_driver.common import driver_info
from msftocs_driver.common import power_change
from msftocs_driver.common import power_reads
from msftocs_driver.conf import CONF
from msftocs_driver.i18n import _

LOG = log.getLogger(__name__)
METRICS = metrics_utils.get_metrics_logger(__name__)


class MsftOcsPower(driver_info.ValidateDriverInfoMixin,
                   base.PowerInterface):
    """Power control of an OCS blade through its chassis manager."""

    @METRICS.timer('MsftOcsPower.get_power_state')
    def get_power_state(self, task):
        """Return the power state of the node's blade host.

        Under a shared lock (power sync, API reads) the state may come from
        the chassis-wide batch of ``[msftocs]power_state_cache_ttl``, or,
        while a console of this conductor holds the only serial session of
        a CM v2.0 chassis, from the power switch (see
        :mod:`~msftocs_driver.common.console_guard`); under an exclusive
        lock it is always read fresh.

        :param task: a TaskManager instance.
        :returns: ``states.POWER_ON`` or ``states.POWER_OFF``.
        :raises: MsftOcsError, MsftOcsConnectionError,
            MsftOcsAuthenticationError, InvalidParameterValue.
        """
        with cm.client_for(task.node, 'get power state') as (client, info):
            if task.shared:
                state = console_guard.power_state_while_console(
                    client, info, task.node.power_state)
                if state is not None:
                    return state
            return power_reads.read_power_state(client, info,
                                                shared_lock=task.shared)

    def get_supported_power_states(self, task):
        """Return the power states the chassis manager can really reach.

        :param task: a TaskManager instance.
        :returns: power on, power off and (hard) reboot.
        """
        return [states.POWER_ON, states.POWER_OFF, states.REBOOT]

    @METRICS.timer('MsftOcsPower.set_power_state')
    @task_manager.require_exclusive_lock
    def set_power_state(self, task, power_state, timeout=None):
        """Turn the node's blade host on or off and wait for it.

        :param task: a TaskManager instance.
        :param power_state: ``states.POWER_ON``, ``states.POWER_OFF`` or
            ``states.REBOOT``.
        :param timeout: seconds to reach the state; defaults to
            ``[conductor]power_state_change_timeout``.
        :raises: InvalidParameterValue for a state the CM cannot reach.
        :raises: PowerStateFailure if the change failed or timed out.
        :raises: MsftOcsError and subclasses on other CM errors.
        """
        if power_state == states.REBOOT:
            return self.reboot(task, timeout=timeout)
        if power_state not in (states.POWER_ON, states.POWER_OFF):
            raise exception.InvalidParameterValue(
                _('Power state %(state)s is not supported by node %(node)s: '
                  'the chassis manager has no graceful shutdown') %
                {'state': power_state, 'node': task.node.uuid})
        if power_state == states.POWER_OFF and task.node.disable_power_off:
            raise exception.PowerStateFailure(
                _('Refusing to power off node %s: disable_power_off is set')
                % task.node.uuid, pstate=power_state)
        action = 'power %s' % ('on' if power_state == states.POWER_ON
                               else 'off')
        timeout = timeout or CONF.conductor.power_state_change_timeout
        with power_change.changing_power(task.node, action, power_state,
                                         timeout) as (client, info, deadline):
            if power_state == states.POWER_ON:
                lost = power_change.start_host(task, client, info, deadline,
                                               power_cycle=False)
            else:
                lost = power_change.power_off(task, client, info, deadline)
            power_change.wait_for_state(task, client, info, power_state,
                                        deadline, lost)
        LOG.info('Node %(node)s (blade %(blade)d) is now %(state)s',
                 {'node': task.node.uuid, 'blade': info['blade_id'],
                  'state': power_state})

    @METRICS.timer('MsftOcsPower.reboot')
    @task_manager.require_exclusive_lock
    def reboot(self, task, timeout=None):
        """Hard-reboot the node's blade (power cycle) and wait for power on.

        SetBladeActivePowerCycle also turns a host that is off on; a hard-off
        blade is switched on first. The chassis manager has no reset that
        keeps power on, so a node with ``disable_power_off`` can only be
        "rebooted" from power off.

        :param task: a TaskManager instance.
        :param timeout: seconds to reach power on; defaults to
            ``[conductor]power_state_change_timeout``.
        :raises: PowerStateFailure if the reboot failed or timed out, or if
            it would power off a node with ``disable_power_off``.
        :raises: MsftOcsError and subclasses on other CM errors.
        """
        timeout = timeout or CONF.conductor.power_state_change_timeout
        with power_change.changing_power(task.node, 'reboot', states.REBOOT,
                                         timeout) as (client, info, deadline):
            if (task.node.disable_power_off
                    and power_reads.read_power_state(client, info)
                    == states.POWER_ON):
                raise exception.PowerStateFailure(
                    _('Refusing to reboot node %s: disable_power_off is '
                      'set and the chassis manager can only reboot a '
                      'blade by power-cycling it') % task.node.uuid,
                    pstate=states.REBOOT)
            lost = power_change.start_host(task, client, info, deadline,
                                           power_cycle=True)
            power_change.wait_for_state(task, client, info, states.POWER_ON,
                                        deadline, lost)
        LOG.info('Node %(node)s (blade %(blade)d) was power-cycled',
                 {'node': task.node.uuid, 'blade': info['blade_id']})
