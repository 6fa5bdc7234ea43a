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

"""The steps of a power change: command, switch on, and wait.

Every step runs under the time limit that :func:`changing_power` sets, so a
change with ``timeout=T`` ends within ``T +`` :data:`CALL_GRACE` seconds
whatever the chassis manager does. A command whose reply was lost may have
run: the steps then read the blade back rather than fail, and a failed wait
records what the blade was last seen in.
"""

import contextlib
import time

from ironic.common import exception
from ironic.common import states
from oslo_log import log

from msftocs_driver.common import boot_device
from msftocs_driver.common import cm
from msftocs_driver.common import power_reads
from msftocs_driver.common import state_cache
from msftocs_driver.conf import CONF
from msftocs_driver.i18n import _
from msftocs_driver.ocs import client as ocs_client
from msftocs_driver.ocs import constants
from msftocs_driver.ocs import exceptions as ocs_exc

LOG = log.getLogger(__name__)

#: Seconds the chassis-manager calls of a power change may run past its
#: timeout, so that a poll made right at the deadline still gets its answer
#: and the change fails with what was observed rather than a time-out. A
#: power change with ``timeout=T`` ends within ``T + CALL_GRACE`` seconds
#: whatever the chassis manager does (operations.rst says so).
CALL_GRACE = 5

#: Longest pause between two reads of the blade while waiting for a state.
_MAX_POLL_INTERVAL = 5.0

#: Attempts at the final host command of a power-on or reboot; a hard-off
#: blade needs two (the first one reveals that the switch is off).
_MAX_ATTEMPTS = 3


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
        except power_reads.FATAL_READ_ERRORS:
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


def start_host(task, client, info, deadline, power_cycle):
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

    :param task: the TaskManager of the change (exclusive lock).
    :param client: the node's ``ChassisManagerClient``.
    :param info: the node's parsed driver_info.
    :param deadline: the change's deadline on the ``time.monotonic()``
        clock.
    :param power_cycle: whether the host command is a power cycle.
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
def changing_power(node, action, target, timeout):
    """Lend the client for a power change bounded by ``timeout`` seconds.

    Every chassis-manager call of the change, the wait for the new state
    included, ends at most ``CALL_GRACE`` seconds after the deadline (a
    hung CM must not hold the conductor thread for the read timeout of every
    call and retry), and the blade's state is read fresh, not from the
    power-state cache.

    :param node: the node whose blade changes power.
    :param action: what the change is, for errors (e.g. ``'power on'``).
    :param target: the power state aimed at, for errors.
    :param timeout: seconds the change may take.
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


def wait_for_state(task, client, info, target, deadline, lost=None):
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

    :param task: the TaskManager of the change (exclusive lock).
    :param client: the node's ``ChassisManagerClient``.
    :param info: the node's parsed driver_info.
    :param deadline: the change's deadline on the ``time.monotonic()``
        clock.
    :param target: the power state to wait for.
    :param lost: the error of the command whose reply was lost, if any:
        reaching ``target`` then proves the command ran.
    :raises: PowerStateFailure saying what was observed.
    :raises: OCSError for a read error that waiting cannot cure.
    """
    interval = CONF.msftocs.power_poll_interval
    while True:
        try:
            observed, error = power_reads.read_power_state(
                client, info), None
        except power_reads.FATAL_READ_ERRORS:
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


def power_off(task, client, info, deadline):
    """Send SetBladeOff, waiting out a decompressing BMC first.

    :param task: the TaskManager of the change (exclusive lock).
    :param client: the node's ``ChassisManagerClient``.
    :param info: the node's parsed driver_info.
    :param deadline: the change's deadline on the ``time.monotonic()``
        clock.
    :returns: the error of a SetBladeOff whose reply was lost, else None.
    """
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
