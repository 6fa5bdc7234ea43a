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
