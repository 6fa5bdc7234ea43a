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

import contextlib
import time

from ironic.common import exception
from ironic.common import metrics_utils
from ironic.common import states
from ironic.conductor import task_manager
from ironic.drivers import base
from oslo_log import log

from msftocs_driver.common import boot_device
from msftocs_driver.common import cm
from msftocs_driver.common import console_guard
from msftocs_driver.common import driver_info
from msftocs_driver.common import state_cache
from msftocs_driver.conf import CONF
from msftocs_driver import exception as msftocs_exc
from msftocs_driver.i18n import _
from msftocs_driver.ocs import client as ocs_client
from msftocs_driver.ocs import constants
from msftocs_driver.ocs import exceptions as ocs_exc

LOG = log.getLogger(__name__)
METRICS = metrics_utils.get_metrics_logger(__name__)

_BLADE_STATE_MAP = {
    constants.PowerState.ON: states.POWER_ON,
    constants.PowerState.OFF: states.POWER_OFF,
    # Only reported when the CM's cached and fresh switch reads disagree
    # right after a switch-on: the host is not running yet.
    constants.PowerState.OnFwDecompress: states.POWER_OFF,
}

#: Seconds the chassis-manager calls of a power change may run past its
#: timeout, so that a poll made right at the deadline still gets its answer
#: and the change fails with what was observed rather than a time-out. A
#: power change with ``timeout=T`` ends within ``T + CALL_GRACE`` seconds
#: whatever the chassis manager does (operations.rst says so).
CALL_GRACE = 5

#: Longest pause between two reads of the blade while waiting for a state.
_MAX_POLL_INTERVAL = 5.0

#: Errors after which waiting longer cannot help: the configuration is wrong.
_FATAL_READ_ERRORS = (ocs_exc.AuthenticationError,
                      ocs_exc.ParameterOutOfRangeError,
                      ocs_exc.CommandNotValidForBladeError)

#: Attempts at the final host command of a power-on or reboot; a hard-off
#: blade needs two (the first one reveals that the switch is off).
_MAX_ATTEMPTS = 3


def read_shared_blade_state(client, info):
    """Read a blade's state for a task holding a shared lock.

    The one place where shared-lock reads get their state: from the
    chassis batch of :mod:`~msftocs_driver.common.state_cache`.

    :param client: the node's ``ChassisManagerClient``.
    :param info: the node's parsed driver_info.
    :returns: a :class:`~msftocs_driver.ocs.constants.PowerState`.
    :raises: OCSError as GetBladeState raises it.
    """
    return state_cache.get_blade_state(client, info)


def read_power_state(client, info, shared_lock=False):
    """Map a blade's GetBladeState answer to an ironic power state.

    :param client: the node's ``ChassisManagerClient``.
    :param info: the node's parsed driver_info.
    :param shared_lock: whether the caller's task holds a shared lock (power
        sync, API reads): only such a read may be served from the chassis
        batch of :mod:`~msftocs_driver.common.state_cache`. Under an
        exclusive lock (power actions and their waits) the blade is always
        read fresh.
    :returns: ``states.POWER_ON`` or ``states.POWER_OFF``.
    :raises: MsftOcsError if the chassis manager reports no usable state.
    :raises: OCSError for any other chassis-manager error.
    """
    try:
        if shared_lock:
            blade_state = read_shared_blade_state(client, info)
        else:
            blade_state = client.get_blade_state(info['blade_id'])
    except ocs_exc.DevicePoweredOffError:
        return states.POWER_OFF
    except ocs_exc.FirmwareDecompressingError:
        # The switch was just turned on; the host is not on (yet).
        return states.POWER_OFF
    try:
        return _BLADE_STATE_MAP[blade_state]
    except KeyError:
        LOG.error('The chassis manager reports blade state %(state)s for '
                  'blade %(blade)d of node %(node)s',
                  {'state': blade_state, 'blade': info['blade_id'],
                   'node': info['node_uuid']})
        raise msftocs_exc.MsftOcsError(
            node=info['node_uuid'],
            error=_('the chassis manager reports blade state %(state)s '
                    'for blade %(blade)d') % {
                        'state': getattr(blade_state, 'name', blade_state),
                        'blade': info['blade_id']})


def _wait_for_firmware(task, client, info, deadline, target=states.POWER_ON,
                       lost=None):
    """Poll the Blade_EN switch until the BMC firmware is decompressed.

    :param lost: the error of a SetPowerOn whose reply was lost, if any.
    :raises: PowerStateFailure at the deadline, saying what was observed.
    """
    blade_id = info['blade_id']
    while True:
        try:
            reading, error = client.get_power_state(blade_id), None
        except _FATAL_READ_ERRORS:
            raise
        except ocs_exc.OCSError as exc:
            reading, error = None, exc
        if (reading is not None and reading.state == constants.PowerState.ON
                and not reading.decompression_seconds):
            return
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            break
        LOG.debug('Waiting for the firmware of blade %(blade)d of node '
                  '%(node)s to decompress (%(left)s s left)',
                  {'blade': blade_id, 'node': info['node_uuid'],
                   'left': getattr(reading, 'decompression_seconds', None)})
        time.sleep(min(CONF.msftocs.power_poll_interval, remaining))
    if error is not None:
        seen = _('its power switch could not be read (%s)') % cm.describe(
            error)
        task.node.power_state = states.NOSTATE
    else:
        seen = _('its power switch reads %(state)s with %(left)s seconds of '
                 'firmware decompression left') % {
                     'state': reading.state.name,
                     'left': reading.decompression_seconds}
    if lost is not None:
        seen = '%s; %s' % (_describe_lost(lost), seen)
    raise exception.PowerStateFailure(
        _('Blade %(blade)d of node %(node)s is not ready after the power '
          'timeout: %(seen)s') %
        {'blade': blade_id, 'node': info['node_uuid'], 'seen': seen},
        pstate=target)


def _start_host(task, client, info, deadline, power_cycle):
    """Power the host on or cycle it, switching the blade on first if needed.

    A pending boot device (recorded while the BMC was unreachable) is
    applied right before the host command (SetBladeOn, or
    SetBladeActivePowerCycle with ``power_cycle``).

    A hard-off blade is recognised by the command's own DevicePoweredOff
    answer rather than by a GetBladeState first: the CM validates every
    BMC command in the order id, blade type, Blade_EN off, decompression
    (reference 6.1), so the answer is the same and the usual case saves a
    bus transaction.

    Once the BMC was found down (hard off or decompressing), the command
    becomes a power cycle: the BMC's power-restore policy may start the host
    as soon as its firmware is up, before the boot device is set, and a power
    cycle restarts such a host as it powers on one that is off (reference
    6.1), so the host boots with the boot device just set. A node with
    ``disable_power_off`` keeps the plain command.

    :returns: the error of a host command whose reply was lost (it may have
        run), else None.
    """
    blade_id = info['blade_id']
    bmc_was_down = False
    for attempt in range(_MAX_ATTEMPTS):
        try:
            boot_device.apply_pending(task, client, info)
            if power_cycle or (bmc_was_down
                               and not task.node.disable_power_off):
                return _command(task, info, lambda: (
                    client.set_blade_active_power_cycle(blade_id,
                                                        off_time=0)))
            return _command(task, info,
                            lambda: client.set_blade_on(blade_id))
        except ocs_exc.DevicePoweredOffError:
            if bmc_was_down or attempt == _MAX_ATTEMPTS - 1:
                raise
            LOG.info('Blade %(blade)d of node %(node)s is hard powered '
                     'off; turning its power switch on',
                     {'blade': blade_id, 'node': info['node_uuid']})
            lost = _command(task, info,
                            lambda: client.set_power_on(blade_id))
        except ocs_exc.FirmwareDecompressingError:
            if attempt == _MAX_ATTEMPTS - 1:
                raise
            lost = None
        bmc_was_down = True
        _wait_for_firmware(task, client, info, deadline, lost=lost)


@contextlib.contextmanager
def _changing_power(node, action, target, timeout):
    """Lend the client for a power change bounded by ``timeout`` seconds.

    Every chassis-manager call of the change, the wait for the new state
    included, ends at most ``CALL_GRACE`` seconds after the deadline (a
    hung CM must not hold the conductor thread for the read timeout of every
    call and retry), and the blade's state is read fresh, not from the
    power-state cache.

    :returns: a context manager yielding ``(client, info, deadline)``,
        ``deadline`` on the ``time.monotonic()`` clock.
    """
    deadline = time.monotonic() + timeout
    with ocs_client.time_limit(timeout + CALL_GRACE), \
            cm.client_for(node, action, target) as (client, info), \
            state_cache.power_change(info):
        yield client, info, deadline


def _describe_lost(lost):
    """``no reply to SetBladeOn (...)`` for a command that may have run."""
    return _('no reply to %(op)s (%(err)s)') % {
        'op': lost.operation or _('the command'), 'err': cm.describe(lost)}


def _wait_for_state(task, client, info, target, deadline, lost=None):
    """Read the blade fresh until it reaches ``target`` or the deadline.

    Ironic's ``node_wait_for_power_state`` polls on a thread of its own,
    where the time limit of the power change does not apply; this loop
    polls on the caller's thread, so every read is bounded by it. Like
    ironic's, it reads first right away (the host usually reaches the state
    as soon as the command returns), then at a growing interval, and fails
    with ``PowerStateFailure`` at the deadline. Reads that fail for a
    reason that may pass (no reply, a busy BMC) do not end the wait.

    When the wait fails, ``task.node.power_state`` is set to what the blade
    was last seen in, or to no state when it could not be read, so that
    ironic records the truth and no power sync reverses a command that may
    have run.

    :param lost: the error of the command whose reply was lost, if any:
        reaching ``target`` then proves the command ran.
    :raises: PowerStateFailure saying what was observed.
    :raises: OCSError for a read error that waiting cannot cure.
    """
    interval = CONF.msftocs.power_poll_interval
    while True:
        try:
            observed, error = read_power_state(client, info), None
        except _FATAL_READ_ERRORS:
            raise
        except ocs_exc.OCSError as exc:
            observed, error = None, exc
        if observed == target:
            if lost is not None:
                LOG.warning('Node %(node)s (blade %(blade)d) reached '
                            '%(state)s although there was %(lost)s',
                            {'node': info['node_uuid'],
                             'blade': info['blade_id'], 'state': target,
                             'lost': _describe_lost(lost)})
            return
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            break
        time.sleep(min(interval, remaining))
        interval = min(interval * 2, _MAX_POLL_INTERVAL)
    task.node.power_state = observed if error is None else states.NOSTATE
    if error is None:
        seen = _('the blade reads %s') % observed
    else:
        seen = _('its state could not be read (%s)') % cm.describe(error)
    why = (_describe_lost(lost) if lost is not None
           else _('the command was accepted'))
    raise exception.PowerStateFailure(
        _('Node %(node)s (blade %(blade)d) did not reach %(state)s within '
          'the power timeout: %(why)s, and %(seen)s') %
        {'node': info['node_uuid'], 'blade': info['blade_id'],
         'state': target, 'why': why, 'seen': seen}, pstate=target)


def _command(task, info, run):
    """Send the power command ``run()``; return the error of a lost reply.

    :returns: None when the command was answered, or the OCSError of a
        command that may have run (its reply was lost): the caller then
        reads the blade back.
    :raises: OCSError when the command provably did not run.
    """
    try:
        run()
    except ocs_exc.OCSError as exc:
        if not exc.may_have_run or isinstance(
                exc, ocs_exc.CompletionCodeError):
            raise
        LOG.warning('Node %(node)s (blade %(blade)d): %(lost)s; reading '
                    'the blade back until the power timeout',
                    {'node': task.node.uuid, 'blade': info['blade_id'],
                     'lost': _describe_lost(exc)})
        return exc
    return None


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
            return read_power_state(client, info,
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
        with _changing_power(task.node, action, power_state, timeout) as (
                client, info, deadline):
            if power_state == states.POWER_ON:
                lost = _start_host(task, client, info, deadline,
                                   power_cycle=False)
            else:
                lost = self._power_off(task, client, info, deadline)
            _wait_for_state(task, client, info, power_state, deadline, lost)
        LOG.info('Node %(node)s (blade %(blade)d) is now %(state)s',
                 {'node': task.node.uuid, 'blade': info['blade_id'],
                  'state': power_state})

    @staticmethod
    def _power_off(task, client, info, deadline):
        """Send SetBladeOff; return the error of a lost reply, else None."""
        for attempt in range(_MAX_ATTEMPTS):
            try:
                return _command(task, info,
                                lambda: client.set_blade_off(info['blade_id']))
            except ocs_exc.DevicePoweredOffError:
                # No power at all: the host is off already.
                return None
            except ocs_exc.FirmwareDecompressingError:
                # The host is off now but the BMC's power-restore policy may
                # turn it on once decompressed: wait and make sure.
                if attempt == _MAX_ATTEMPTS - 1:
                    raise
                _wait_for_firmware(task, client, info, deadline,
                                   states.POWER_OFF)

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
        with _changing_power(task.node, 'reboot', states.REBOOT,
                             timeout) as (client, info, deadline):
            if (task.node.disable_power_off
                    and read_power_state(client, info) == states.POWER_ON):
                raise exception.PowerStateFailure(
                    _('Refusing to reboot node %s: disable_power_off is '
                      'set and the chassis manager can only reboot a '
                      'blade by power-cycling it') % task.node.uuid,
                    pstate=states.REBOOT)
            lost = _start_host(task, client, info, deadline,
                               power_cycle=True)
            _wait_for_state(task, client, info, states.POWER_ON, deadline,
                            lost)
        LOG.info('Node %(node)s (blade %(blade)d) was power-cycled',
                 {'node': task.node.uuid, 'blade': info['blade_id']})
