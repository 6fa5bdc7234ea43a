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

"""The stage of the many-conductors ring: two chassis, two conductors.

:class:`Ring` starts two chassis-manager emulators and a
:class:`tools.ironic_multi.MultiIronic` (MariaDB, one API, two conductors
on JSON-RPC), and adds to the helpers of :class:`tools.scenario.Scenario`
what the ring checks need: bulk enrollment with the ``baremetal`` CLI,
where each node lives, the CM calls each chassis served, and the power
syncs and chassis reads each conductor logged.
"""

import collections
import contextlib
import json
import os
import re
import secrets
import tempfile

import psutil
import requests

from msftocs_driver.common import console_settings
from msftocs_driver.emulator.runner import EmulatorProcess
from tools import ironic_multi
from tools import scenario

#: Blades enrolled per chassis: enough that the ring gives each conductor
#: blades of each chassis (all on one conductor: 2 in 2**12 per chassis).
BLADES_PER_CHASSIS = 12
CHASSIS = 2
USERNAME = 'admin'
#: The CM operations that change a blade's power.
POWER_COMMANDS = frozenset((
    'SetPowerOn', 'SetPowerOff', 'SetBladeOn', 'SetBladeOff',
    'SetBladeActivePowerCycle', 'SetAllPowerOn', 'SetAllPowerOff',
    'SetAllBladesOn', 'SetAllBladesOff', 'SetAllBladesActivePowerCycle'))
#: What a conductor logs when a power-sync pass ends (ironic).
_PASS_DONE = 'Completed power state sync operation'
#: What a conductor logs when it starts (ironic).
STARTED = 'Started Ironic Conductor'
#: What the driver's HTTP layer logs for each GetAllBladesState answered
#: (a pass may read a chassis ahead of its nodes: the driver's prefetch).
_CHASSIS_READ = re.compile(
    r'Chassis manager 127\.0\.0\.1:(\d+), GetAllBladesState for ')


class Ring(scenario.Scenario):
    """The running pieces of the ring and the helpers its checks share.

    :ivar ironic: the :class:`tools.ironic_multi.MultiIronic`.
    :ivar chassis: the emulators, one per chassis.
    """

    #: What the checks raise when something does not hold.
    Error = scenario.ScenarioError

    def __init__(self, ironic, chassis, password, out):
        super().__init__(ironic, chassis[0], password, out)
        self.chassis = chassis

    @classmethod
    @contextlib.contextmanager
    def running(cls, out):
        """Start both emulators and the distributed Ironic; stop them after.

        :param out: ``out(kind, text)``, see :class:`tools.scenario.Scenario`.
        """
        password = 'ocs-' + secrets.token_urlsafe(12)
        with contextlib.ExitStack() as stack:
            log = stack.enter_context(tempfile.NamedTemporaryFile(
                mode='ab', prefix='msftocs-emulators-', suffix='.log'))
            chassis = []
            for _index in range(CHASSIS):
                emulator = EmulatorProcess(
                    blades=24, auth='basic', username=USERNAME,
                    password=password,
                    decompression_seconds=scenario.DECOMPRESSION_SECONDS)
                with scenario._stderr_into(log):
                    chassis.append(stack.enter_context(emulator))
            ironic = stack.enter_context(ironic_multi.MultiIronic(
                keep_workdir=os.environ.get('MSFTOCS_KEEP_WORKDIR') == '1'))
            ring = cls(ironic, chassis, password, out)
            ring.emulator_log_path = log.name
            yield ring

    @property
    def conductors(self):
        """The :class:`tools.ironic_multi.IronicConductor` processes."""
        return self.ironic.conductors

    @staticmethod
    def node_name(chassis_index, blade):
        return 'c%d-b%d' % (chassis_index, blade)

    def enroll(self, provision_args=('--wait', '180')):
        """Create every node with ``baremetal create``, manage and adopt it.

        The nodes file carries the password: it is readable by this user
        only and removed at once.

        :returns: the node names.
        """
        nodes, names = [], []
        for index, emulator in enumerate(self.chassis):
            for blade in range(1, BLADES_PER_CHASSIS + 1):
                names.append(self.node_name(index, blade))
                nodes.append({
                    'name': names[-1], 'driver': 'msftocs',
                    'console_interface': 'msftocs-socat',
                    'driver_info': {
                        'msftocs_base_url': emulator.url.rstrip('/'),
                        'msftocs_blade_id': blade,
                        'msftocs_username': USERNAME,
                        'msftocs_password': self.password}})
        with tempfile.TemporaryDirectory(prefix='msftocs-nodes-') as tmp:
            path = os.path.join(tmp, 'nodes.json')
            with open(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600),
                      'w') as nodes_file:
                json.dump({'nodes': nodes}, nodes_file)
            self.bm('create', path)
        self.bm('node', 'manage', *names, *provision_args)
        self.bm('node', 'adopt', *names, *provision_args)
        return names

    def node_fields(self, *fields):
        """``baremetal node list --fields ...``: one dict per node.

        :param fields: API field names; the dicts are keyed by them.
        """
        rows = self.bm_json('node', 'list', '--fields', *fields)
        # The CLI titles the columns; they come in the order asked for.
        return [dict(zip(fields, row.values())) for row in rows]

    def placement(self):
        """Which conductor the API maps each node to.

        Read from the REST API, cheap enough to poll (ironic 39 cannot list
        the ``conductor`` field with ``--fields``); the checks confirm it
        with ``baremetal node show``.

        :returns: a dict of node name to conductor hostname.
        """
        reply = requests.get(
            self.ironic.endpoint + '/v1/nodes/detail', timeout=10,
            headers={'X-OpenStack-Ironic-API-Version': 'latest'})
        reply.raise_for_status()
        return {node['name']: node['conductor']
                for node in reply.json()['nodes']}

    def shown_conductor(self, name):
        """``baremetal node show NAME -f value -c conductor``."""
        return self.bm('node', 'show', name, '-f', 'value',
                       '-c', 'conductor').stdout.strip()

    def nodes_of(self, conductor, placement=None):
        """Names of the nodes mapped to a conductor."""
        placement = placement or self.placement()
        return sorted(name for name, host in placement.items()
                      if host == conductor.hostname)

    def chassis_of(self, name):
        """The emulator of a node's chassis."""
        return self.chassis[int(name.split('-')[0][1:])]

    def blade_of(self, name):
        """The blade id of a node."""
        return int(name.split('-b')[1])

    def cm_calls(self):
        """CM calls served so far: a list (per chassis) of Counters."""
        return [collections.Counter(emulator.stats()['operations'])
                for emulator in self.chassis]

    def power_commands(self):
        """Power-changing CM calls so far, per chassis (Counters)."""
        return [collections.Counter({op: n for op, n in calls.items()
                                     if op in POWER_COMMANDS})
                for calls in self.cm_calls()]

    def sync_passes(self, conductor):
        """The chassis each of a conductor's power syncs read.

        :returns: a list, one item per pass the conductor logged, of
            Counters mapping a chassis index to the number of whole-chassis
            reads during that pass.
        """
        ports = {emulator.port: index
                 for index, emulator in enumerate(self.chassis)}
        passes, current = [], collections.Counter()
        for line in conductor.log_text().splitlines():
            match = _CHASSIS_READ.search(line)
            if match:
                current[ports[int(match.group(1))]] += 1
            elif _PASS_DONE in line:
                passes.append(current)
                current = collections.Counter()
            elif STARTED in line:
                # Reads of a pass cut short by a kill.
                current = collections.Counter()
        return passes

    def chassis_reads_logged(self):
        """Whole-chassis reads all conductors logged, per chassis index."""
        ports = {emulator.port: index
                 for index, emulator in enumerate(self.chassis)}
        reads = collections.Counter()
        for conductor in self.conductors:
            for match in _CHASSIS_READ.finditer(conductor.log_text()):
                reads[ports[int(match.group(1))]] += 1
        return reads

    def console_processes_of(self, conductor, name):
        """Console processes (socat, bridges) of a conductor for a node.

        A socat listener names the node in its pid file argument; a bridge
        (``msftocs-console``) names it in the settings file its environment
        points to.

        :returns: a list of ``(kind, command line)``, kind ``socat`` or
            ``bridge``.
        """
        return [(_kind(cmd), cmd)
                for cmd in _serving(self.node(name)['uuid'],
                                    conductor.processes())]


def _kind(cmdline):
    return 'socat' if cmdline.split()[0].endswith('socat') else 'bridge'


def _serving(node_uuid, processes):
    """Command lines of the processes that serve a node's console."""
    found = []
    for pid, cmd in processes:
        if node_uuid in cmd:
            found.append(cmd)
            continue
        with contextlib.suppress(psutil.Error):
            settings = psutil.Process(pid).environ().get(
                console_settings.SETTINGS_ENV, '')
            if node_uuid in settings:
                found.append(cmd)
    return found
