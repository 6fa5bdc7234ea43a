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

"""The goals of the power-sync and overhead benchmarks, as ratios.

Every goal is judged on numbers of one ``tox -e bench`` run, as a ratio and
a pass/fail word:

* a power-sync pass (prefetch on, the default) takes at most 1.5 times its
  floor: one chassis-wide read of one chassis plus the pass's Ironic-only
  time (the same pass against chassis whose bus costs nothing);
* it takes at least 4 times less than one call per node (batch off);
* it costs one chassis-manager request per chassis, two with node health
  reads (:data:`HEALTH_OPERATIONS`, the hook for the health batch);
* no more load than needed: never more requests in flight to one chassis
  manager than ``[msftocs]max_connections``, never two chassis-wide reads
  of one chassis in flight, and no request at all from an idle conductor;
* ``get_power_state`` costs at most 1.10 times a bare kept-alive GET
  (the target and the verdict are ``tools/bench_overhead.py``'s).

A missed pass goal also says whether any design could meet it, from the
same run's numbers (``bound``):

* no pass is faster than its Ironic-only time (the same pass with no bus
  cost at all), so one call per node is at most ``per-node time /
  Ironic-only`` times slower than any pass: where that is below 4, the
  speed-up goal is out of reach for every design (nodes interleaved across
  chassis, whose buses then work in parallel while Ironic's own per-node
  work fills the two cores);
* a pass that reads its chassis within itself, as every pass of this
  driver does, is no faster than its floor, so within a pass the best is
  ``per-node time / floor``; where only the first bound reaches 4 (one
  chassis), the goal is out of reach within a pass, and only a read made
  before the pass starts, which no pass has asked for yet, could meet it;
* the floor counts one chassis-wide read, but every chassis-wide read
  sweeps the chassis' serial bus: a pass that waits for its node-health
  reads too (no read ahead) sweeps it twice, one read after the other, so
  its best ratio is about
  ``(reads per chassis x one read + Ironic-only) / floor``; a health
  reading read ahead is renewed behind the pass and does not count.
"""

from tools import bench_health

#: Most pass time over its floor.
FLOOR_RATIO = 1.5
#: Least speed-up over one call per node.
SPEEDUP = 4.0
#: Chassis-manager operations of node health reads: a pass that sends any
#: of them may cost one more request per chassis.
HEALTH_OPERATIONS = bench_health.HEALTH_OPERATIONS


def _word(ok):
    return 'PASS' if ok else 'FAIL'


def _floor_bound(item, floor):
    """How close to the floor the reads of this pass allow it to come.

    :param item: a pass of the sync results.
    :param floor: that pass's floor.
    :returns: ``(best ratio, text)``.
    """
    requests = item['cm_requests']
    if item.get('health_read_ahead'):
        requests -= sum(item['cm_requests_by_operation'].get(op, 0)
                        for op in HEALTH_OPERATIONS)
    reads = requests / float(item['chassis'])
    best = reads * floor['chassis_read_s'] + floor['ironic_only_s']
    ratio = best / floor['floor_s']
    return ratio, ('%g chassis-wide reads per chassis sweep its bus in turn: '
                   'best about (%g x %.2f + %.2f) s / %.2f s = %.2fx'
                   % (reads, reads, floor['chassis_read_s'],
                      floor['ironic_only_s'], floor['floor_s'], ratio))


def _speedup_bounds(off, floor):
    """The most a pass can gain over one call per node.

    :returns: ``(best speed-up of any pass, best speed-up of a pass that
        reads its chassis within itself, text)``.
    """
    anywhere = off['wall_s'] / floor['ironic_only_s']
    within = off['wall_s'] / floor['floor_s']
    return anywhere, within, (
        'no pass beats its Ironic-only time: best %.2f s / %.2f s = %.1fx; '
        'a pass that reads its chassis does not beat its floor: best '
        '%.2f s / %.2f s = %.1fx' % (
            off['wall_s'], floor['ironic_only_s'], anywhere,
            off['wall_s'], floor['floor_s'], within))


def _bounded(goal, target, bound):
    """Add the bound of a goal: whether any pass could meet ``target``."""
    best, text = bound
    goal['bound'] = text
    goal['attainable'] = target(best)
    return goal


def sync_goals(sync, max_connections):
    """Judge every pass with the prefetch on.

    :param sync: the ``results`` of the sync section.
    :param max_connections: ``[msftocs]max_connections`` of the run.
    :returns: a list of goal dicts (``goal``, ``value``, ``target``, ``ok``).
    """
    goals = []
    passes = sync['passes']
    floors = {(f['chassis'], f['order']): f for f in sync['floors']}
    for item in passes:
        floor = floors.get((item['chassis'], item['order']))
        if item['mode'] == 'power only' and floor:
            # The same goal for the pass without health reads: what the
            # floor describes (for information; the default pass is judged).
            # The floor's Ironic-only pass reads health (at no bus cost),
            # which flatters this ratio slightly.
            ratio = item['wall_s'] / floor['floor_s']
            goals.append({
                'goal': 'pass / floor, %dx48 %s, health monitoring off' % (
                    item['chassis'], item['order']),
                'value': '%.2f s / %.2f s = %.2fx' % (
                    item['wall_s'], floor['floor_s'], ratio),
                'target': '<= %.1fx' % FLOOR_RATIO,
                'ok': ratio <= FLOOR_RATIO})
        if item['mode'] != 'prefetch':
            continue
        where = '%dx48 %s' % (item['chassis'], item['order'])
        off = next((p for p in passes if p['mode'] == 'off'
                    and p['chassis'] == item['chassis']
                    and p['order'] == item['order']), None)
        if floor:
            ratio = item['wall_s'] / floor['floor_s']
            goals.append(_bounded({
                'goal': 'pass / floor, %s' % where,
                'value': '%.2f s / (%.2f + %.2f) s = %.2fx' % (
                    item['wall_s'], floor['chassis_read_s'],
                    floor['ironic_only_s'], ratio),
                'target': '<= %.1fx' % FLOOR_RATIO,
                'ok': ratio <= FLOOR_RATIO},
                lambda best: best <= FLOOR_RATIO, _floor_bound(item, floor)))
        if off:
            ratio = off['wall_s'] / item['wall_s']
            goal = {
                'goal': 'per-node calls / pass, %s' % where,
                'value': '%.2f s / %.2f s = %.1fx' % (
                    off['wall_s'], item['wall_s'], ratio),
                'target': '>= %.0fx' % SPEEDUP, 'ok': ratio >= SPEEDUP}
            if floor:
                anywhere, within, text = _speedup_bounds(off, floor)
                _bounded(goal, lambda best: best >= SPEEDUP,
                         (anywhere, text))
                goal['attainable_within_pass'] = within >= SPEEDUP
            goals.append(goal)
        health = any(op in item['cm_requests_by_operation']
                     for op in HEALTH_OPERATIONS)
        allowed = item['chassis'] * (2 if health else 1)
        goals.append({
            'goal': 'CM requests, %s' % where,
            'value': '%d for %d chassis' % (item['cm_requests'],
                                            item['chassis']),
            'target': '<= %d%s' % (allowed,
                                   ' (with health)' if health else ''),
            'ok': item['cm_requests'] <= allowed})
        goals.append({
            'goal': 'load per CM, %s' % where,
            'value': '%d requests, %d chassis-wide reads in flight' % (
                item['most_requests_in_flight_per_cm'],
                item['most_chassis_wide_reads_in_flight_per_cm']),
            'target': '<= %d, <= 1' % max_connections,
            'ok': (item['most_requests_in_flight_per_cm'] <= max_connections
                   and item['most_chassis_wide_reads_in_flight_per_cm']
                   <= 1)})
    for floor in sync['floors']:
        if floor['order'] != 'chassis-major':
            continue
        goals.append({
            'goal': 'idle conductor, %dx48' % floor['chassis'],
            'value': '%d requests in 3 s' % floor['idle_requests'],
            'target': '0', 'ok': floor['idle_requests'] == 0})
    return goals


def overhead_goals(overhead):
    """Judge ``get_power_state`` against the bare kept-alive GET.

    :param overhead: the ``results`` of the overhead section.
    :returns: a list of goal dicts.
    """
    return [{'goal': 'get_power_state / bare GET, %s' % item['transport'],
             'value': '%.2fx' % item['driver_over_floor'],
             'target': '<= %.2fx' % item['target_ratio'],
             'ok': item['verdict'] == 'pass'}
            for item in overhead]


def _reach(goal):
    """What a missed goal's bound says: '', or why no pass could meet it."""
    if goal['ok']:
        return ''
    if not goal.get('attainable', True):
        return ' (out of reach)'
    if not goal.get('attainable_within_pass', True):
        return ' (out of reach within a pass)'
    return ''


def rows(goals):
    """Table rows ``(goal, value, target + word)``.

    A missed goal that no pass could meet says so.
    """
    return [(g['goal'], g['value'], '%s %s%s' % (
        g['target'], _word(g['ok']), _reach(g))) for g in goals]


def bounds(goals):
    """Lines explaining the missed goals that no pass could meet."""
    return ['%s: %s' % (g['goal'], g['bound']) for g in goals if _reach(g)]
