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

"""Per-operation overhead of the driver, and the cost of a connection per call.

For each transport (basic auth over http, NTLM over http, basic auth over
https with certificate verification) one emulator runs with no artificial
latency, and four candidates read the power state of one blade, timed in
alternation:

``driver``
    ``task.driver.power.get_power_state(task)`` on a task from
    ``task_manager.acquire``: driver_info parsing, the client cache, the
    client call with its XML parsing and the mapping to an Ironic state.
    The power-state cache is off (``power_state_cache_ttl = 0``) so that
    every call reaches the chassis manager.
``floor``
    a bare ``requests.Session.get`` of the same URL with the same
    authentication on a kept-alive connection: the cost of the HTTP round
    trip and the emulator itself, which no driver can avoid.
``client``
    the library's ``ChassisManagerClient`` call, kept alive.
``fresh``
    what the old in-tree driver did: ``requests.get`` per call, hence a new
    TCP connection (and TLS handshake, and NTLM handshake) every time;
    timed in rounds of its own against the kept-alive client
    (``kept_alive``), so that its new connections do not slow the
    candidates of the overhead ratio.
``parse_driver_info``
    the driver_info validation alone, which the driver runs on every call:
    with ``client`` it shows where the time above the floor goes.
"""

import requests
import requests_ntlm

from msftocs_driver.common import client_cache
from msftocs_driver.common import driver_info
from msftocs_driver.ocs import client as ocs_client
from tools import bench_env
from tools import devcerts

#: The transports measured: (name, auth, tls).
TRANSPORTS = (('basic-http', 'basic', False),
              ('ntlm-http', 'ntlm', False),
              ('basic-https', 'basic', True))
#: The blade whose state is read.
BLADE = 1
#: The goal: ``get_power_state`` at most this many times the bare
#: kept-alive GET (with the client's whole-reply deadline in place).
TARGET_RATIO = 1.10


def _auth(auth, password):
    if auth == 'ntlm':
        return requests_ntlm.HttpNtlmAuth(bench_env.USERNAME, password)
    return requests.auth.HTTPBasicAuth(bench_env.USERNAME, password)


def _operation_of(emulator, call):
    """Which CM operation a callable issues (exactly one is expected).

    :returns: the operation name.
    :raises RuntimeError: if the call issued no or several requests.
    """
    emulator.reset_stats()
    call()
    operations = emulator.stats()['operations']
    issued = {name: count for name, count in operations.items() if count}
    if list(issued.values()) != [1]:
        raise RuntimeError('expected one chassis-manager request per '
                           'get_power_state, saw %s' % issued)
    return next(iter(issued))


def _measure_transport(conductor, workdir, name, auth, tls, samples,
                       password):
    ca = cert = key = None
    if tls:
        tls_files = devcerts.make_tls_files(workdir)
        ca, cert, key = tls_files['ca'], tls_files['cert'], tls_files['key']
    with bench_env.emulators(1, blades=24, auth=auth,
                             username=bench_env.USERNAME, password=password,
                             tls_cert=cert, tls_key=key) as (emulator,):
        info = bench_env.driver_info(emulator, BLADE, password, auth=auth,
                                     verify_ca=ca)
        node_uuid = conductor.create_node(info)
        verify = ca if tls else True
        base = emulator.url.rstrip('/')
        client = ocs_client.ChassisManagerClient(
            base, bench_env.USERNAME, password, auth=auth, verify=verify)
        session = requests.Session()
        session.auth = _auth(auth, password)
        session.verify = verify
        session.trust_env = False
        with conductor.acquire(node_uuid) as task:
            def driver_call():
                task.driver.power.get_power_state(task)

            operation = _operation_of(emulator, driver_call)
            url = '%s/%s?bladeId=%d' % (base, operation, BLADE)

            def floor_call():
                session.get(url, timeout=10).raise_for_status()

            def fresh_call():
                requests.get(url, auth=_auth(auth, password), verify=verify,
                             timeout=10).raise_for_status()

            def client_call():
                client.get_blade_state(BLADE)

            def driver_info_call():
                driver_info.parse_driver_info(task.node)

            # The candidates of the overhead ratio run side by side; a
            # call on a new connection (and its TIME_WAIT socket, cold
            # caches) would slow whichever call follows it, so it is
            # compared with the kept-alive client in rounds of its own.
            times = bench_env.interleaved(
                {'driver': driver_call, 'floor': floor_call,
                 'client': client_call,
                 'parse_driver_info': driver_info_call}, samples)
            times.update(bench_env.interleaved(
                {'fresh': fresh_call, 'kept_alive': client_call}, samples))
        session.close()
        client.close()
        client_cache.clear()
    medians = {key: bench_env.median_ms(value) for key, value in times.items()}
    ratio = round(medians['driver'] / medians['floor'], 3)
    return {
        'transport': name,
        'operation': operation,
        'samples': samples,
        'median_ms': medians,
        'driver_over_floor': ratio,
        'target_ratio': TARGET_RATIO,
        'verdict': 'pass' if ratio <= TARGET_RATIO else 'fail',
        'driver_minus_floor_ms': round(medians['driver'] - medians['floor'],
                                       3),
        'fresh_over_kept_alive': round(
            medians['fresh'] / medians['kept_alive'], 3),
        # Where the time above the floor goes.
        'client_minus_floor_ms': round(medians['client'] - medians['floor'],
                                       3),
        'driver_minus_client_ms': round(
            medians['driver'] - medians['client'], 3),
    }


def report(results):
    """One line per transport: the ratio against the goal, pass or fail.

    :param results: what :func:`run` returned.
    :returns: a list of strings.
    """
    return ['get_power_state %s: %.3f ms / floor %.3f ms = %.2fx '
            '(goal <= %.2fx): %s'
            % (item['transport'], item['median_ms']['driver'],
               item['median_ms']['floor'], item['driver_over_floor'],
               item['target_ratio'], item['verdict'].upper())
            for item in results]


def run(conductor, workdir, samples):
    """Measure every transport.

    :param conductor: a :class:`tools.bench_ironic.Conductor`.
    :param workdir: a private directory (TLS material).
    :param samples: interleaved rounds per transport.
    :returns: a list of result dicts, one per transport, each with the
        medians, ``driver_over_floor``, ``target_ratio`` and ``verdict``
        (``pass`` or ``fail``).
    """
    conductor.set_options({'power_state_cache_ttl': 0.0})
    password = bench_env.new_password()
    return [_measure_transport(conductor, workdir, name, auth, tls, samples,
                               password)
            for name, auth, tls in TRANSPORTS]
