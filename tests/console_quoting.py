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

"""How ironic releases pass a console command to socat, for the tests.

Each function takes the console command and returns what ironic puts
between the quotes of socat's ``EXEC:"..."``. socat then splits that text
at spaces and runs the first word. Written here rather than taken from
ironic, whose private helpers differ by release.
"""

import re
import shlex

#: socat's special characters, which ironic 29.1.0, 32.1.0, 35.1.0 and 39
#: escape with a backslash.
_SOCAT_SPECIAL = re.compile(r'([,:!\'"()\[\]{}\\])')


def quoted_whole(command):
    """ironic 29.0.5-29.0.6, 32.0.1, 35.0.1, 36.0.0-38.0.0."""
    return shlex.quote(command)


def split_at_spaces(command):
    """ironic 32.0.0, 35.0.0: the raw words, joined again by spaces."""
    return ' '.join(shlex.split(command))


def escaped(command):
    """ironic 29.1.0, 32.1.0, 35.1.0, 39: socat's specials escaped."""
    return _SOCAT_SPECIAL.sub(r'\\\1', command)


BEHAVIOURS = {'shlex.quote': quoted_whole, 'split': split_at_spaces,
              'escaped': escaped}
