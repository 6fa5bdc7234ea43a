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

"""Two conductors on Ironic's hash ring: spread, failover and rebalance.

The checks run in file order on one stage (see ``conftest.py``) and build
on each other: when one fails, the later ones are skipped. Conductor A is
the first conductor, B the second; the console node is a node of A.
"""

import configparser
import socket
import time

import pytest

from tools import ironic_multi
from tools import multi_ring

#: Seconds the takeover itself may take once a conductor is due to run it
#: (the driver starts socat and probes the blade's serial session).
TAKEOVER_SLACK = 15

#: What the checks learned, for the later checks.
facts = {}


def option(section, name):
    """An interval of the tested configuration, in seconds."""
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(ironic_multi.OVERRIDES_PATH)
    return parser.getfloat(section, name)


@pytest.fixture(autouse=True)
def _in_order():
    # conftest.py records the first failed check in facts['failed'].
    if facts.get('failed'):
        pytest.skip('the check %s failed' % facts['failed'])


def _wait_console_on(ring, conductor, name, timeout):
    """Wait until ``conductor`` serves the node's console; return its URL."""
    ring.wait_until(
        lambda: any(kind == 'socat' for kind, _cmd in
                    ring.console_processes_of(conductor, name)),
        'socat of %s on %s' % (name, conductor.hostname), timeout=timeout)
    node = ring.node(name)
    ring.check(node['console_enabled'],
               'console of %s disabled: %s' % (name, node['last_error']))
    return ring.bm_json('node', 'console', 'show', name)['console_info']['url']


def _port_in_range(url, conductor):
    port = int(url.rsplit(':', 1)[1])
    start, end = conductor.console_port_range.split(':')
    return int(start) <= port < int(end)


def _hold_console(ring, url, name):
    """Connect to a console and wait until its bridge holds the session."""
    host, port = url.split('://', 1)[1].rsplit(':', 1)
    conn = socket.create_connection((host, int(port)), timeout=5)
    conn.sendall(b'\r')
    chassis, blade = ring.chassis_of(name), ring.blade_of(name)
    ring.wait_until(lambda: chassis.blade(blade)['serial_session'],
                    'a serial session on blade %s' % name, timeout=20)
    return conn


def _closed(conn, timeout=10):
    """Whether the peer closes (or resets) a connection within timeout."""
    conn.settimeout(timeout)
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            if not conn.recv(4096):
                return True
    except ConnectionError:
        return True
    except socket.timeout:
        return False
    return False


def _took_over(conductor, uuids):
    """Whether a conductor took every node over since it last started."""
    text = conductor.log_text().rsplit(multi_ring.STARTED, 1)[-1]
    return all('Conductor %s taking over node %s' % (conductor.hostname, uuid)
               in text for uuid in uuids)


def _read_console_of(ring, conductor, name, timeout):
    """Read the node's console where its console_info points, until it works.

    The console may still be restarted once (a takeover after a start):
    each try reads the current console_info again.
    """
    deadline = time.monotonic() + timeout
    while True:
        url = _wait_console_on(ring, conductor, name, timeout=timeout)
        try:
            return ring.read_console(url, b'login:', timeout=10)
        except (ring.Error, OSError):
            if time.monotonic() > deadline:
                raise


def test_nodes_spread_over_both_conductors(ring):
    names = ring.enroll()
    states = {row['name']: row['provision_state']
              for row in ring.node_fields('name', 'provision_state')}
    assert set(states.values()) == {'active'}, states
    placement = ring.placement()
    conductor_a, conductor_b = ring.conductors
    for index in range(multi_ring.CHASSIS):
        owners = {placement[ring.node_name(index, blade)]
                  for blade in range(1, multi_ring.BLADES_PER_CHASSIS + 1)}
        assert owners == {conductor_a.hostname, conductor_b.hostname}, (
            'chassis %d lives on %s only' % (index, owners))
    for conductor in ring.conductors:
        for index in range(multi_ring.CHASSIS):
            name = [n for n in ring.nodes_of(conductor, placement)
                    if n.startswith('c%d-' % index)][0]
            assert ring.shown_conductor(name) == conductor.hostname
    console_node = ring.nodes_of(conductor_a, placement)[0]
    facts.update(names=names, placement=placement, console_node=console_node)


def test_power_sync_reads_each_chassis_once_per_conductor(ring):
    placement = facts['placement']
    seen = {c.hostname: len(ring.sync_passes(c)) for c in ring.conductors}
    ring.wait_until(
        lambda: all(len(ring.sync_passes(c)) >= seen[c.hostname] + 3
                    for c in ring.conductors),
        'three power-sync passes of each conductor',
        timeout=4 * option('conductor', 'sync_power_state_interval') + 10)
    logged_before = ring.chassis_reads_logged()
    served = [calls['GetAllBladesState'] for calls in ring.cm_calls()]
    logged_after = ring.chassis_reads_logged()
    for conductor in ring.conductors:
        owned = {ring.chassis.index(ring.chassis_of(name))
                 for name in ring.nodes_of(conductor, placement)}
        passes = ring.sync_passes(conductor)[seen[conductor.hostname]:]
        for reads in passes:
            for index in range(multi_ring.CHASSIS):
                limit = 1 if index in owned else 0
                assert reads[index] <= limit, (conductor.hostname, passes)
        assert any(reads for reads in passes), (conductor.hostname, passes)
    for index in range(multi_ring.CHASSIS):
        # Every GetAllBladesState the chassis served is one a conductor
        # logged: nothing reads a chassis behind the accounting.
        assert logged_before[index] <= served[index] <= logged_after[index]
    facts['chassis_reads'] = served
    print('power sync: %s passes per conductor, GetAllBladesState served per '
          'chassis so far: %s' % (
              {c.hostname: len(ring.sync_passes(c)) for c in ring.conductors},
              served))


def test_console_of_a_node_of_conductor_a(ring):
    name = facts['console_node']
    conductor_a = ring.conductors[0]
    before = ring.power_commands()
    ring.bm('node', 'power', 'on', name, '--power-timeout', '60')
    ring.wait_for_node(name, lambda n: n['target_power_state'] is None)
    assert ring.node(name)['power_state'] == 'power on'
    chassis = ring.chassis.index(ring.chassis_of(name))
    commands = ring.power_commands()
    assert commands[chassis] - before[chassis] == {'SetBladeOn': 1}
    ring.bm('node', 'console', 'enable', name)
    ring.wait_console(name, enabled=True)
    url = _wait_console_on(ring, conductor_a, name, timeout=30)
    assert _port_in_range(url, conductor_a), url
    ring.read_console(url, b'login:')
    facts['console_url_a'] = url


def test_failover_after_sigkill_of_conductor_a(ring):
    name = facts['console_node']
    conductor_a, conductor_b = ring.conductors
    nodes_of_a = ring.nodes_of(conductor_a, facts['placement'])
    held = _hold_console(ring, facts['console_url_a'], name)
    power_before = ring.power_commands()
    killed = time.monotonic()
    conductor_a.kill()
    assert conductor_a.leftovers() == []
    assert _closed(held), 'the console connection to A outlived A'
    held.close()
    # Dead after the heartbeat timeout; B's ring drops A within the reset
    # interval; B's next local-state sync takes A's nodes over.
    bound = (option('conductor', 'heartbeat_timeout')
             + option('DEFAULT', 'hash_ring_reset_interval')
             + option('conductor', 'sync_local_state_interval')
             + TAKEOVER_SLACK)
    ring.wait_until(lambda: set(ring.nodes_of(conductor_b)) >= set(
        nodes_of_a), 'the nodes of A to map to B', timeout=bound)
    remapped = time.monotonic() - killed
    uuids = {n: ring.node(n)['uuid'] for n in nodes_of_a}
    ring.wait_until(
        lambda: all('Conductor %s taking over node %s' % (
            conductor_b.hostname, uuid) in conductor_b.log_text()
            for uuid in uuids.values()),
        'B to take over every node of A',
        timeout=max(1, bound - (time.monotonic() - killed)))
    url = _wait_console_on(ring, conductor_b, name, timeout=TAKEOVER_SLACK)
    taken_over = time.monotonic() - killed
    assert _port_in_range(url, conductor_b), url
    assert ring.shown_conductor(name) == conductor_b.hostname
    ring.read_console(url, b'login:')
    held = _hold_console(ring, url, name)
    serving = ring.console_processes_of(conductor_b, name)
    bridges = [cmd for kind, cmd in serving if kind == 'bridge']
    assert bridges, 'no bridge of B holds the session'
    assert ring.power_commands() == power_before
    assert conductor_a.leftovers() == []
    facts.update(held_b=held, console_url_b=url, nodes_of_a=nodes_of_a,
                 failover_seconds=(remapped, taken_over))
    print('failover: nodes remapped after %.1f s, taken over with the '
          'console on B after %.1f s' % (remapped, taken_over))


def test_rebalance_when_conductor_a_returns(ring):
    name = facts['console_node']
    conductor_a, conductor_b = ring.conductors
    nodes_of_a = facts['nodes_of_a']
    held_b = facts.pop('held_b')
    power_before = ring.power_commands()
    started = time.monotonic()
    conductor_a.launch()
    bound = (option('DEFAULT', 'hash_ring_reset_interval')
             + option('conductor', 'sync_local_state_interval')
             + TAKEOVER_SLACK)
    ring.wait_until(lambda: ring.nodes_of(conductor_a) == nodes_of_a,
                    'the nodes of A to map back to A', timeout=bound)
    # A starts the console when it starts, then again when it takes the
    # (active) node over: wait for the takeovers.
    uuids = [ring.node(n)['uuid'] for n in nodes_of_a]
    ring.wait_until(lambda: _took_over(conductor_a, uuids),
                    'A to take its nodes back', timeout=bound)
    url = _wait_console_on(ring, conductor_a, name, timeout=bound)
    assert _port_in_range(url, conductor_a), url
    # Until B stops its bridge, the user still connected there keeps the
    # blade's session (see the "Many conductors" page).
    ring.wait_until(
        lambda: not any(ring.console_processes_of(conductor_b, node)
                        for node in nodes_of_a),
        'B to stop the consoles of the nodes it lost',
        timeout=bound + option('msftocs', 'console_handover_interval'))
    assert _closed(held_b), 'the console connection to B outlived the move'
    held_b.close()
    _read_console_of(ring, conductor_a, name, timeout=bound)
    rebalanced = time.monotonic() - started
    assert ring.power_commands() == power_before
    # A node that went back to A obeys A.
    other = [n for n in nodes_of_a if n != name][0]
    chassis = ring.chassis.index(ring.chassis_of(other))
    # Its host is off (as the emulator starts every blade): on, then off.
    for state, command in (('on', 'SetBladeOn'), ('off', 'SetBladeOff')):
        before = ring.power_commands()
        ring.bm('node', 'power', state, other, '--power-timeout', '60')
        ring.wait_for_node(other, lambda n: n['target_power_state'] is None)
        assert ring.node(other)['power_state'] == 'power ' + state
        commands = ring.power_commands()
        assert commands[chassis] - before[chassis] == {command: 1}
    facts['rebalance_seconds'] = rebalanced
    print('rebalance: consoles back on A, none left on B after %.1f s'
          % rebalanced)
    for index, calls in enumerate(ring.cm_calls()):
        print('chassis %d served: %s' % (index, dict(sorted(calls.items()))))


def test_no_secret_leaks(ring):
    assert ring.secret_leaks() == []
