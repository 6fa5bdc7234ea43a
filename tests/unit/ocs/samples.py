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


"""Access to the chassis-manager reply samples under ``fixtures/``.

The samples are written the way the chassis manager (WCF) writes them: one
line, no XML declaration. A few variants add a declaration, whitespace or
unknown elements.
"""

import os

FIXTURES_DIR = os.path.join(os.path.dirname(__file__), 'fixtures')


def load(name):
    """Return the bytes of the sample file ``name``."""
    with open(os.path.join(FIXTURES_DIR, name), 'rb') as sample:
        return sample.read()
