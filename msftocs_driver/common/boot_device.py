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

"""Boot devices of a blade: ironic's names, SetNextBoot, the pending one.

Shared by the management interface (which sets the boot device) and the
power interface (which applies a boot device recorded while the blade's
BMC could not take it, right before it turns the host on).
"""

from ironic.common import boot_devices
from ironic.common import boot_modes
from ironic.drivers.modules import boot_mode_utils
from oslo_log import log

from msftocs_driver.ocs import constants

LOG = log.getLogger(__name__)

#: ironic boot device -> the chassis manager's boot type.
BOOT_DEVICE_MAP = {
    boot_devices.PXE: constants.BladeBootType.ForcePxe,
    boot_devices.DISK: constants.BladeBootType.ForceDefaultHdd,
    boot_devices.BIOS: constants.BladeBootType.ForceIntoBiosSetup,
    # IPMI selector 0x3C, "floppy or primary removable media": on OCS blades
    # that is a USB stick, never a CD-ROM (IPMI 0x14, which the CM does not
    # expose), so it maps to ironic's floppy and not to cdrom.
    boot_devices.FLOPPY: constants.BladeBootType.ForceFloppyOrRemovable,
}
BOOT_DEVICE_MAP_REV = {v: k for k, v in BOOT_DEVICE_MAP.items()}

#: driver_internal_info key of a boot device waiting for the BMC to be up.
PENDING_BOOT_DEVICE = 'msftocs_pending_boot_device'


def set_next_boot(task, client, info, device, persistent):
    """Send SetNextBoot for an ironic boot device.

    :param task: a TaskManager instance.
    :param client: the node's ``ChassisManagerClient``.
    :param info: the node's parsed driver_info.
    :param device: a key of :data:`BOOT_DEVICE_MAP`.
    :param persistent: whether the device applies to every boot.
    :raises: OCSError from SetNextBoot.
    """
    uefi = boot_mode_utils.get_boot_mode(task.node) == boot_modes.UEFI
    boot_type = BOOT_DEVICE_MAP[device]
    client.set_next_boot(info['blade_id'], boot_type, uefi=uefi,
                         persistent=persistent)
    LOG.info('Boot device of node %(node)s (blade %(blade)d) set to '
             '%(dev)s (persistent: %(pers)s, UEFI: %(uefi)s)',
             {'node': task.node.uuid, 'blade': info['blade_id'],
              'dev': device, 'pers': persistent, 'uefi': uefi})


def apply_pending(task, client, info):
    """Apply a boot device recorded while the blade's BMC was unreachable.

    Called by the power interface right before it turns the host on.

    :param task: a TaskManager instance holding an exclusive lock.
    :param client: the node's ``ChassisManagerClient``.
    :param info: the node's parsed driver_info.
    :raises: OCSError (e.g. DevicePoweredOffError) from SetNextBoot.
    """
    pending = task.node.driver_internal_info.get(PENDING_BOOT_DEVICE)
    if not pending:
        return
    set_next_boot(task, client, info, pending['boot_device'],
                  pending['persistent'])
    task.node.del_driver_internal_info(PENDING_BOOT_DEVICE)
    task.node.save()
