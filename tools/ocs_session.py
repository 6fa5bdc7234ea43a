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

"""A session with the chassis-manager library, as the library page shows it.

Run it against a chassis manager or the emulator::

    MSFTOCS_CM_URL=https://cm01:8000 MSFTOCS_CM_USERNAME=admin \\
    MSFTOCS_CM_PASSWORD=... python -m tools.ocs_session 3

The password comes from the environment, never from the command line.
"""

import os
import sys

from msftocs_driver import ocs


def session(client, blade_id):
    """Read the chassis, then power a blade on to boot from the network.

    :param client: an :class:`msftocs_driver.ocs.ChassisManagerClient`.
    :param blade_id: the blade to work on.
    """
    print('chassis manager version', client.get_service_version())

    # One request answers for every slot; each outcome holds the state or
    # the error the single-blade request would raise.
    for slot, outcome in sorted(client.get_all_blades_state().items()):
        try:
            print('blade %d: host %s' % (slot, outcome.result().name))
        except ocs.DevicePoweredOffError:
            print('blade %d: switched off' % slot)
        except ocs.CompletionCodeError as exc:
            print('blade %d: %s' % (slot, exc.code.name))

    info = client.get_blade_info(blade_id)
    print('blade %d: serial %s, MACs %s' % (
        blade_id, info.serial_number,
        [nic.mac_address for nic in info.nics if nic.mac_address]))

    client.set_next_boot(blade_id, ocs.BladeBootType.ForcePxe,
                         uefi=True, persistent=False)
    print('blade %d: next boot %s' % (
        blade_id, client.get_next_boot(blade_id).name))
    # The host boots from the network; that boot uses up the override.
    client.set_blade_on(blade_id)
    print('blade %d: host %s, next boot %s' % (
        blade_id, client.get_blade_state(blade_id).name,
        client.get_next_boot(blade_id).name))


def main(argv=None):
    """Run :func:`session` with the settings from the environment."""
    blade_id = int((argv or sys.argv[1:] or ['1'])[0])
    client = ocs.ChassisManagerClient(
        os.environ['MSFTOCS_CM_URL'], os.environ['MSFTOCS_CM_USERNAME'],
        os.environ['MSFTOCS_CM_PASSWORD'],
        auth=os.environ.get('MSFTOCS_CM_AUTH', 'ntlm'),
        # True: the system's CAs; or the path of a CA bundle.
        verify=os.environ.get('MSFTOCS_CM_CA_BUNDLE', True),
        connect_timeout=5, read_timeout=30)
    try:
        with client:
            session(client, blade_id)
    except ocs.OCSError as exc:
        # The message names the operation and the blade, never a secret.
        sys.exit('chassis manager error: %s' % exc)


if __name__ == '__main__':
    main()
