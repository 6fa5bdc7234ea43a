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

"""Talking to a node's chassis manager: client lending and error translation.

Interfaces do::

    with cm.client_for(task.node, 'set boot device',
                       writes=True) as (client, info):
        client.set_next_boot(info['blade_id'], ...)

and every :class:`~msftocs_driver.ocs.exceptions.OCSError` raised inside the
block leaves it as the matching ironic exception, with the node UUID and the
chassis manager's completion code and status, logged once. A block that
writes to the blade says so (``writes=True``): the power-state cache then
forgets the blade.
"""

import contextlib

from ironic.common import exception
from oslo_log import log

from msftocs_driver.common import client_cache
from msftocs_driver.common import driver_info
from msftocs_driver.common import state_cache
from msftocs_driver.conf import CONF
from msftocs_driver import exception as msftocs_exc
from msftocs_driver.i18n import _
from msftocs_driver.ocs import exceptions as ocs_exc

LOG = log.getLogger(__name__)

# What the chassis manager's answer means, for the completion codes a node
# can run into because of its own state or configuration.
_HINTS = {
    ocs_exc.DevicePoweredOffError: _(
        'the blade is hard powered off (its Blade_EN switch is off), so its '
        'BMC cannot answer until the blade is powered on'),
    ocs_exc.FirmwareDecompressingError: _(
        'the blade\'s BMC firmware is still decompressing after its power '
        'switch was turned on; retry in about 30 seconds'),
    ocs_exc.CommandNotValidForBladeError: _(
        'the blade in this slot is not a server (e.g. a JBOD); check '
        'msftocs_blade_id'),
    ocs_exc.BladeTimeoutError: _(
        'the blade\'s BMC did not answer: the slot is empty or the BMC is '
        'not responding'),
}


def describe(exc):
    """Describe a client error for a message: what failed and the CM status.

    :param exc: an :class:`~msftocs_driver.ocs.exceptions.OCSError`.
    :returns: a string without secrets (the client never puts any in its
        errors).
    """
    text = str(exc)
    if isinstance(exc, ocs_exc.TLSError) and exc.verification_failed:
        return _('%s; to trust the chassis manager\'s certificate, set '
                 'driver_info/msftocs_verify_ca (this node) or '
                 '[msftocs]verify_ca (the default) to the CA bundle that '
                 'signed it') % text
    if isinstance(exc, ocs_exc.TimeLimitError):
        return _('%s (is the chassis manager hung?)') % text
    if isinstance(exc, ocs_exc.ReadTimeoutError):
        return _('%(err)s; no reply within [msftocs]read_timeout = %(t)s '
                 'seconds (is the chassis manager hung?)') % {
                     'err': text, 't': CONF.msftocs.read_timeout}
    if (isinstance(exc, ocs_exc.SerialSessionActiveError)
            and 'Serial' not in (exc.operation or '')):
        return _('%s: a serial console session is open on the chassis, and '
                 'this chassis manager (CM v2.0 with '
                 'KillSerialConsoleSession=0) refuses blade commands until '
                 'it ends') % text
    for cls, hint in _HINTS.items():
        if isinstance(exc, cls):
            return '%s: %s' % (text, hint)
    return text


def _reads(operation):
    """Whether a chassis-manager operation only reads (``Get...``)."""
    return bool(operation) and operation.startswith('Get')


def translate(node_uuid, action, exc, power_state=None):
    """Translate a client error into an ironic exception and log it once.

    :param node_uuid: UUID of the node the call was made for.
    :param action: what the driver was doing, e.g. ``'set boot device'``.
    :param exc: an :class:`~msftocs_driver.ocs.exceptions.OCSError`.
    :param power_state: the target power state when the failed call was
        part of a power change; a chassis-manager failure then becomes a
        ``PowerStateFailure`` (a rejected parameter stays an
        ``InvalidParameterValue``).
    :returns: the ironic exception to raise (``from exc``).
    """
    error = describe(exc)
    if exc.may_have_run and not _reads(exc.operation):
        # The command reached the chassis manager and no trustworthy
        # answer came back: say it may have run, lost or garbled reply
        # alike, so that nobody repeats it blindly.
        if isinstance(exc, ocs_exc.ConnectionError):
            text = _('no reply to %(op)s, which may have been applied: '
                     '%(err)s')
        else:
            text = _('no valid reply to %(op)s, which may have been '
                     'applied: %(err)s')
        error = text % {'op': exc.operation or _('the request'),
                        'err': error}
    elif isinstance(exc, ocs_exc.ConnectionError):
        if exc.may_have_run:
            error = _('no reply to %(op)s: %(err)s') % {
                'op': exc.operation, 'err': error}
        else:
            error = _('cannot reach the chassis manager: %s') % error
    if isinstance(exc, ocs_exc.ParameterOutOfRangeError):
        result = exception.InvalidParameterValue(
            _('The chassis manager of node %(node)s rejected a parameter '
              'of "%(action)s" (most often driver_info/msftocs_blade_id '
              'beyond the chassis population of 24 or 48 blades): %(err)s')
            % {'node': node_uuid, 'action': action, 'err': error})
    elif power_state is not None:
        # Ironic's convention for power actions, whatever went wrong.
        result = exception.PowerStateFailure(
            _('Failed to set node %(node)s power state to %(state)s while '
              'doing "%(action)s": %(err)s') %
            {'node': node_uuid, 'state': power_state, 'action': action,
             'err': error}, pstate=power_state)
    elif isinstance(exc, ocs_exc.AuthenticationError):
        result = msftocs_exc.MsftOcsAuthenticationError(
            node=node_uuid, error=_('%(action)s: %(err)s') %
            {'action': action, 'err': error})
    elif isinstance(exc, ocs_exc.ConnectionError):
        cls = (msftocs_exc.MsftOcsNoReplyError if exc.may_have_run
               else msftocs_exc.MsftOcsConnectionError)
        result = cls(node=node_uuid, error=_('%(action)s: %(err)s') %
                     {'action': action, 'err': error})
    else:
        result = msftocs_exc.MsftOcsError(
            node=node_uuid, error=_('%(action)s: %(err)s') %
            {'action': action, 'err': error})
    LOG.error('Chassis manager call failed for node %(node)s during '
              '"%(action)s": %(err)s',
              {'node': node_uuid, 'action': action, 'err': error})
    return result


@contextlib.contextmanager
def client_for(node, action, power_state=None, writes=False):
    """Lend the node's chassis-manager client and translate its errors.

    Connection and authentication errors also evict the cached client, so
    that the next call starts afresh (e.g. after a password change); the
    end of the caller's time limit does not.

    :param node: an ironic node object.
    :param action: what the driver is doing, for messages.
    :param power_state: target power state when this is a power change.
    :param writes: whether the block changes something on the blade; the
        blade's cached power state is then dropped when the block ends,
        whether the write succeeded or not.
    :returns: a context manager yielding ``(client, info)`` where ``info``
        is the parsed driver_info.
    :raises: InvalidParameterValue, MissingParameterValue on bad
        driver_info; the translated ironic exception on a client error.
    """
    info = driver_info.parse_driver_info(node)
    with client_cache.borrowed_client(info) as client:
        try:
            yield client, info
        except ocs_exc.OCSError as exc:
            if (isinstance(exc, (ocs_exc.ConnectionError,
                                 ocs_exc.AuthenticationError))
                    and not isinstance(exc, ocs_exc.TimeLimitError)):
                client_cache.evict(info, client)
            raise translate(node.uuid, action, exc,
                            power_state=power_state) from exc
        finally:
            if writes:
                state_cache.invalidate(info)
