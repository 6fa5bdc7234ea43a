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

"""Power-state sync of whole chassis, and power on from hard off.

Power sync
    N emulator processes (one per chassis, 48 blades each) serialise every
    BMC call on a chassis-wide bus that costs ``bus_cost`` seconds per call,
    as the chassis manager's single serial port does. Every blade is an
    Ironic node. A pass works like ``ConductorManager._sync_power_states``:
    the node UUIDs go into a queue drained by 8 threads
    (``[conductor]sync_power_state_workers``), each taking a shared task and
    running Ironic's ``do_sync_power_state``. The pass is timed and the
    emulators' request counters give the chassis-manager requests it cost,
    with the batch cache on (the default ``power_state_cache_ttl``) and off
    (0). One untimed pass first records every node's power state and opens
    the connections, as on a conductor that has been running for a while.

    The queue order matters because the blades of one chassis share one
    bus: Ironic queues nodes in database order, which is chassis by
    chassis when whole chassis were enrolled one after the other
    (``chassis-major``: the 8 workers mostly wait on the same chassis), and
    ``interleaved`` (blade 1 of every chassis, then blade 2...) when they
    were enrolled otherwise. Both are measured.

Power on from hard off
    A blade whose power switch is off is powered on through
    ``set_power_state`` (switch on, wait out FirmwareDecompressing, host on,
    wait for ON). The time beyond the emulator's decompression time is the
    driver's own delay; the target is less than one
    ``power_poll_interval``.
"""

import collections
import concurrent.futures
import itertools
import queue
import statistics
import threading
import time

from ironic.common import states

from msftocs_driver.common import batch
from msftocs_driver.common import client_cache
from msftocs_driver.common import prefetch
from msftocs_driver.common import state_cache
from msftocs_driver.conf import CONF
from msftocs_driver.ocs import client as ocs_client
from msftocs_driver.ocs import connector
from tools import bench_env

#: Blades per benchmark chassis.
BLADES = 48
#: ``[conductor]sync_power_state_workers`` default.
SYNC_WORKERS = 8


def _requests(emulators):
    total = 0
    operations = {}
    for emulator in emulators:
        stats = emulator.stats()
        total += stats['total']
        for name, count in stats['operations'].items():
            operations[name] = operations.get(name, 0) + count
    return total, {name: n for name, n in sorted(operations.items()) if n}


def sync_pass(conductor, node_uuids, workers=SYNC_WORKERS):
    """One power-sync pass over the nodes, as the conductor runs it.

    :returns: wall time in seconds.
    :raises RuntimeError: if any node's sync raised.
    """
    nodes = queue.Queue()
    for uuid in node_uuids:
        nodes.put(uuid)

    def worker():
        while True:
            try:
                uuid = nodes.get_nowait()
            except queue.Empty:
                return
            conductor.sync_power_state(uuid)

    start = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(workers) as pool:
        futures = [pool.submit(worker) for _ in range(workers)]
        for future in futures:
            future.result()
    return time.perf_counter() - start


class _Load:
    """What this process sends to each chassis manager, in flight at once.

    Wraps the connector's ``call`` for the duration of the measurement: the
    most requests in flight to one endpoint, and the most chassis-wide
    (``GetAll*``) reads of one endpoint in flight at once.
    """

    def __init__(self):
        self._lock = threading.Lock()
        self._now = collections.Counter()
        self.most = collections.Counter()
        self._original = None

    def __enter__(self):
        self._original = original = connector.Connector.call
        load = self

        def call(self, operation, *args, **kwargs):
            keys = [self.endpoint]
            if operation.startswith('GetAll'):
                keys.append((self.endpoint, 'chassis-wide'))
            with load._lock:
                for key in keys:
                    load._now[key] += 1
                    load.most[key] = max(load.most[key], load._now[key])
            try:
                return original(self, operation, *args, **kwargs)
            finally:
                with load._lock:
                    for key in keys:
                        load._now[key] -= 1

        connector.Connector.call = call
        return self

    def __exit__(self, *exc_info):
        connector.Connector.call = self._original

    def summary(self):
        """``(most requests to one CM, most chassis-wide reads of one)``."""
        with self._lock:
            requests = [n for k, n in self.most.items()
                        if not isinstance(k, tuple)]
            wide = [n for k, n in self.most.items() if isinstance(k, tuple)]
        return max(requests, default=0), max(wide, default=0)


#: Modes of a measured pass: batch TTL on or off, prefetch workers, node
#: health monitoring. ``power only`` is the default pass without the health
#: reads: the power sync the floor describes, one chassis-wide read each.
MODES = (('prefetch', True, None, True), ('batch', True, 0, True),
         ('off', False, 0, True), ('power only', True, None, False))
#: The modes judged against the floor, timed ``repeats`` times each (the
#: median is kept): two identical passes in a row can differ by a third on
#: two cores. The others, slow baselines far from their goals, run once.
FLOOR_JUDGED = ('prefetch', 'power only')


def _chassis_read_s(fleet, password):
    """Median seconds of one GetAllBladesState of one chassis."""
    with ocs_client.ChassisManagerClient(
            fleet[0].url.rstrip('/'), bench_env.USERNAME, password,
            auth='basic', read_timeout=30) as client:
        client.get_service_version()  # connect and authenticate first
        return statistics.median(
            bench_env.timed(client.get_all_blades_state) for _ in range(3))


def _measure(conductor, fleet, uuids, count, bus_cost, cache_ttl, repeats,
             modes=MODES):
    """Timed passes of one fleet for each order and mode."""
    results = []
    default_workers = CONF.msftocs.prefetch_workers
    orders = {'chassis-major': uuids,
              'interleaved': [uuids[chassis * BLADES + blade]
                              for blade in range(BLADES)
                              for chassis in range(count)]}
    # Record every node's state and open the connections, then one pass
    # with the batch on, so that the chassis count as recently read.
    conductor.set_options({'power_state_cache_ttl': 0.0})
    sync_pass(conductor, uuids)
    conductor.set_options({'power_state_cache_ttl': cache_ttl})
    sync_pass(conductor, uuids)
    for order, (mode, cached, workers, monitoring) in itertools.product(
            orders, modes):
        if count == 1 and order == 'interleaved':
            continue  # the same order with one chassis
        ttl = cache_ttl if cached else 0.0
        CONF.set_override('enable_health_monitoring', monitoring,
                          'conductor')
        conductor.set_options({
            'power_state_cache_ttl': ttl,
            'prefetch_workers': (default_workers if workers is None
                                 else workers)})
        walls = []
        with _Load() as load:
            for _ in range(repeats if mode in FLOOR_JUDGED else 1):
                # Every measured pass starts with expired replies, like a
                # periodic pass a sync interval after the last one.
                batch.expire()
                for emulator in fleet:
                    emulator.reset_stats()
                walls.append(sync_pass(conductor, orders[order]))
                # What the pass queued for the next one (node health read
                # ahead) ends before the next pass, as it does within a
                # sync interval; its requests count for this pass.
                if not prefetch.POOL.wait_idle(120):
                    raise RuntimeError('reads ahead still running 120 s '
                                       'after a pass')
                total, operations = _requests(fleet)
        most_requests, most_wide = load.summary()
        results.append({
            'chassis': count, 'nodes': len(uuids), 'mode': mode,
            'cache': 'on' if cached else 'off', 'order': order,
            'cache_ttl_s': ttl, 'bus_cost_s': bus_cost,
            'health_monitoring': monitoring,
            'health_read_ahead': (monitoring and cached
                                  and CONF.msftocs.health_read_ahead
                                  and prefetch.enabled()),
            'workers': SYNC_WORKERS,
            'prefetch_workers': CONF.msftocs.prefetch_workers,
            'wall_s': round(statistics.median(walls), 3),
            'timed_passes': len(walls),
            'cm_requests': total,
            'cm_requests_by_operation': operations,
            'most_requests_in_flight_per_cm': most_requests,
            'most_chassis_wide_reads_in_flight_per_cm': most_wide,
        })
    conductor.set_options({'prefetch_workers': default_workers})
    CONF.clear_override('enable_health_monitoring', 'conductor')
    return results


def _idle_requests(fleet, seconds=3.0):
    """Requests the fleet receives while the conductor does nothing."""
    for emulator in fleet:
        emulator.reset_stats()
    time.sleep(seconds)
    return _requests(fleet)[0]


def run_sync(conductor, chassis_counts, bus_cost, cache_ttl, repeats):
    """Measure power sync for each chassis count, order and mode.

    For every chassis count, the passes run against a fleet whose BMC calls
    cost ``bus_cost`` seconds, and the prefetch pass also against a fleet
    whose bus costs nothing (the pass's Ironic-only time); one
    chassis-wide read of one chassis is timed on its own.

    :param conductor: a :class:`tools.bench_ironic.Conductor`.
    :param chassis_counts: e.g. ``(1, 4, 16)``.
    :param bus_cost: seconds per BMC call on each emulator's bus.
    :param cache_ttl: the ``power_state_cache_ttl`` of the cached runs.
    :param repeats: timed passes of each configuration judged against the
        floor (:data:`FLOOR_JUDGED`, and the Ironic-only pass); the median
        is kept.
    :returns: ``{'passes': [...], 'floors': [...]}``.
    """
    password = bench_env.new_password()
    passes, floors = [], []
    for count in chassis_counts:
        with bench_env.emulators(count, blades=BLADES, bus_cost=bus_cost,
                                 username=bench_env.USERNAME,
                                 password=password) as fleet:
            uuids = [conductor.create_node(
                bench_env.driver_info(emulator, blade, password))
                for emulator in fleet for blade in range(1, BLADES + 1)]
            passes.extend(_measure(conductor, fleet, uuids, count, bus_cost,
                                   cache_ttl, repeats))
            chassis_read = _chassis_read_s(fleet, password)
            idle = _idle_requests(fleet)
        client_cache.clear()
        state_cache.clear()
        with bench_env.emulators(count, blades=BLADES, bus_cost=0.0,
                                 username=bench_env.USERNAME,
                                 password=password) as fleet:
            uuids = [conductor.create_node(
                bench_env.driver_info(emulator, blade, password))
                for emulator in fleet for blade in range(1, BLADES + 1)]
            free = _measure(conductor, fleet, uuids, count, 0.0, cache_ttl,
                            repeats, modes=MODES[:1])
        client_cache.clear()
        state_cache.clear()
        for item in free:
            floors.append({
                'chassis': count, 'order': item['order'],
                'chassis_read_s': round(chassis_read, 3),
                'ironic_only_s': item['wall_s'],
                'floor_s': round(chassis_read + item['wall_s'], 3),
                'idle_requests': idle,
            })
    return {'passes': passes, 'floors': floors}


def run_power_on(conductor, decompression_seconds, bus_cost, repeats=3):
    """Time power on from hard off against the decompression time.

    :param conductor: a :class:`tools.bench_ironic.Conductor`.
    :param decompression_seconds: the emulator's FirmwareDecompressing time.
    :param bus_cost: seconds per BMC call on the emulator's bus.
    :param repeats: power-on runs (the median is kept).
    :returns: a result dict.
    """
    password = bench_env.new_password()
    blade = 1
    with bench_env.emulators(1, blades=24, bus_cost=bus_cost,
                             decompression_seconds=decompression_seconds,
                             username=bench_env.USERNAME,
                             password=password) as (emulator,):
        uuid = conductor.create_node(
            bench_env.driver_info(emulator, blade, password),
            power_state=states.POWER_OFF)
        walls = []
        for _ in range(repeats):
            emulator.set_blade(blade, switch_on=False, host_on=False)
            emulator.reset_stats()
            with conductor.acquire(uuid, shared=False,
                                   purpose='power on') as task:
                walls.append(bench_env.timed(
                    task.driver.power.set_power_state, task,
                    states.POWER_ON, timeout=decompression_seconds + 60))
            if not emulator.blade(blade)['host_on']:
                raise RuntimeError('the blade is not on after power on')
        total, operations = _requests([emulator])
    client_cache.clear()
    wall = statistics.median(walls)
    poll = CONF.msftocs.power_poll_interval
    return {
        'decompression_s': decompression_seconds,
        'bus_cost_s': bus_cost,
        'runs': repeats,
        'wall_s': round(wall, 3),
        'beyond_decompression_s': round(wall - decompression_seconds, 3),
        'power_poll_interval_s': poll,
        'within_one_poll_interval': wall - decompression_seconds < poll,
        'cm_requests_last_run': total,
        'cm_requests_by_operation_last_run': operations,
    }
