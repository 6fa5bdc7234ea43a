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

"""The ``msftocs`` hardware type: blades of Microsoft Open CloudServer chassis.

Every interface talks to the chassis manager of the blade's chassis; the
lists below name the preferred interface first.
"""

from ironic.drivers import generic
from ironic.drivers.modules import noop
from ironic.drivers.modules import noop_mgmt

from msftocs_driver.common import driver_info
from msftocs_driver import console
from msftocs_driver import inspect
from msftocs_driver import management
from msftocs_driver import power
from msftocs_driver import vendor


class MsftOcsHardware(generic.GenericHardware):
    """An OCS blade, managed through its chassis manager."""

    def __init__(self):
        super().__init__()
        # The conductor loads the hardware type once, at its start.
        driver_info.check_config()

    @property
    def supported_power_interfaces(self):
        """List of supported power interfaces."""
        return [power.MsftOcsPower]

    @property
    def supported_management_interfaces(self):
        """List of supported management interfaces."""
        return [management.MsftOcsManagement, noop_mgmt.NoopManagement]

    @property
    def supported_console_interfaces(self):
        """List of supported console interfaces."""
        return ([console.MsftOcsSocatConsole]
                + super().supported_console_interfaces)

    @property
    def supported_inspect_interfaces(self):
        """List of supported inspect interfaces."""
        return [inspect.MsftOcsInspect] + super().supported_inspect_interfaces

    @property
    def supported_vendor_interfaces(self):
        """List of supported vendor interfaces."""
        return [vendor.MsftOcsVendorPassthru, noop.NoVendor]
