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

"""Benchmarks of the msftocs driver against the chassis-manager emulator.

``tox -e bench`` (``python -m tools.bench``) runs everything below in one
go on 127.0.0.1, prints a table of medians and ratios and every goal of
``tools/bench_goals.py`` with its ratio and a pass/fail word, writes the
raw numbers to ``bench-results/bench.json`` (``--output`` changes the path)
and draws ``power-sync.png`` beside it (``tools/bench_chart.py``). It takes
several minutes on two cores. Nothing here is part of the test run.

Method
------
The driver is exercised the way the conductor runs it: nodes are enrolled in
a SQLite database with the ``msftocs`` hardware type, and every call goes
through the power interface of a task from ``task_manager.acquire``
(``tools/bench_ironic.py``). Emulators are separate processes started with
``msftocs_driver.emulator.runner.EmulatorProcess`` and stopped by PID; their
request counters (``/_emulator/stats``) count chassis-manager requests.

1. **Per-operation overhead** (``tools/bench_overhead.py``). For basic auth
   over http, NTLM over http and basic auth over https (certificate
   verified against its own CA), the driver's ``get_power_state`` is timed
   against the floor: a bare keep-alive ``requests.Session.get`` of the same
   URL with the same authentication. The power-state cache is off so that
   each call is one request. The candidates run in alternation, many rounds
   after a warm-up, and medians are compared; this cancels most of the
   noise of a small shared machine. Goal: driver/floor <= 1.10, reported
   with a pass/fail word. Rounds of their own time the cost of a
   connection per call (a plain ``requests.get`` every time, as the old
   in-tree driver did) against the library's kept-alive client.
2. **Power sync** (``tools/bench_sync.py``). N chassis of 48 blades
   (N = 1, 4, 16 by default), one emulator process each, every BMC call
   costing ``--bus-cost`` seconds (20 ms by default) on the emulator's
   chassis-wide serialised bus. A pass is Ironic's: 8 threads drain a queue
   of nodes, each running ``do_sync_power_state`` on a shared task. Wall
   time and chassis-manager requests are recorded for the batch with its
   prefetch, the batch alone, one call per node and the batch with its
   prefetch with node-health monitoring off, each pass starting
   with expired replies, for nodes queued chassis by chassis (Ironic's
   database order when whole chassis are enrolled in turn) and interleaved
   across chassis. The floor of a pass is one chassis-wide read timed
   alone plus the same pass against emulators whose bus costs nothing.
3. **Power on from hard off** (``tools/bench_sync.py``). A blade whose
   power switch is off is powered on through ``set_power_state``; the time
   beyond the emulator's decompression time is compared with one
   ``power_poll_interval``.
4. **Memory** (``tools/bench_memory.py``). A fresh conductor-like process
   builds 100 cached clients (one per chassis endpoint; a local TCP relay
   gives one emulator 100 ports), each making one call, and reports its
   peak RSS, against the same process without clients.
5. **Node health in power sync** (``tools/bench_health.py``). The second
   chassis count of the power-sync part (4 by default), synced with health
   monitoring on (batch on, batch off) and off: the chassis-manager
   requests the health reads add per chassis and pass. Target: at most 1.

A part that cannot run (for example because a module it needs is missing)
is reported as not measured, with the reason, and the others still run.

Reading the numbers
-------------------
* The emulator answers in well under a millisecond, so the overhead ratio
  is a worst case: against a chassis manager whose blade calls take tens
  of milliseconds the same absolute overhead is a few percent. The floor
  does not parse the XML reply; the driver must.
* A power-sync pass also contains Ironic's own per-node work (task
  acquisition and database access, a few milliseconds per node on SQLite),
  whatever the driver does; ``--bus-cost 0`` shows that part alone.
* Chassis-wide calls (``GetAllBladesState``) visit every blade over the
  same bus, so the batch cache saves requests, not bus time.
* Power on ends with the driver's wait for the new state, which reads the
  blade at once, then after 1, 2 and 4 seconds.
"""

import argparse
import json
import logging
import os
import sys
import tempfile
import time
import traceback

#: Where the results go unless ``--output`` says otherwise.
DEFAULT_OUTPUT = os.path.join('bench-results', 'bench.json')


def _parse_args(argv):
    parser = argparse.ArgumentParser(
        prog='python -m tools.bench',
        description='Benchmark the msftocs driver against the emulator.')
    parser.add_argument('--output', default=DEFAULT_OUTPUT,
                        help='JSON results file (default: %(default)s)')
    parser.add_argument('--samples', type=int, default=300,
                        help='interleaved rounds per transport for the '
                             'overhead measurement (default: %(default)s)')
    parser.add_argument('--chassis', default='1,4,16',
                        help='chassis counts for power sync '
                             '(default: %(default)s)')
    parser.add_argument('--bus-cost', type=float, default=0.02,
                        help='seconds per BMC call on each emulated '
                             'chassis bus (default: %(default)s)')
    parser.add_argument('--sync-repeats', type=int, default=5,
                        help='timed sync passes of each configuration '
                             'judged against its floor, and of the floor\'s '
                             'Ironic-only pass; the median is kept; the '
                             'batch and per-node passes run once '
                             '(default: %(default)s)')
    parser.add_argument('--decompression', type=float, default=3.0,
                        help='emulated FirmwareDecompressing seconds for '
                             'the power-on measurement '
                             '(default: %(default)s)')
    parser.add_argument('--only', action='append',
                        choices=('overhead', 'sync', 'power_on', 'memory',
                                 'health'),
                        help='run only this part (repeatable)')
    return parser.parse_args(argv)


def _section(results, name, func):
    """Run one part; record its results or why it could not run."""
    print('== %s ...' % name, file=sys.stderr, flush=True)
    start = time.monotonic()
    try:
        results[name] = {'status': 'measured', 'results': func()}
    except Exception as exc:
        results[name] = {'status': 'not measured',
                         'reason': '%s: %s' % (type(exc).__name__, exc),
                         'traceback': traceback.format_exc()}
    results[name]['duration_s'] = round(time.monotonic() - start, 1)


def run(args):
    """Run the selected parts.

    :param args: the parsed command line.
    :returns: the results dict written to the JSON file.
    """
    from tools import bench_ironic

    from msftocs_driver.conf import CONF

    parts = args.only or ['overhead', 'sync', 'power_on', 'memory',
                          'health']
    workdir = tempfile.mkdtemp(prefix='msftocs-bench-')
    conductor = bench_ironic.Conductor(workdir)
    default_ttl = CONF.msftocs.power_state_cache_ttl
    results = {'machine': {'cpus': os.cpu_count(),
                           'python': sys.version.split()[0]},
               'max_connections': CONF.msftocs.max_connections,
               'started': time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime())}

    if 'overhead' in parts:
        from tools import bench_overhead
        _section(results, 'overhead', lambda: bench_overhead.run(
            conductor, workdir, args.samples))
    if 'sync' in parts:
        from tools import bench_sync
        counts = [int(n) for n in args.chassis.split(',') if n]
        _section(results, 'sync', lambda: bench_sync.run_sync(
            conductor, counts, args.bus_cost, default_ttl,
            args.sync_repeats))
    if 'power_on' in parts:
        from tools import bench_sync  # noqa: F811
        conductor.set_options({'power_state_cache_ttl': default_ttl})
        _section(results, 'power_on', lambda: bench_sync.run_power_on(
            conductor, args.decompression, args.bus_cost))
    if 'memory' in parts:
        _section(results, 'memory', _memory)
    if 'health' in parts:
        from tools import bench_health
        conductor.set_options({'power_state_cache_ttl': default_ttl})
        # One chassis count per process: see tools/bench_health.py.
        counts = [int(n) for n in args.chassis.split(',') if n][1:2] or [1]
        _section(results, 'health', lambda: bench_health.run(
            conductor, counts, args.bus_cost))
    return results


def _memory():
    from tools import bench_env
    from tools import bench_memory

    password = bench_env.new_password()
    with bench_env.emulators(1, blades=24, username=bench_env.USERNAME,
                             password=password) as (emulator,):
        return bench_memory.run(emulator, password)


def _rows(results):
    """Flatten the results into (measurement, value, note) rows."""
    rows = []
    for name in ('overhead', 'sync', 'power_on', 'memory', 'health'):
        section = results.get(name)
        if section is None:
            continue
        if section['status'] != 'measured':
            rows.append((name, 'NOT MEASURED', section['reason'][:90]))
            continue
        data = section['results']
        if name == 'overhead':
            for item in data:
                med = item['median_ms']
                rows.append((
                    'get_power_state %s' % item['transport'],
                    'driver %.3f ms / floor %.3f ms = %.2fx'
                    % (med['driver'], med['floor'],
                       item['driver_over_floor']),
                    'goal <= %.2fx: %s' % (item['target_ratio'],
                                           item['verdict'].upper())))
                rows.append((
                    '  of which %s' % item['transport'],
                    'client %+.3f ms, driver layer %+.3f ms '
                    '(parse_driver_info %.3f ms)'
                    % (item['client_minus_floor_ms'],
                       item['driver_minus_client_ms'],
                       med['parse_driver_info']), ''))
                rows.append((
                    'connection per call %s' % item['transport'],
                    'fresh %.3f ms / kept-alive %.3f ms = %.2fx'
                    % (med['fresh'], med['kept_alive'],
                       item['fresh_over_kept_alive']), ''))
        elif name == 'sync':
            for item in data['passes']:
                rows.append((
                    'power sync %dx48 %s, %s' % (
                        item['chassis'], item['order'], item['mode']),
                    '%d CM requests, %.2f s' % (item['cm_requests'],
                                                item['wall_s']),
                    '%d workers, bus %g s/call' % (item['workers'],
                                                   item['bus_cost_s'])))
            for floor in data['floors']:
                rows.append((
                    'floor %dx48 %s' % (floor['chassis'], floor['order']),
                    '%.2f s = chassis read %.2f s + Ironic-only %.2f s' % (
                        floor['floor_s'], floor['chassis_read_s'],
                        floor['ironic_only_s']), 'bus cost 0 for the '
                    'Ironic-only pass'))
        elif name == 'health':
            from tools import bench_health
            rows.extend(bench_health.rows(data))
        elif name == 'power_on':
            rows.append((
                'power on from hard off',
                '%.2f s beyond %.1f s decompression'
                % (data['beyond_decompression_s'], data['decompression_s']),
                'target < %.1f s (one poll interval)'
                % data['power_poll_interval_s']))
        else:
            rows.append((
                'peak RSS, %d cached clients' % data['chassis'],
                '%.1f MiB vs %.1f MiB baseline'
                % (data['clients_maxrss_mib'], data['baseline_maxrss_mib']),
                'peak is set by imports'))
            rows.append((
                'RSS, %d cached clients' % data['chassis'],
                '%.1f MiB vs %.1f MiB baseline (+%.1f KiB/client)'
                % (data['clients_rss_mib'], data['baseline_rss_mib'],
                   data['rss_per_client_kib']), 'after gc'))
    return rows


def _goals(results):
    """Every goal of the run that could be judged."""
    from tools import bench_goals

    goals = []
    overhead = results.get('overhead', {})
    if overhead.get('status') == 'measured':
        goals.extend(bench_goals.overhead_goals(overhead['results']))
    sync = results.get('sync', {})
    if sync.get('status') == 'measured':
        goals.extend(bench_goals.sync_goals(
            sync['results'], results['max_connections']))
    return goals


def print_table(results, stream=sys.stdout):
    """Print the results as an aligned table.

    :param results: the dict returned by :func:`run`.
    :param stream: where to print.
    """
    rows = [('measurement', 'median', 'note')] + _rows(results)
    goals = results.get('goals', [])
    if goals:
        from tools import bench_goals
        rows += [('', '', ''), ('goal', 'ratio', 'target')]
        rows += bench_goals.rows(goals)
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    for index, row in enumerate(rows):
        print('  '.join(cell.ljust(width)
                        for cell, width in zip(row, widths)).rstrip(),
              file=stream)
        if index == 0:
            print('  '.join('-' * width for width in widths), file=stream)
    if goals:
        from tools import bench_goals
        out_of_reach = bench_goals.bounds(goals)
        if out_of_reach:
            print('\nout of reach, from this run\'s own numbers:',
                  file=stream)
            for line in out_of_reach:
                print('  ' + line, file=stream)


def main(argv=None):
    """Run the benchmarks, print the table and write the JSON file."""
    args = _parse_args(sys.argv[1:] if argv is None else argv)
    logging.basicConfig(level=logging.WARNING)
    start = time.monotonic()
    results = run(args)
    results['goals'] = _goals(results)
    results['duration_s'] = round(time.monotonic() - start, 1)
    directory = os.path.dirname(args.output)
    if directory:
        os.makedirs(directory, exist_ok=True)
    sync = results.get('sync', {})
    if sync.get('status') == 'measured':
        from tools import bench_chart
        chart = os.path.join(directory, 'power-sync.png')
        try:
            bench_chart.draw(sync['results'], chart)
            results['chart'] = chart
        except ImportError as exc:
            results['chart'] = 'not drawn: %s' % exc
    with open(args.output, 'w') as stream:
        json.dump(results, stream, indent=2, sort_keys=True)
    print_table(results)
    print('\nresults written to %s (%.0f s); chart: %s' % (
        args.output, results['duration_s'], results.get('chart', 'none')))
    missing = [name for name, value in results.items()
               if isinstance(value, dict)
               and value.get('status') == 'not measured']
    # A goal missed is reported (FAIL), not an error of the run.
    return 1 if missing else 0


if __name__ == '__main__':
    sys.exit(main())
