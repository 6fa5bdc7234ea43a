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

"""Benchmark: chassis-manager requests of node health in a power-sync pass.

From Ironic 2026.1, ``do_sync_power_state`` also asks every node for its
health (``node_cache_health``) when ``[conductor]enable_health_monitoring``
is on, its default. N chassis of 48 blades (one emulator each) are synced
as in :mod:`tools.bench_sync`, each measured pass starting with expired
batches, in three configurations:

* health monitoring on, health batch on (``health_cache_ttl`` default);
* health monitoring on, health batch off (``health_cache_ttl = 0``: one
  GetBladePowerReading per node);
* health monitoring off (the power-state requests alone).

The figure of merit is the health requests per chassis and pass
(``GetAllBladesPowerReading``, ``GetBladePowerReading``,
``GetBladeHealth``): at most 1 with the batch. Sensor reads
(``health_sensor_interval``) are off, their default.

``tools/bench.py`` runs one chassis count: a second count in the same
process has shown a batched pass several times slower (about 35 s instead
of 9 s for 4 chassis), which then outlives the TTL and re-reads some
chassis; the cause is not established, so the figure is taken on a fresh
process state.
"""

from msftocs_driver.common import client_cache
from msftocs_driver.common import health
from msftocs_driver.common import state_cache
from msftocs_driver.conf import CONF
from tools import bench_env
from tools import bench_sync

#: Operations that only the health read sends.
HEALTH_OPERATIONS = ('GetAllBladesPowerReading', 'GetBladePowerReading',
                     'GetBladeHealth')


def _configurations(default_ttl):
    return (('health on, batch on', True, default_ttl),
            ('health on, batch off', True, 0.0),
            ('health off', False, default_ttl))


def run(conductor, chassis_counts, bus_cost):
    """Measure the requests of health reads per chassis and sync pass.

    :param conductor: a :class:`tools.bench_ironic.Conductor`.
    :param chassis_counts: e.g. ``(1, 4)``.
    :param bus_cost: seconds per BMC call on each emulator's bus.
    :returns: a list of result dicts.
    """
    password = bench_env.new_password()
    default_ttl = CONF.msftocs.health_cache_ttl
    results = []
    try:
        for count in chassis_counts:
            with bench_env.emulators(count, blades=bench_sync.BLADES,
                                     bus_cost=bus_cost,
                                     username=bench_env.USERNAME,
                                     password=password) as fleet:
                uuids = [conductor.create_node(
                    bench_env.driver_info(emulator, blade, password))
                    for emulator in fleet
                    for blade in range(1, bench_sync.BLADES + 1)]
                # Nothing of the chassis of an earlier count (stopped) may
                # be prefetched; then an untimed pass records power
                # states, vendor and health.
                state_cache.clear()
                health.clear()
                bench_sync.sync_pass(conductor, uuids)
                for label, monitoring, ttl in _configurations(default_ttl):
                    CONF.set_override('enable_health_monitoring',
                                      monitoring, 'conductor')
                    conductor.set_options({'health_cache_ttl': ttl})
                    state_cache.clear()
                    health.clear()
                    for emulator in fleet:
                        emulator.reset_stats()
                    wall = bench_sync.sync_pass(conductor, uuids)
                    total, operations = bench_sync._requests(fleet)
                    health_requests = sum(operations.get(name, 0)
                                          for name in HEALTH_OPERATIONS)
                    results.append({
                        'chassis': count, 'nodes': len(uuids),
                        'config': label, 'health_cache_ttl_s': ttl,
                        'bus_cost_s': bus_cost, 'wall_s': round(wall, 3),
                        'cm_requests': total,
                        'health_requests': health_requests,
                        'health_requests_per_chassis': round(
                            health_requests / count, 2),
                        'cm_requests_by_operation': operations,
                    })
            client_cache.clear()
    finally:
        CONF.clear_override('enable_health_monitoring', 'conductor')
        conductor.set_options({'health_cache_ttl': default_ttl})
    return results


def rows(data):
    """Table rows ``(measurement, value, note)`` of :func:`run`'s results."""
    return [('health in sync %dx48, %s' % (item['chassis'], item['config']),
             '%d CM requests (%g health/chassis), %.2f s'
             % (item['cm_requests'], item['health_requests_per_chassis'],
                item['wall_s']),
             'target <= 1 health request/chassis' if item['config']
             == 'health on, batch on' else '')
            for item in data]
