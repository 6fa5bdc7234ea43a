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

"""The steps of the msftocs scenario, in order.

Each step drives the real ``baremetal`` CLI against a standalone Ironic,
checks the outcome on the emulated chassis itself (through the emulator's
control API), and explains in plain words what happened. ``tox -e demo``
(:mod:`tools.demo`) narrates them; the end-to-end tests
(``tests/e2e``) assert them. The steps that drive one blade at a time come
from :mod:`tools.scenario_node_steps`; this module adds those about the
chassis as a whole (slot contents, node health, power sync, lost replies),
runs the main ones again on the CM v2.0 emulator, and ends with the check
that no secret leaked.
"""

import time

from msftocs_driver.conf import CONF
from tools.scenario import INSPECT_BLADE
from tools.scenario import SWITCHED_OFF_BLADE
from tools.scenario import SYNC_INTERVAL
from tools import scenario_node_steps as node_steps
from tools.scenario_registry import Step
from tools.scenario_registry import step
from tools.scenario_registry import STEPS
from tools.scenario_registry import StepSkipped

#: A slot the scenario fills with a JBOD for the verify step to refuse.
JBOD_BLADE = 12


@step('Managing a slot that holds a JBOD fails verification')
def manage_jbod(sc):
    name = 'jbod-slot'
    sc.note('The emulator puts a JBOD (a disk enclosure, no server) in slot '
            '%d.' % JBOD_BLADE)
    sc.emulator.set_blade(JBOD_BLADE, type='Jbod')
    sc.bm('node', 'create', '--driver', 'msftocs', '--name', name,
          *sc.driver_info_args(JBOD_BLADE))
    try:
        sc.bm('node', 'manage', name, '--wait', '60', check=False)
        node = sc.wait_for_node(
            name, lambda n: n['provision_state'] != 'verifying')
        sc.out('output', 'provision_state: %(provision_state)s\n'
               'last_error: %(last_error)s' % node)
        sc.check(node['provision_state'] == 'enroll',
                 'node %s reached %s' % (name, node['provision_state']))
        sc.check('holds a Jbod blade, not a server' in (
            node['last_error'] or ''), 'the verify step did not say the '
            'slot holds a JBOD: %s' % node['last_error'])
    finally:
        sc.bm('node', 'delete', name)
    sc.say('At "manage", the driver\'s verify step asked the chassis '
           'manager what slot %d holds: a JBOD, which has no host to power '
           'or deploy. The node stays in "enroll", and its last error says '
           'to check msftocs_blade_id.' % JBOD_BLADE)


@step('A sensor fault makes the node\'s health Critical')
def health_after_sensor_fault(sc):
    # A manageable node: Ironic's power sync leaves nodes in "enroll" out.
    blade, name = INSPECT_BLADE, sc.node_name(INSPECT_BLADE)
    shown = sc.bm_json('node', 'show', name)
    if 'health' not in shown:
        raise StepSkipped('this Ironic release has no node health (the '
                          '"health" field of nodes comes with 2026.1)')

    def health():
        return sc.bm('node', 'show', name, '-f', 'value', '-c',
                     'health').stdout.strip()

    sc.wait_until(lambda: health() == 'OK', 'the health of %s to be OK'
                  % name, timeout=4 * SYNC_INTERVAL + 30)
    sc.out('output', 'health: OK')
    sc.note('The emulated BMC of blade %d now reports its CPU0 temperature '
            'sensor as critical.' % blade)
    sc.emulator.set_records(blade, sensor_status={'2': 'cr'})
    try:
        sc.wait_until(lambda: health() == 'Critical',
                      'the health of %s to become Critical' % name,
                      timeout=4 * SYNC_INTERVAL + 30)
        sc.out('output', 'health: Critical')
    finally:
        sc.emulator.set_records(blade, sensor_status={})
    sc.say('On its power-state sync, Ironic asks each node for its health; '
           'the driver read the blade\'s sensors (GetBladeHealth) and found '
           'a critical one, so "baremetal node show" says Critical.')


@step('Ironic puts back a blade switched on behind its back')
def power_sync(sc):
    blade, name = INSPECT_BLADE, sc.node_name(INSPECT_BLADE)
    sc.check(sc.node(name)['power_state'] == 'power off',
             'node %s should be off before this step' % name)
    sc.note('The emulator turns the host of blade %d on behind Ironic\'s '
            'back, as if someone had pressed its power button.' % blade)
    # The steps before wrote to the blade (cleaning): until a chassis-wide
    # read sent after those writes, power sync reads it alone (GetBladeState)
    # for as long as the chassis' last reply is fresh. Wait for that read,
    # so that the pass that finds the change is one that reads the chassis.
    sc.emulator.reset_stats()
    # (The scenario's Ironic keeps the default TTL.)
    ttl = CONF.msftocs.power_state_cache_ttl
    sc.wait_until(lambda: sc.emulator.stats()['operations'].get(
        'GetAllBladesState'), 'a power-sync pass that reads the chassis',
        timeout=ttl + 2 * SYNC_INTERVAL + 30)
    sc.emulator.reset_stats()
    sc.emulator.set_blade(blade, host_on=True)
    started = time.monotonic()
    sc.wait_until(lambda: not sc.blade(blade)['host_on'],
                  'the power sync to turn blade %d off' % blade,
                  timeout=3 * SYNC_INTERVAL + 30)
    calls = sc.emulator.stats()['operations']
    sc.check(calls.get('GetAllBladesState') and calls.get('SetBladeOff'),
             'expected GetAllBladesState then SetBladeOff, saw %s' % calls)
    sc.say('Every %d s Ironic compares the power state of its nodes with '
           'the hardware, reading the whole chassis with one '
           'GetAllBladesState call. It found blade %d on although it should '
           'be off, and turned it off again after %.0f s.'
           % (SYNC_INTERVAL, blade, time.monotonic() - started))


@step('Power on a blade although the reply to the command is lost')
def power_on_reply_lost(sc):
    # A manageable node: Ironic's power sync leaves enrolled nodes alone.
    blade, name = INSPECT_BLADE, sc.node_name(INSPECT_BLADE)
    sc.check(not sc.blade(blade)['host_on'], 'blade %d should be off before '
             'this step' % blade)
    sc.note('The emulator will run the next SetBladeOn and then close the '
            'connection without answering, as a chassis manager whose '
            'reply is lost on the network.')
    sc.emulator.add_fault(kind='drop_after', operations=['SetBladeOn'],
                          count=1)
    sc.emulator.reset_stats()
    sc.bm('node', 'power', 'on', name)
    sc.wait_power(blade, 'power on')
    calls = sc.emulator.stats()['operations']
    sc.check(sc.blade(blade)['host_on'] and calls.get('SetBladeOn') == 1,
             'blade %d: host on %s, calls %s' % (
                 blade, sc.blade(blade)['host_on'], calls))
    sc.say('The chassis manager turned the host on but its answer never '
           'came. Ironic did not send the command again: it read the blade '
           'back, found it on, and recorded "power on".')
    # The power change dropped the blade from the chassis batch: the next
    # pass reads it alone, or with the whole chassis.
    calls = sc.wait_sync_pass()
    node = sc.node(name)
    sc.check(node['power_state'] == 'power on' and sc.blade(blade)['host_on']
             and not calls.get('SetBladeOff'),
             'after the power sync, Ironic says %s, the host is on: %s, '
             'calls %s' % (node['power_state'], sc.blade(blade)['host_on'],
                           calls))
    sc.say('The next power-sync pass read the chassis and left blade %d on: '
           'what Ironic recorded was the truth.' % blade)
    sc.bm('node', 'power', 'off', name)
    sc.wait_power(blade, 'power off')


def power_sync_pass(sc):
    """Wait for a power-sync pass of the manageable node's chassis.

    Run before a v2.0 console opens: the first pass of a node caches its
    vendor under an exclusive lock, which a CM v2.0 session would not
    survive.
    """
    sc.wait_for_node(sc.node_name(INSPECT_BLADE),
                     lambda n: n['properties'].get('vendor'))
    sc.wait_sync_pass()
    sc.say('Ironic\'s power sync read the chassis of blade %d.'
           % INSPECT_BLADE)


def console_survives_power_sync(sc):
    """The open console survives a power-sync pass of its chassis."""
    name = sc.node_name(SWITCHED_OFF_BLADE)
    calls = sc.wait_sync_pass(reads=2)
    killed = sc.emulator.serial_sessions_killed()
    sc.out('output', 'operations: %s  serial sessions killed: %d'
           % (calls, killed))
    sc.check(killed == 0, 'the power sync killed the serial session %d '
             'times (calls: %s)' % (killed, calls))
    # The bridge kept the session it had, and opened no other.
    sc.check(sc.blade(SWITCHED_OFF_BLADE)['serial_session']
             and not calls.get('StartBladeSerialSession')
             and sc.node(name)['console_enabled'],
             'the console of %s did not keep its session: %s' % (name, calls))
    sc.say('A chassis manager 2.0 ends the serial session of its chassis '
           'on most blade commands. Ironic\'s power sync read the chassis '
           'while the console of blade %d was open, and the console kept '
           'its session.' % SWITCHED_OFF_BLADE)


def _again_on_v20():
    """Run steps again on the CM v2.0 emulator, which answers NTLM only.

    Its nodes are enrolled without ``msftocs_auth_type``: the driver learns
    NTLM from the chassis manager's challenge.
    """
    def on_v20(func):
        return lambda sc: func(sc.v20)

    titles = {s.run: s.title for s in STEPS}
    titles.update({power_sync_pass: 'Ironic syncs the chassis',
                   console_survives_power_sync:
                   'The console survives a power sync'})
    for func, needs_socat in ((node_steps.enroll, False),
                              (node_steps.manage, False),
                              (node_steps.validate, False),
                              (node_steps.power_on_off, False),
                              (node_steps.reboot, False),
                              (node_steps.boot_device, False),
                              (power_sync_pass, False),
                              (node_steps.console, True),
                              (console_survives_power_sync, True),
                              (node_steps.console_off, True)):
        STEPS.append(Step(func.__name__ + '_v20',
                          titles[func] + ' (CM v2.0, NTLM)', on_v20(func),
                          needs_socat, func is node_steps.enroll))


_again_on_v20()


@step('The password stayed secret')
def no_secret_leaks(sc):
    leaks = sc.secret_leaks()
    sc.check(not leaks, 'the password is visible in %s' % ', '.join(leaks))
    sc.say('The password used in this run appears nowhere in Ironic\'s log, '
           'in the emulator\'s output, or on any process\'s command line.')
