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


"""The CM operations the emulator implements, one module per area."""

from msftocs_driver.emulator.operations import blade_settings  # noqa: F401
from msftocs_driver.emulator.operations import common
from msftocs_driver.emulator.operations import health  # noqa: F401
from msftocs_driver.emulator.operations import inventory  # noqa: F401
from msftocs_driver.emulator.operations import maintenance  # noqa: F401
from msftocs_driver.emulator.operations import power  # noqa: F401
from msftocs_driver.emulator.operations import serial  # noqa: F401

Role = common.Role
lookup = common.lookup
names = common.names
