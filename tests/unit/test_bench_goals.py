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

"""How ``tox -e bench`` judges the power-sync goals (tools/bench_goals)."""

import unittest

from tools import bench_goals


def _pass(mode, wall, requests, ahead=False, chassis=1,
          order='chassis-major'):
    return {'chassis': chassis, 'order': order, 'mode': mode,
            'wall_s': wall, 'cm_requests': sum(requests.values()),
            'cm_requests_by_operation': requests,
            'health_read_ahead': ahead,
            'most_requests_in_flight_per_cm': 1,
            'most_chassis_wide_reads_in_flight_per_cm': 1}


FLOOR = {'chassis': 1, 'order': 'chassis-major', 'chassis_read_s': 1.0,
         'ironic_only_s': 0.2, 'floor_s': 1.2, 'idle_requests': 0}
BOTH = {'GetAllBladesState': 1, 'GetAllBladesPowerReading': 1}


class SyncGoalsTestCase(unittest.TestCase):

    def _goals(self, *passes):
        goals = bench_goals.sync_goals(
            {'passes': list(passes), 'floors': [FLOOR]}, max_connections=4)
        return {g['goal']: g for g in goals}

    def test_pass_within_its_floor(self):
        goals = self._goals(_pass('prefetch', 1.5, BOTH, ahead=True),
                            _pass('off', 6.5, {'GetBladeState': 96}))
        self.assertTrue(goals['pass / floor, 1x48 chassis-major']['ok'])
        self.assertTrue(
            goals['per-node calls / pass, 1x48 chassis-major']['ok'])
        self.assertTrue(goals['CM requests, 1x48 chassis-major']['ok'])
        self.assertTrue(goals['idle conductor, 1x48']['ok'])

    def test_a_health_read_the_pass_waits_for_counts_in_the_bound(self):
        goal = self._goals(_pass('prefetch', 2.3, BOTH))[
            'pass / floor, 1x48 chassis-major']
        self.assertFalse(goal['ok'])
        self.assertFalse(goal['attainable'])  # (2 x 1.0 + 0.2) / 1.2
        self.assertIn('1.83x', goal['bound'])

    def test_a_health_read_made_ahead_does_not(self):
        goal = self._goals(_pass('prefetch', 2.3, BOTH, ahead=True))[
            'pass / floor, 1x48 chassis-major']
        self.assertFalse(goal['ok'])
        self.assertTrue(goal['attainable'])  # (1 x 1.0 + 0.2) / 1.2

    def _speed_up(self, off_wall):
        goals = self._goals(_pass('prefetch', 1.3, BOTH, ahead=True),
                            _pass('off', off_wall, {'GetBladeState': 96}))
        goal = goals['per-node calls / pass, 1x48 chassis-major']
        word = dict((row[0], row[2]) for row in bench_goals.rows(
            list(goals.values())))[goal['goal']]
        return goal, word

    def test_speed_up_out_of_reach_when_per_node_is_near_ironic_only(self):
        goal, word = self._speed_up(0.7)
        self.assertFalse(goal['ok'])
        self.assertFalse(goal['attainable'])  # 0.7 / 0.2 = 3.5x at best
        self.assertTrue(word.endswith('FAIL (out of reach)'))
        self.assertIn('3.5x', goal['bound'])

    def test_speed_up_out_of_reach_within_a_pass_only(self):
        goal, word = self._speed_up(3.0)
        self.assertFalse(goal['ok'])
        # 3.0 / 0.2 = 15x before the pass, 3.0 / 1.2 = 2.5x within it.
        self.assertTrue(goal['attainable'])
        self.assertFalse(goal['attainable_within_pass'])
        self.assertTrue(word.endswith('FAIL (out of reach within a pass)'))
        self.assertIn('15.0x', goal['bound'])
        self.assertIn('2.5x', goal['bound'])
        self.assertEqual(1, len(bench_goals.bounds([goal])))

    def test_a_reachable_miss_has_no_bound_line(self):
        goal, word = self._speed_up(5.0)  # 5.0 / 1.2 = 4.2x within a pass
        self.assertFalse(goal['ok'])
        self.assertTrue(word.endswith('FAIL'))
        self.assertEqual([], bench_goals.bounds([goal]))

    def test_more_than_two_requests_per_chassis_fails(self):
        goal = self._goals(_pass('prefetch', 1.3, dict(
            BOTH, GetBladeState=1), ahead=True))[
            'CM requests, 1x48 chassis-major']
        self.assertFalse(goal['ok'])
