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


"""A chassis-manager (CM v2.5) emulator, for development and CI only.

The emulator is a WSGI application (:mod:`.app`) in front of an in-memory
chassis model (:mod:`.chassis`); one thin handler per CM operation lives in
:mod:`.operations`. :mod:`.cli` serves it with cheroot, and
:mod:`.runner` starts it as a subprocess for tests and tools.

It is written from the CM API reference, not from the client library: the
two share only :mod:`msftocs_driver.ocs.constants`.
"""
