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


"""The table of CM operations the emulator serves.

Each handler module registers its operations with :func:`operation`. A
handler takes the :class:`~msftocs_driver.emulator.chassis.Chassis` and the
:class:`~msftocs_driver.emulator.params.QueryParams` of the request and
returns ``(root element name, fields)`` for :func:`.xmlout.render`.

Each operation also has the least privileged role allowed to call it
(CM v2.5 ``ChassisManagerSecurity``, reference 1.3); operations missing
from the CM's table require Admin.
"""

import collections
import enum

Operation = collections.namedtuple('Operation', ('name', 'handler', 'role'))

_OPERATIONS = {}


class Role(enum.IntEnum):
    """CM authorization roles, most privileged first."""

    admin = 0  # WcsCmAdmin (or a local administrator)
    operator = 1  # WcsCmOperator
    user = 2  # WcsCmUser


def operation(name, role=Role.admin):
    """Register the decorated function as the handler of CM ``name``.

    :param role: the least privileged role allowed to call it.
    """
    def register(handler):
        _OPERATIONS[name.lower()] = Operation(name, handler, role)
        return handler
    return register


def lookup(name):
    """Find an operation by name, ignoring case as WCF does.

    :returns: the :class:`Operation`, or None for an unknown name.
    """
    return _OPERATIONS.get(name.lower())


def names():
    """Canonical names of every registered operation, sorted."""
    return sorted(op.name for op in _OPERATIONS.values())
