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

"""Out-of-band inspection of OCS server blades through the chassis manager.

Two chassis-manager calls describe a blade: ``GetBladeInfo`` (blade type,
serial number, BMC firmware and hardware version, NIC MAC addresses) and
``GetBladeHealth`` (processors, DIMMs, FRU product type). Inspection turns
them into the node's essential properties and one port per present NIC,
without booting a ramdisk.

What is written where:

* ``properties``: ``cpus`` (processor sockets reported present: the chassis
  manager does not report cores or threads), ``memory_mb`` (sum of the sizes
  of the present DIMMs), ``cpu_arch`` (always ``x86_64``), and
  ``local_gb``, which is kept when the operator set it and set to 0
  otherwise: the chassis manager reports no disks for server blades.
* ``properties`` also receive the blade's identity, under ``msftocs_``
  keys: ``msftocs_serial_number``, ``msftocs_asset_tag``,
  ``msftocs_product_type``, ``msftocs_hardware_version`` and
  ``msftocs_bmc_firmware_version``. A value the blade no longer reports is
  removed rather than left stale. ``extra`` belongs to the operator and is
  never touched.
* ports: one per present NIC, with the MAC address lowercased as ironic
  stores it; a MAC that already has a port is left alone.
* the inventory store (``baremetal node inventory show``) receives the same
  data in the inventory format used by ironic-python-agent, and inspection
  rules of the ``main`` phase run on it.
"""

from ironic.common import exception
from ironic.common.inspection_rules import engine
from ironic.common import metrics_utils
from ironic.common import states
from ironic.drivers import base
from ironic.drivers.modules import inspect_utils
from oslo_log import log

from msftocs_driver.common import cm
from msftocs_driver.common import driver_info
from msftocs_driver.i18n import _
from msftocs_driver.ocs import constants
from msftocs_driver.ocs import exceptions as ocs_exc

LOG = log.getLogger(__name__)
METRICS = metrics_utils.get_metrics_logger(__name__)

#: Every OCS v2 server blade has Intel Xeon processors. The chassis manager
#: reports a processor family (``procType``, e.g. ``IntelHaswell``) but no
#: instruction set, so the architecture is a constant of the platform.
CPU_ARCH = 'x86_64'

#: Blade types that are not servers: storage (JBOD) and I/O expansion blades
#: have no host processor to deploy to.
NON_SERVER_BLADE_TYPES = frozenset({constants.BladeType.Jbod,
                                    constants.BladeType.IEB})

#: ``state`` of a processor that is fitted, and ``status`` of an empty DIMM
#: socket, as ``GetBladeHealth`` names them.
PROCESSOR_PRESENT = 'present'
DIMM_NOT_PRESENT = 'notpresent'


def _identity(blade, health):
    """Map the node properties that identify the blade to their values.

    :param blade: the blade's :class:`~msftocs_driver.ocs.models.BladeInfo`.
    :param health: the blade's
        :class:`~msftocs_driver.ocs.models.BladeHealth`.
    :returns: a dict of property name to value; ``None`` for a value the
        blade does not report.
    """
    return {
        'msftocs_serial_number': blade.serial_number or health.serial_number,
        'msftocs_asset_tag': blade.asset_tag or health.asset_tag,
        'msftocs_product_type': health.product_type,
        'msftocs_hardware_version': (blade.hardware_version
                                     or health.hardware_version),
        'msftocs_bmc_firmware_version': blade.firmware_version,
    }


def _present_nics(blade):
    """List ``(name, mac)`` of the blade's present NICs, MACs lowercased.

    The chassis manager sends MACs uppercase (``00:15:5D:0A:1B:2C``) and an
    empty MAC for a NIC that is "Not Present"; ironic stores MACs lowercase.

    :param blade: the blade's :class:`~msftocs_driver.ocs.models.BladeInfo`.
    :returns: a list of ``(name, mac)`` tuples, ``name`` being ``nic<id>``.
    """
    return [('nic%d' % nic.device_id, nic.mac_address.lower())
            for nic in blade.nics if nic.mac_address]


def _present_processors(health):
    return [proc for proc in health.processors
            if str(proc.state).lower() == PROCESSOR_PRESENT]


def _memory_mb(health):
    return sum(dimm.size_mb or 0 for dimm in health.memory
               if str(dimm.status).lower() != DIMM_NOT_PRESENT)


class MsftOcsInspect(driver_info.ValidateDriverInfoMixin,
                     base.InspectInterface):
    """Inspect an OCS server blade out of band, through its chassis manager.

    Inspection is synchronous and needs no ramdisk: two chassis-manager
    calls, then database updates.
    """

    @METRICS.timer('MsftOcsInspect.inspect_hardware')
    def inspect_hardware(self, task):
        """Read the blade's inventory and store it on the node.

        :param task: a TaskManager instance with an exclusive lock on the
            node.
        :raises: HardwareInspectionFailure if the slot is empty, the blade is
            not a server, the blade has no power, its BMC is still starting
            or it reports no memory.
        :raises: MsftOcsError (or a subclass) if the chassis manager fails
            otherwise.
        :returns: ``states.MANAGEABLE``.
        """
        node = task.node
        blade, health = self._read_blade(node)

        processors = _present_processors(health)
        memory_mb = _memory_mb(health)
        if not memory_mb:
            raise exception.HardwareInspectionFailure(error=_(
                'The chassis manager reported no memory for blade %(blade)s '
                'of node %(node)s; its BMC may not have finished its '
                'inventory yet. Retry the inspection later.') % {
                    'blade': blade.blade_id, 'node': node.uuid})

        properties = dict(node.properties)
        properties['memory_mb'] = memory_mb
        properties['cpu_arch'] = CPU_ARCH
        if processors:
            properties['cpus'] = len(processors)
        else:
            LOG.warning('The chassis manager reported no processor for '
                        'node %(node)s; leaving "cpus" unchanged',
                        {'node': node.uuid})
        if properties.get('local_gb') is None:
            LOG.warning('The chassis manager does not report the disks of '
                        'server blades: setting local_gb of node %(node)s '
                        'to 0; set it by hand if the blade has a local disk',
                        {'node': node.uuid})
            properties['local_gb'] = 0
        for key, value in _identity(blade, health).items():
            if value:
                properties[key] = value
            else:
                properties.pop(key, None)
        node.properties = properties

        nics = _present_nics(blade)
        if nics:
            inspect_utils.create_ports_if_not_exist(
                task, [mac for _name, mac in nics])
        else:
            LOG.warning('The chassis manager reported no present NIC for '
                        'node %(node)s; no port was created',
                        {'node': node.uuid})

        inventory = self._inventory(processors, memory_mb, nics, properties)
        inspect_utils.store_inspection_data(node, inventory, {},
                                            task.context)
        engine.apply_rules(task, inventory, {}, 'main')
        node.save()
        LOG.info('Inspected node %(node)s (blade %(blade)s): %(cpus)s '
                 'processors, %(mem)s MiB, %(nics)d NICs',
                 {'node': node.uuid, 'blade': blade.blade_id,
                  'cpus': len(processors), 'mem': memory_mb,
                  'nics': len(nics)})
        return states.MANAGEABLE

    def _read_blade(self, node):
        """Fetch the blade's info and health, failing clearly on bad slots.

        :param node: the node to inspect.
        :raises: HardwareInspectionFailure for an empty slot, an unpowered
            or starting BMC, or a blade that is not a server.
        :returns: a ``(BladeInfo, BladeHealth)`` tuple.
        """
        with cm.client_for(node, 'inspect') as (client, info):
            blade_id = info['blade_id']
            try:
                blade = client.get_blade_info(blade_id)
                if blade.blade_type in NON_SERVER_BLADE_TYPES:
                    raise exception.HardwareInspectionFailure(error=_(
                        'Blade %(blade)s of node %(node)s is a %(type)s '
                        'blade, not a server: it cannot be inspected or '
                        'deployed. Check msftocs_blade_id.') % {
                            'blade': blade_id, 'node': node.uuid,
                            'type': blade.blade_type.value})
                # Without sensors: their readings are slow and inspection
                # does not use them.
                health = client.get_blade_health(blade_id, sensors=False)
            except ocs_exc.BladeTimeoutError:
                raise exception.HardwareInspectionFailure(error=_(
                    'Blade %(blade)s of node %(node)s did not answer the '
                    'chassis manager (completion code Timeout): the slot is '
                    'empty or the blade\'s BMC is not responding. Check '
                    'msftocs_blade_id and the blade.') % {
                        'blade': blade_id, 'node': node.uuid})
            except ocs_exc.DevicePoweredOffError:
                raise exception.HardwareInspectionFailure(error=_(
                    'Blade %(blade)s of node %(node)s is hard powered off: '
                    'its BMC has no power and cannot report the blade\'s '
                    'inventory. Power the node on, then inspect it again.')
                    % {'blade': blade_id, 'node': node.uuid})
            except ocs_exc.FirmwareDecompressingError as e:
                remaining = (_('%d seconds remaining') % e.seconds_remaining
                             if e.seconds_remaining is not None
                             else _('remaining time unknown'))
                raise exception.HardwareInspectionFailure(error=_(
                    'The BMC of blade %(blade)s of node %(node)s is still '
                    'starting after power-on (%(remaining)s). Inspect the '
                    'node again once it has started.') % {
                        'blade': blade_id, 'node': node.uuid,
                        'remaining': remaining})
        return blade, health

    @staticmethod
    def _inventory(processors, memory_mb, nics, properties):
        """Build an inventory in ironic-python-agent's format.

        Only what the chassis manager reports is included: there is no
        ``disks`` key because the chassis manager does not report disks.

        :param processors: the present processors.
        :param memory_mb: total memory in MiB.
        :param nics: ``(name, mac)`` tuples of the present NICs.
        :param properties: the node properties being written.
        :returns: an inventory dict.
        """
        cpu = {'count': len(processors), 'architecture': CPU_ARCH}
        if processors:
            cpu['model_name'] = str(processors[0].proc_type)
            if processors[0].frequency_mhz:
                cpu['frequency'] = str(processors[0].frequency_mhz)
        vendor = {'serial_number': properties.get('msftocs_serial_number',
                                                  ''),
                  'product_name': properties.get('msftocs_product_type', '')}
        return {
            'cpu': cpu,
            'memory': {'physical_mb': memory_mb},
            'interfaces': [{'name': name, 'mac_address': mac}
                           for name, mac in nics],
            'system_vendor': vendor,
        }
