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

"""Power-state reads served from one GetAllBladesState per chassis.

Ironic's power sync asks every node for its power state, 8 threads at a
time. Without this cache a 48-blade chassis answers 48 GetBladeState calls
per pass over its single serial bus; with it, one GetAllBladesState reply
answers every blade for ``[msftocs]power_state_cache_ttl`` seconds from the
moment its request was sent. The rules (shared-lock reads only, one fetch
in flight per chassis, writes and power changes leave the blade out,
per-blade errors raised as GetBladeState raises them, prefetch of the
other chassis of a pass) are those of :mod:`~msftocs_driver.common.batch`.
"""

from msftocs_driver.common import batch
from msftocs_driver.conf import CONF

#: The chassis-wide power-state batch.
POWER_STATES = batch.ChassisBatch(
    'power state', lambda client: client.get_all_blades_state(),
    lambda: CONF.msftocs.power_state_cache_ttl)


def get_blade_state(client, info):
    """Return a blade's state (GetBladeState), from the chassis batch if fresh.

    For reads under a shared lock only: a task holding an exclusive lock
    calls ``client.get_blade_state`` itself.

    :param client: the node's ``ChassisManagerClient``.
    :param info: the node's parsed driver_info.
    :returns: a :class:`~msftocs_driver.ocs.constants.PowerState`.
    :raises: the :class:`~msftocs_driver.ocs.exceptions.OCSError` that
        GetBladeState would raise for this blade (``DevicePoweredOffError``,
        ``FirmwareDecompressingError``, ``BladeTimeoutError``...), or the
        error of the chassis-wide call.
    """
    outcome = POWER_STATES.outcome(client, info)
    if outcome is None:
        # Disabled, written to, changing, or absent from the reply (e.g.
        # an id beyond the chassis population): the single call gives the
        # authoritative answer or error.
        return client.get_blade_state(info['blade_id'])
    return outcome.result()


#: Record a write to a blade: every batch leaves it out until a later
#: fetch (see :func:`msftocs_driver.common.batch.invalidate`).
invalidate = batch.invalidate

#: Context manager around a power change and its wait: the blade is read
#: fresh inside (see :class:`msftocs_driver.common.batch.changing`).
power_change = batch.changing

#: Forget everything (for tests).
clear = batch.clear
