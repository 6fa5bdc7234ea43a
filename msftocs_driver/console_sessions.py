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

"""The blade's serial session, seen from the console interface.

The bridge holds the session while somebody is connected; the interface
probes that one can be had before it starts socat, and stops sessions its
bridges left behind, never one that somebody else holds unless takeover
is configured.
"""

from oslo_log import log

from msftocs_driver.common import client_cache
from msftocs_driver.common import cm
from msftocs_driver.common import console_files
from msftocs_driver.common import serial_errors
from msftocs_driver.conf import CONF
from msftocs_driver import exception as msftocs_exc
from msftocs_driver.i18n import _
from msftocs_driver.ocs import exceptions as ocs_exc
from msftocs_driver.ocs import serial as ocs_serial

LOG = log.getLogger(__name__)

#: Inactivity timeout of the probe session: should its Stop get lost, the
#: chassis manager frees the blade soon (it counts in 30 s steps).
PROBE_SESSION_TIMEOUT = 30


def stop_serial_session(info, token=None):
    """Stop the blade's session: the one of ``token``, else any (best effort).

    A session of another token (somebody else's) is left alone.
    """
    node_uuid = info['node_uuid']
    try:
        with client_cache.borrowed_client(info) as client:
            try:
                client.stop_blade_serial_session(
                    info['blade_id'], token, force=token is None)
            except (ocs_exc.ConnectionError, ocs_exc.AuthenticationError):
                client_cache.evict(info, client)
                raise
    except (ocs_exc.NoActiveSerialSessionError,
            ocs_exc.SerialSessionActiveError):
        # Ours is gone; a session of another token is somebody else's.
        LOG.debug('The serial session node %s remembered is gone',
                  node_uuid)
    except (ocs_exc.DevicePoweredOffError,
            ocs_exc.FirmwareDecompressingError):
        # Without BMC power there is no session to stop.
        LOG.debug('No serial session to stop for node %s: the blade is '
                  'not powered', node_uuid)
    except ocs_exc.OCSError as exc:
        LOG.warning('Could not stop the serial session of node '
                    '%(node)s: %(err)s', {'node': node_uuid,
                                          'err': cm.describe(exc)})


def stop_left_session(info):
    """Stop a session a bridge of this conductor left behind.

    A bridge stops its own session when it exits and forgets its token;
    a token still remembered was left by a bridge that was killed, and
    names exactly that session. Other sessions on the blade are somebody
    else's and are stopped only with ``[msftocs]console_force_takeover``.

    :param info: parsed driver_info.
    """
    node_uuid = info['node_uuid']
    token = console_files.read_token(node_uuid)
    if token is not None:
        LOG.info('Stopping the serial session a console bridge of node '
                 '%s left behind', node_uuid)
        stop_serial_session(info, token)
        console_files.forget_token(node_uuid)
    if CONF.msftocs.console_force_takeover:
        stop_serial_session(info)


def _refuse_second_console(node, info):
    """On CM v2.0, refuse a console beside another one of this chassis.

    A v2.0 chassis has one serial session, on whichever blade: a second
    enabled console could never be connected while the first is.

    :raises: MsftOcsError naming the node whose console holds the chassis.
    """
    for other_uuid in console_files.served_nodes():
        if other_uuid == node.uuid:
            continue
        other = console_files.read_settings(other_uuid)
        if other and other['base_url'] == info['base_url']:
            raise msftocs_exc.MsftOcsError(
                node=node.uuid, error=_(
                    'start console: the chassis manager (CM v2.0) allows one '
                    'serial console per chassis, and the console of node '
                    '%(other)s (blade %(blade)s) of the same chassis is '
                    'enabled; disable it first') %
                {'other': other_uuid, 'blade': other['blade_id']})


def probe_serial_session(node, takeover):
    """Open and close a serial session to learn whether one can be had.

    socat only runs the bridge when somebody connects; probing now turns a
    powered-off blade, a session held elsewhere, a full chassis or (CM
    v2.0) another console of the chassis into an error of the console
    request itself, which the operator sees.

    :param takeover: force-stop a session held on the blade.
    :returns: the chassis manager's version text (``'2.0.1.3'``), or None
        if it could not be learned.
    :raises: MsftOcsError or the translated chassis-manager error.
    """
    with cm.client_for(node, 'start console') as (client, info):
        cm_version = client.cm_version()
        if cm_version.is_v20:
            _refuse_second_console(node, info)
        session = ocs_serial.SerialSession(
            client, info['blade_id'], session_timeout=PROBE_SESSION_TIMEOUT,
            force_takeover=takeover)
        try:
            session.open()
        except (ocs_exc.SerialSessionActiveError,
                ocs_exc.MaxSerialSessionReachedError) as exc:
            # Not a fault of the chassis manager: the operator has to act.
            reason = serial_errors.describe_error(exc, info['blade_id'])
            if cm_version.is_v20:
                reason += _(' (CM v2.0 has one serial session per chassis, '
                            'which a console of any of its blades holds)')
            raise msftocs_exc.MsftOcsError(
                node=node.uuid, error=_('start console: %s') % reason
            ) from exc
        finally:
            session.close()
    if cm_version.assumed:
        return None
    return '.'.join(str(number) for number in cm_version.numbers)
