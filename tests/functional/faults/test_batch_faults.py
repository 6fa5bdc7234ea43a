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

"""A chassis-wide read slower than the batch TTL, with a write during it.

The emulator's BMC bus costs 50 ms per blade, so one GetAllBladesState of
its 24 blades takes about 1.2 s, four times the TTL of 0.3 s; blade 1 is
read first. While that read runs, blade 1 is powered off through ironic,
and another shared-lock read of blade 1 joins the read in flight. Neither
the reader that started the chassis-wide read, nor the one that waited for
it, nor a later one may see blade 1 on.
"""

import threading
import time

from ironic.common import states
from ironic.conductor import task_manager
from ironic.conductor import utils as cond_utils

from tests.functional.faults import base


class SlowBatchTestCase(base.FaultTestCase):
    """The power-state batch against a slow chassis."""

    msftocs_options = {'power_state_cache_ttl': 0.3, 'read_timeout': 5.0}
    emulator_options = {'bus_cost': 0.05}

    def _read(self, results, name):
        with task_manager.acquire(self.context, self.node.uuid,
                                  shared=True) as task:
            results[name] = task.driver.power.get_power_state(task)
        results[name + ' ended'] = time.monotonic()

    def test_write_during_a_fetch_slower_than_the_ttl(self):
        self.emulator.set_blade(base.BLADE, switch_on=True, host_on=True)
        self.emulator.reset_stats()
        results = {}
        owner = threading.Thread(target=self._read,
                                 args=(results, 'owner'))
        owner.start()
        # The chassis-wide read is sent and has read blade 1.
        time.sleep(0.2)
        with task_manager.acquire(self.context, self.node.uuid) as task:
            cond_utils.node_power_action(task, states.POWER_OFF, timeout=5)
        written = time.monotonic()
        waiter = threading.Thread(target=self._read,
                                  args=(results, 'waiter'))
        waiter.start()
        owner.join(30)
        waiter.join(30)
        self._read(results, 'later')
        # The write ended while the owner's chassis-wide read was in flight.
        self.assertGreater(results.pop('owner ended'), written)
        self.assertGreater(results.pop('waiter ended'), written)
        results.pop('later ended')
        self.assertFalse(self.emulator.blade(base.BLADE)['host_on'])
        self.assertEqual({'owner': states.POWER_OFF,
                          'waiter': states.POWER_OFF,
                          'later': states.POWER_OFF}, results)
        self.assert_nothing_left_behind()
