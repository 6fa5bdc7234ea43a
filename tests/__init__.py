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

# NOTE: ironic's unit-test package must be imported before anything that
# imports ironic.conductor: it selects oslo.service's threading backend, which
# can only be chosen once per process. It also registers ironic's objects and
# logging options.
import ironic.tests.unit  # noqa: F401,I100

# NOTE: import the hardware type and its interfaces now, outside any test:
# the first import of ironic.drivers.generic ends up running ldconfig through
# ctypes, which ironic's test base class forbids (subprocess is blocked).
import ironic.drivers.fake_hardware  # noqa: F401,E402,I202

import msftocs_driver.console  # noqa: F401,E402
import msftocs_driver.hardware  # noqa: F401,E402
import msftocs_driver.inspect  # noqa: F401,E402
import msftocs_driver.management  # noqa: F401,E402
import msftocs_driver.power  # noqa: F401,E402
import msftocs_driver.vendor  # noqa: F401,E402
