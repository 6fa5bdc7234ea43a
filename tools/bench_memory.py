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

"""Peak memory of a conductor-like process holding clients for 100 chassis.

One emulator stands for all chassis: a TCP relay in the benchmark process
listens on one 127.0.0.1 port per chassis and forwards each connection to
the emulator, so that the measured process sees 100 distinct chassis-manager
endpoints (100 cache entries, 100 kept-alive connections).

The measured process is started twice, fresh each time: ``baseline`` imports
what a conductor running this driver imports (Ironic's conductor manager and
the ``msftocs`` interfaces) and parses the driver_info of one node per
chassis; ``clients`` does the same and then takes the cached client of every
chassis from ``client_cache`` and makes one call with it. Each reports its
peak RSS (``ru_maxrss``) and, after a garbage collection, its current RSS
(``VmRSS``). The peak of both processes is usually set while importing
Ironic, before any client exists, so the difference in current RSS is the
figure that shows what the clients cost.

Run as ``python -m tools.bench_memory {baseline|clients} PORT...``: the
password comes from the environment (``MSFTOCS_BENCH_PASSWORD``), never from
the command line.
"""

import asyncio
import gc
import json
import os
import resource
import subprocess
import sys
import threading

#: Chassis (endpoints) held by the measured process.
CHASSIS = 100
_PASSWORD_ENV = 'MSFTOCS_BENCH_PASSWORD'


class Relay(object):
    """Forward many local ports to one target port, in a background thread.

    :param target_port: the port on 127.0.0.1 to forward to.
    :param count: how many listening ports to open.
    """

    def __init__(self, target_port, count):
        self.target_port = target_port
        self.count = count
        self.ports = []
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever,
                                        name='bench-relay', daemon=True)
        self._servers = []

    async def _pipe(self, reader, writer):
        try:
            while True:
                data = await reader.read(65536)
                if not data:
                    break
                writer.write(data)
                await writer.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            writer.close()

    async def _handle(self, client_reader, client_writer):
        try:
            target_reader, target_writer = await asyncio.open_connection(
                '127.0.0.1', self.target_port)
        except OSError:
            client_writer.close()
            return
        await asyncio.gather(self._pipe(client_reader, target_writer),
                             self._pipe(target_reader, client_writer))

    async def _listen(self):
        for _ in range(self.count):
            server = await asyncio.start_server(self._handle, '127.0.0.1', 0)
            self._servers.append(server)
            self.ports.append(server.sockets[0].getsockname()[1])

    async def _close(self):
        for server in self._servers:
            server.close()
            await server.wait_closed()

    def __enter__(self):
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._listen(),
                                         self._loop).result(30)
        return self

    def __exit__(self, *exc_info):
        asyncio.run_coroutine_threadsafe(self._close(),
                                         self._loop).result(30)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._loop.close()


def _current_rss_kib():
    with open('/proc/self/status') as stream:
        for line in stream:
            if line.startswith('VmRSS:'):
                return int(line.split()[1])
    raise RuntimeError('no VmRSS in /proc/self/status')


def _measure(mode, ports, password):
    """The measured process: returns its peak and current RSS in KiB."""
    from tools import bench_ironic  # noqa: F401 (selects the backend)

    from ironic.conductor import manager  # noqa: F401
    from ironic import objects
    from oslo_utils import uuidutils

    from msftocs_driver.common import client_cache
    from msftocs_driver.common import driver_info
    from msftocs_driver import management  # noqa: F401
    from msftocs_driver import power  # noqa: F401

    objects.register_all()
    infos = []
    for port in ports:
        node = objects.Node(uuid=uuidutils.generate_uuid(), driver='msftocs',
                            driver_info={
                                'msftocs_base_url': 'http://127.0.0.1:%d'
                                                    % port,
                                'msftocs_blade_id': 1,
                                'msftocs_username': 'admin',
                                'msftocs_password': password})
        infos.append(driver_info.parse_driver_info(node))
    if mode == 'clients':
        for info in infos:
            with client_cache.borrowed_client(info) as client:
                client.get_blade_state(info['blade_id'])
    gc.collect()
    return {'maxrss_kib': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
            'rss_kib': _current_rss_kib()}


def _spawn(mode, ports, password):
    env = dict(os.environ, **{_PASSWORD_ENV: password})
    result = subprocess.run(
        [sys.executable, '-m', 'tools.bench_memory', mode]
        + [str(port) for port in ports],
        env=env, capture_output=True, text=True, timeout=300, check=False)
    if result.returncode != 0:
        raise RuntimeError('the %s memory probe failed: %s'
                           % (mode, result.stderr.strip()[-2000:]))
    return json.loads(result.stdout.strip().splitlines()[-1])


def run(emulator, password, chassis=CHASSIS):
    """Measure both processes and compare them.

    :param emulator: a started emulator (basic auth, http).
    :param password: its password.
    :param chassis: how many chassis endpoints.
    :returns: a result dict.
    """
    with Relay(emulator.port, chassis) as relay:
        emulator.reset_stats()
        baseline = _spawn('baseline', relay.ports, password)
        with_clients = _spawn('clients', relay.ports, password)
        requests_made = emulator.stats()['total']
    if requests_made < chassis:
        raise RuntimeError('the clients made %d requests, expected at least '
                           '%d' % (requests_made, chassis))
    peak_delta = with_clients['maxrss_kib'] - baseline['maxrss_kib']
    rss_delta = with_clients['rss_kib'] - baseline['rss_kib']
    return {
        'chassis': chassis,
        'baseline_maxrss_mib': round(baseline['maxrss_kib'] / 1024.0, 1),
        'clients_maxrss_mib': round(with_clients['maxrss_kib'] / 1024.0, 1),
        'maxrss_delta_mib': round(peak_delta / 1024.0, 1),
        'baseline_rss_mib': round(baseline['rss_kib'] / 1024.0, 1),
        'clients_rss_mib': round(with_clients['rss_kib'] / 1024.0, 1),
        'rss_delta_mib': round(rss_delta / 1024.0, 1),
        'rss_per_client_kib': round(rss_delta / float(chassis), 1),
        'cm_requests': requests_made,
    }


def main(argv=None):
    """Entry point of the measured process."""
    argv = sys.argv[1:] if argv is None else argv
    mode, ports = argv[0], [int(port) for port in argv[1:]]
    if mode not in ('baseline', 'clients'):
        sys.exit('usage: python -m tools.bench_memory baseline|clients '
                 'PORT...')
    usage = _measure(mode, ports, os.environ[_PASSWORD_ENV])
    print(json.dumps(dict(usage, mode=mode)))


if __name__ == '__main__':
    main()
