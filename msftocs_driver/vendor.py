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

"""Vendor passthru methods of OCS blades: inventory and power capping.

Reads are synchronous (``GET``, the answer is the return value) and take no
exclusive lock; writes are asynchronous (``POST``, they run in a conductor
worker under the node's exclusive lock). Every method returns plain JSON
data and nothing from the node's driver_info.

A synchronous read ends before the API stops waiting for it: all its
chassis-manager calls, retries included, share a time limit a margin below
the RPC timeout in force (see :mod:`msftocs_driver.common.rpc_budget`).

Power-limit writes drop the blade's entry of the power-state cache used by
power-state sync, like every write to a blade, although the chassis manager
programs the limit with the exception action "none" (a limit never turns a
blade off).
"""

import functools

from ironic.common import exception
from ironic.common import metrics_utils
from ironic.drivers import base
from oslo_log import log

from msftocs_driver.common import args
from msftocs_driver.common import cm
from msftocs_driver.common import driver_info
from msftocs_driver.common import rpc_budget
from msftocs_driver.i18n import _
from msftocs_driver.ocs import client as ocs_client

LOG = log.getLogger(__name__)
METRICS = metrics_utils.get_metrics_logger(__name__)

#: Arguments each passthru method accepts; anything else is rejected.
METHOD_ARGUMENTS = {
    'chassis_info': frozenset(),
    'blade_info': frozenset(),
    'power_reading': frozenset(),
    'power_limit': frozenset(),
    'set_power_limit': frozenset({'watts'}),
    'power_limit_on': frozenset(),
    'power_limit_off': frozenset(),
    'blade_log': frozenset({'start', 'end'}),
    'post_code': frozenset(),
}

#: Most log entries ``blade_log`` returns (the newest ones), and the most
#: characters kept of each description.
MAX_LOG_ENTRIES = 200
MAX_LOG_DESCRIPTION = 512


def _read_passthru(description):
    """Declare a synchronous read: the answer is the API's reply.

    It takes no exclusive lock, and its chassis-manager calls end within
    :func:`~msftocs_driver.common.rpc_budget.synchronous_budget`.

    :param description: what the method returns, for the API.
    """
    declare = base.passthru(['GET'], async_call=False,
                            require_exclusive_lock=False,
                            description=description)

    def decorate(func):
        @functools.wraps(func)
        def bounded(self, task, **kwargs):
            with ocs_client.time_limit(rpc_budget.synchronous_budget()):
                return func(self, task, **kwargs)
        return declare(bounded)
    return decorate


def _blade_call(task, action, method, *args, writes=False):
    """Call a blade method of the node's chassis-manager client.

    :param task: a TaskManager instance containing the node to act on.
    :param action: what is being done, for messages.
    :param method: name of a ``ChassisManagerClient`` method whose first
        argument is the blade id.
    :param args: its further arguments.
    :param writes: whether the call changes the blade (see
        :func:`msftocs_driver.common.cm.client_for`).
    :returns: what the method returns.
    :raises: the ironic exception of a chassis-manager error.
    """
    with cm.client_for(task.node, action, writes=writes) as (client, info):
        return getattr(client, method)(info['blade_id'], *args)


def _enum_name(value):
    return value.name if value is not None else None


def _nic(nic):
    return {'device_id': nic.device_id,
            'mac_address': nic.mac_address.lower() if nic.mac_address
            else None}


class MsftOcsVendorPassthru(driver_info.ValidateDriverInfoMixin,
                            base.VendorInterface):
    """Chassis and blade inventory, power readings and power capping."""

    @METRICS.timer('MsftOcsVendorPassthru.validate')
    def validate(self, task, method=None, **kwargs):
        """Check driver_info and a passthru call's arguments.

        Runs before any chassis-manager call; never contacts the chassis.

        :param task: a TaskManager instance containing the node to act on.
        :param method: the passthru method name.
        :param kwargs: the passthru call's arguments (and ``http_method``).
        :raises: InvalidParameterValue for an unknown method, an unexpected
            argument or a malformed one.
        :raises: MissingParameterValue for a missing argument or driver_info
            property.
        """
        super().validate(task)
        if method is None:
            return
        if method not in METHOD_ARGUMENTS:
            raise exception.InvalidParameterValue(_(
                'Unknown vendor passthru method %(method)s for node '
                '%(node)s.') % {'method': method, 'node': task.node.uuid})
        kwargs.pop('http_method', None)
        unexpected = set(kwargs) - METHOD_ARGUMENTS[method]
        if unexpected:
            raise exception.InvalidParameterValue(_(
                'Unexpected argument(s) %(args)s for vendor passthru method '
                '%(method)s of node %(node)s.') % {
                    'args': ', '.join(sorted(unexpected)),
                    'method': method, 'node': task.node.uuid})
        if method == 'set_power_limit':
            args.parse_watts(task.node, kwargs.get('watts'))
        if method == 'blade_log':
            args.parse_time_window(task.node, kwargs.get('start'),
                                   kwargs.get('end'))

    @METRICS.timer('MsftOcsVendorPassthru.chassis_info')
    @_read_passthru(description=_(
        'Return the inventory of the chassis the blade is '
        'in: serial number, asset tag, firmware, hardware '
        'and software versions and uptime of the chassis '
        'manager, and the GUID, name, power state and MAC '
        'addresses of every slot. Slow: the chassis manager '
        'queries every blade; the call fails rather than '
        'outlive the API request. No arguments.'))
    def chassis_info(self, task, **kwargs):
        """Return the chassis inventory.

        :param task: a TaskManager instance containing the node to act on.
        :param kwargs: ``http_method`` only.
        :returns: a JSON-serialisable dict.
        """
        with cm.client_for(task.node, 'read the chassis info') as (client,
                                                                   _info):
            chassis = client.get_chassis_info()
            cm_version = client.cm_version()
        return {
            'cm_version': str(cm_version),
            'serial_number': chassis.serial_number,
            'asset_tag': chassis.asset_tag,
            'firmware_version': chassis.firmware_version,
            'hardware_version': chassis.hardware_version,
            'software_version': chassis.software_version,
            'system_uptime': chassis.system_uptime,
            'blades': [{'blade_id': blade.blade_id,
                        'guid': blade.guid,
                        'name': blade.name,
                        'power_state': _enum_name(blade.power_state),
                        'mac_addresses': [mac.lower() for mac in
                                          blade.mac_addresses if mac]}
                       for blade in chassis.blades],
        }

    @METRICS.timer('MsftOcsVendorPassthru.blade_info')
    @_read_passthru(description=_(
        'Return the blade\'s type, serial number, asset tag, '
        'BMC firmware version, hardware version and NICs '
        '(device id and MAC address, null when the NIC is '
        'not present). No arguments.'))
    def blade_info(self, task, **kwargs):
        """Return the blade's identity and NICs.

        :param task: a TaskManager instance containing the node to act on.
        :param kwargs: ``http_method`` only.
        :returns: a JSON-serialisable dict.
        """
        blade = _blade_call(task, 'read the blade info', 'get_blade_info')
        return {
            'blade_id': blade.blade_id,
            'blade_type': (blade.blade_type.value
                           if blade.blade_type is not None else None),
            'serial_number': blade.serial_number,
            'asset_tag': blade.asset_tag,
            'firmware_version': blade.firmware_version,
            'hardware_version': blade.hardware_version,
            'nics': [_nic(nic) for nic in blade.nics],
        }

    @METRICS.timer('MsftOcsVendorPassthru.power_reading')
    @_read_passthru(description=_(
        'Return the blade\'s present power consumption in '
        'watts, as its BMC measures it. No arguments.'))
    def power_reading(self, task, **kwargs):
        """Return the blade's power consumption.

        :param task: a TaskManager instance containing the node to act on.
        :param kwargs: ``http_method`` only.
        :returns: ``{'blade_id': int, 'watts': float}``.
        """
        reading = _blade_call(task, 'read the power reading',
                              'get_blade_power_reading')
        return {'blade_id': reading.blade_id, 'watts': reading.watts}

    @METRICS.timer('MsftOcsVendorPassthru.power_limit')
    @_read_passthru(description=_(
        'Return the blade\'s power limit in watts and whether '
        'it is active (null when the chassis manager does '
        'not say). No arguments.'))
    def power_limit(self, task, **kwargs):
        """Return the blade's power limit.

        :param task: a TaskManager instance containing the node to act on.
        :param kwargs: ``http_method`` only.
        :returns: ``{'blade_id': int, 'watts': float, 'active': bool|None}``.
        """
        limit = _blade_call(task, 'read the power limit',
                            'get_blade_power_limit')
        return {'blade_id': limit.blade_id, 'watts': limit.watts,
                'active': limit.active}

    @METRICS.timer('MsftOcsVendorPassthru.blade_log')
    @_read_passthru(description=_(
        'Return the blade\'s event log (the BMC\'s system event log): '
        'entries with "time" and "description", the newest %d at most '
        '("truncated" says whether older ones were left out). Optional '
        'arguments "start" and "end", ISO 8601 times on the chassis '
        'manager\'s clock, keep the entries between them.')
        % MAX_LOG_ENTRIES)
    def blade_log(self, task, start=None, end=None, **kwargs):
        """Return the blade's event log (ReadBladeLog[WithTimestamp]).

        :param task: a TaskManager instance containing the node to act on.
        :param start: optional ISO 8601 time of the earliest entry.
        :param end: optional ISO 8601 time of the latest entry.
        :param kwargs: ``http_method`` only.
        :returns: ``{'blade_id', 'entries': [{'time', 'description'}],
            'total', 'truncated'}``.
        """
        start, end = args.parse_time_window(task.node, start, end)
        with cm.client_for(task.node, 'read the blade log') as (client,
                                                                info):
            entries = client.read_blade_log(info['blade_id'], start, end)
        kept = entries[-MAX_LOG_ENTRIES:]
        return {
            'blade_id': info['blade_id'],
            'entries': [{'time': entry.time,
                         'description': entry.description[
                             :MAX_LOG_DESCRIPTION]} for entry in kept],
            'total': len(entries),
            'truncated': len(kept) < len(entries),
        }

    @METRICS.timer('MsftOcsVendorPassthru.post_code')
    @_read_passthru(description=_(
        'Return the blade\'s BIOS POST codes: "post_code", the code of '
        'the present (or last) power-on self test, and '
        '"previous_post_code", that of the one before; useful for a blade '
        'stuck in POST. No arguments.'))
    def post_code(self, task, **kwargs):
        """Return the blade's current and previous POST code (GetPostCode).

        :param task: a TaskManager instance containing the node to act on.
        :param kwargs: ``http_method`` only.
        :returns: ``{'blade_id', 'post_code', 'previous_post_code'}``.
        """
        code = _blade_call(task, 'read the POST code', 'get_post_code')
        return {'blade_id': code.blade_id, 'post_code': code.current,
                'previous_post_code': code.previous}

    @METRICS.timer('MsftOcsVendorPassthru.set_power_limit')
    @base.passthru(['POST'], description=_(
        'Set the blade\'s power limit. Required argument: "watts", a whole '
        'number from 120 to 1000. The limit is enforced only while it is '
        'active (see power_limit_on); setting it does not activate it.'))
    def set_power_limit(self, task, watts=None, **kwargs):
        """Set the blade's power limit (validated in :meth:`validate`).

        :param task: a TaskManager instance with an exclusive lock.
        :param watts: the limit in watts, 120 to 1000.
        :param kwargs: ``http_method`` only.
        """
        watts = args.parse_watts(task.node, watts)
        _blade_call(task, 'set the power limit', 'set_blade_power_limit',
                    watts, writes=True)
        LOG.info('Set the power limit of node %(node)s to %(watts)d W',
                 {'node': task.node.uuid, 'watts': watts})

    @METRICS.timer('MsftOcsVendorPassthru.power_limit_on')
    @base.passthru(['POST'], description=_(
        'Activate the blade\'s power limit: the BMC caps the blade\'s '
        'consumption at the limit set with set_power_limit. No arguments.'))
    def power_limit_on(self, task, **kwargs):
        """Activate the blade's power limit.

        :param task: a TaskManager instance with an exclusive lock.
        :param kwargs: ``http_method`` only.
        """
        self._set_limit_active(task, True)

    @METRICS.timer('MsftOcsVendorPassthru.power_limit_off')
    @base.passthru(['POST'], description=_(
        'Deactivate the blade\'s power limit; the configured value is kept. '
        'No arguments.'))
    def power_limit_off(self, task, **kwargs):
        """Deactivate the blade's power limit.

        :param task: a TaskManager instance with an exclusive lock.
        :param kwargs: ``http_method`` only.
        """
        self._set_limit_active(task, False)

    @staticmethod
    def _set_limit_active(task, active):
        verb = 'activate' if active else 'deactivate'
        _blade_call(task, '%s the power limit' % verb,
                    'set_blade_power_limit_active', active, writes=True)
        LOG.info('Power limit of node %(node)s: %(verb)sd',
                 {'node': task.node.uuid, 'verb': verb})
