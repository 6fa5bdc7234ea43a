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

"""The steps of the msftocs scenario that drive one blade at a time.

Enrolment and its refusals, validation, power, boot device, console,
manage, inspection and out-of-band cleaning: each step drives the real
``baremetal`` CLI against a standalone Ironic and checks the outcome on the
emulated chassis itself. The steps register in
:mod:`tools.scenario_registry`, in this order.
"""

import json
import time

from tools.scenario import BLADES
from tools.scenario import DECOMPRESSION_SECONDS
from tools.scenario import INSPECT_BLADE
from tools.scenario import POWER_BLADE
from tools.scenario import SWITCHED_OFF_BLADE
from tools.scenario_registry import step


@step('Ironic offers the msftocs hardware type', required=True)
def show_driver(sc):
    sc.say('Ironic is running with the msftocs hardware type enabled. '
           'Ask it which drivers it offers, and what it needs to know '
           'about a blade.')
    # python-ironicclient before 6 (the 2025.2 constraints pin 5.13)
    # labels the name column "Supported driver(s)".
    drivers = [d.get('name', d.get('supported_driver(s)'))
               for d in sc.bm_json('driver', 'list')]
    sc.out('output', 'drivers: %s' % ', '.join(drivers))
    sc.check('msftocs' in drivers, 'msftocs is not among %s' % drivers)
    props = {p['property']: p['description'] for p in sc.bm_json(
        'driver', 'property', 'list', 'msftocs')}
    for field in ('base_url', 'blade_id', 'username', 'password',
                  'verify_ca'):
        name = 'msftocs_' + field
        sc.check(name in props, 'driver property %s is missing' % name)
        sc.out('output', '%s: %s' % (name, props[name]))
    sc.say('A blade is known by the URL of its chassis manager, its slot '
           'number in the chassis, and the chassis manager credentials; '
           'TLS verification is on unless told otherwise.')


@step('Enroll three blades', required=True)
def enroll(sc):
    sc.say('The emulated chassis manager serves HTTPS with a certificate of '
           'its own; msftocs_verify_ca tells Ironic which certificate to '
           'trust, so the connection is fully verified.')
    for blade in BLADES:
        sc.say('Enrolling blade %d of the emulated chassis...' % blade)
        node = sc.bm_json('node', 'create', '--driver', 'msftocs',
                          '--name', sc.node_name(blade),
                          *sc.driver_info_args(blade))
        sc.out('output', 'uuid: %(uuid)s  provision_state: '
               '%(provision_state)s  console: %(console_interface)s' % node)
        expected = {'driver': 'msftocs', 'provision_state': 'enroll',
                    'power_interface': 'msftocs',
                    'management_interface': 'msftocs',
                    'console_interface': 'msftocs-socat',
                    'inspect_interface': 'msftocs'}
        wrong = {k: node[k] for k in expected if node[k] != expected[k]}
        # No authentication type: the driver learns it from the CM.
        if 'msftocs_auth_type' in node['driver_info']:
            wrong['driver_info'] = node['driver_info']
        sc.check(not wrong, 'node %s: expected %s, got %s' % (
            sc.node_name(blade), expected, wrong))
    sc.say('Blades %s are now Ironic nodes in the "enroll" state.'
           % ', '.join(map(str, BLADES)))


@step('The password is never shown back')
def password_masked(sc):
    result = sc.bm('node', 'show', sc.node_name(POWER_BLADE), '-c',
                   'driver_info', '-f', 'json')
    shown = result.json['driver_info']['msftocs_password']
    sc.out('output', 'msftocs_password: %s' % shown)
    sc.check(shown == '******' and sc.password not in result.stdout,
             'node show revealed the password')
    sc.say('Ironic keeps the password for the chassis manager, but shows '
           'only asterisks.')


#: (node name, driver_info override, field the error must name)
_BAD_ENROLLMENTS = (
    ('bad-slot', {'blade_id': 0}, 'msftocs_blade_id'),
    ('no-password', {'password': None}, 'msftocs_password'),
    ('bad-url', {'base_url': 'ftp://127.0.0.1:8000'}, 'msftocs_base_url'),
)


@step('Mistakes in driver_info are named')
def bad_driver_info(sc):
    sc.say('Enroll three blades with a mistake each (slot 0, no password, '
           'a URL that is not http or https) and ask Ironic to validate '
           'them.')
    for name, override, _field in _BAD_ENROLLMENTS:
        sc.bm('node', 'create', '--driver', 'msftocs', '--name', name,
              *sc.driver_info_args(4, **override))
    try:
        for name, _override, field in _BAD_ENROLLMENTS:
            ok, reason = sc.validation(name)['power']
            sc.out('output', 'power: %s: %s' % (ok, reason))
            sc.check(not ok and field in reason,
                     'node %s: validation should name %s, got %s: %s'
                     % (name, field, ok, reason))
    finally:
        sc.bm('node', 'delete', *[n for n, _o, _f in _BAD_ENROLLMENTS])
    sc.say('Each mistake is caught before Ironic talks to the chassis, '
           'and the message names the field to fix.')


@step('A slot beyond the chassis is named when the blade is managed')
def manage_beyond_population(sc):
    sc.say('Validation makes no call to the chassis manager, so it cannot '
           'know that this chassis has 24 slots: a blade 30 validates. '
           'Moving it to "manageable" asks the chassis manager.')
    name = 'slot-30'
    sc.bm('node', 'create', '--driver', 'msftocs', '--name', name,
          *sc.driver_info_args(30))
    try:
        result = sc.bm('node', 'manage', name, '--wait', '60', check=False)
        sc.out('output', result.stderr.strip())
        node = sc.node(name)
        error = node['last_error'] or ''
        sc.out('output', 'last_error: %s' % error)
        sc.check(result.returncode != 0
                 and node['provision_state'] == 'enroll',
                 'manage of blade 30 should fail and leave it in enroll, '
                 'got exit %d, %s' % (result.returncode,
                                      node['provision_state']))
        sc.check('msftocs_blade_id' in error and 'population' in error,
                 'last_error does not name msftocs_blade_id: %s' % error)
    finally:
        sc.bm('node', 'delete', name)
    sc.say('"baremetal node manage --wait" only says that the node is back '
           'in "enroll" (the client prints no reason for a node back in a '
           'stable state); the node\'s last_error names the field to fix: '
           '"baremetal node show %s -c last_error".' % name)


@step('Validate a blade')
def validate(sc):
    results = sc.validation(sc.node_name(POWER_BLADE))
    for interface in ('power', 'management', 'console', 'inspect'):
        ok, reason = results[interface]
        sc.out('output', '%s: %s %s' % (interface, ok, reason or ''))
        sc.check(ok, '%s validation failed: %s' % (interface, reason))
    sc.say('Power, management, console and inspection are ready. (Boot '
           'and deploy would need a network port and an image: this demo '
           'does not deploy an operating system.)')


@step('Power a blade on and off')
def power_on_off(sc):
    blade, name = POWER_BLADE, sc.node_name(POWER_BLADE)
    sc.emulator.reset_stats()
    sc.bm('node', 'power', 'on', name)
    sc.wait_power(blade, 'power on')
    calls = sc.emulator.stats()['operations']
    sc.check(sc.blade(blade)['host_on'] and calls.get('SetBladeOn'),
             'the emulated host is not on (calls: %s)' % calls)
    sc.say('Ironic asked the chassis manager to turn the host of blade %d '
           'on (SetBladeOn), and waited until the chassis reported it on.'
           % blade)
    sc.emulator.reset_stats()
    sc.bm('node', 'power', 'off', name)
    sc.wait_power(blade, 'power off')
    state, calls = sc.blade(blade), sc.emulator.stats()['operations']
    sc.check(not state['host_on'] and calls.get('SetBladeOff'),
             'the emulated host is not off (calls: %s)' % calls)
    sc.check(state['switch_on'] and not calls.get('SetPowerOff'),
             'the blade power switch was turned off')
    sc.say('Powering off turned the host off (SetBladeOff); the blade\'s '
           'power switch stays on, so its BMC keeps running and the blade '
           'can be turned on again quickly.')


@step('Power on a blade whose power switch is off')
def power_on_switched_off(sc):
    blade, name = SWITCHED_OFF_BLADE, sc.node_name(SWITCHED_OFF_BLADE)
    sc.note('The emulator turns off the power switch (Blade_EN) of blade %d,'
            ' as after a chassis power cut: even its BMC is now off.' % blade)
    sc.emulator.set_blade(blade, switch_on=False)
    sc.check(not sc.blade(blade)['switch_on'], 'the switch is still on')
    sc.emulator.reset_stats()
    started = time.monotonic()
    sc.bm('node', 'power', 'on', name)
    sc.wait_power(blade, 'power on')
    state, calls = sc.blade(blade), sc.emulator.stats()['operations']
    sc.check(state['switch_on'] and state['host_on']
             and not state['decompressing'],
             'blade %d is not fully on: %s' % (blade, state))
    sc.check(calls.get('SetPowerOn') and calls.get('SetBladeOn'),
             'expected SetPowerOn then SetBladeOn, saw %s' % calls)
    sc.say('Ironic asked the chassis manager to turn blade %d on; it '
           'switched the blade\'s power on, waited for its BMC firmware to '
           'decompress (%d s in this emulator, about 30 s on real '
           'hardware), then turned the host on. %.1f s in all.'
           % (blade, DECOMPRESSION_SECONDS, time.monotonic() - started))


@step('Reboot a blade')
def reboot(sc):
    blade = SWITCHED_OFF_BLADE
    sc.emulator.reset_stats()
    sc.bm('node', 'reboot', sc.node_name(blade))
    sc.wait_power(blade, 'power on')
    calls = sc.emulator.stats()['operations']
    sc.check(sc.blade(blade)['host_on'], 'blade %d is off' % blade)
    if calls.get('SetBladeActivePowerCycle'):
        how = 'with one power-cycle command (SetBladeActivePowerCycle)'
    else:
        sc.check(calls.get('SetBladeOff') and calls.get('SetBladeOn'),
                 'blade %d was not power cycled: %s' % (blade, calls))
        how = 'by turning it off and on again (SetBladeOff, SetBladeOn)'
    sc.say('The chassis manager restarted the host of blade %d %s; it is '
           'on again.' % (blade, how))


@step('Boot from the network next time, and every time')
def boot_device(sc):
    blade, name = POWER_BLADE, sc.node_name(POWER_BLADE)
    sc.bm('node', 'boot', 'device', 'set', name, 'pxe', '--persistent')
    state = sc.blade(blade)
    sc.check(state['next_boot'] == 'ForcePxe'
             and state['next_boot_persistent'],
             'the chassis did not store a persistent PXE boot: %s' % state)
    shown = sc.bm_json('node', 'boot', 'device', 'show', name)
    sc.out('output', 'boot_device: %(boot_device)s  persistent: '
           '%(persistent)s' % shown)
    sc.check(shown['boot_device'] == 'pxe' and shown['persistent'] is None,
             'unexpected boot device reading %s' % shown)
    sc.say('Blade %d will now boot from the network (PXE) at its next '
           'start and every start after it. The chassis manager cannot '
           'report whether a boot setting is persistent, so Ironic shows '
           '"None" instead of guessing.' % blade)


@step('Open the serial console', needs_socat=True)
def console(sc):
    blade, name = SWITCHED_OFF_BLADE, sc.node_name(SWITCHED_OFF_BLADE)
    sc.bm('node', 'console', 'enable', name)
    sc.wait_console(name, enabled=True)
    info = sc.bm_json('node', 'console', 'show', name)['console_info']
    sc.out('output', 'console_info: %s' % info)
    sc.check(info and info['type'] == 'socat', 'no socat console: %s' % info)
    sc.say('Ironic started socat on %s; socat runs the msftocs-console '
           'bridge, which relays the blade\'s serial port through the '
           'chassis manager.' % info['url'])
    seen = sc.read_console(info['url'], b'login:')
    sc.out('output', 'the console shows: %r' % seen.splitlines()[-1])
    leaks = sc.secret_leaks()
    sc.check(not leaks, 'the password is visible in %s' % leaks)
    loose = {p: oct(m) for p, m in sc.secret_files().items() if m != 0o600}
    sc.check(not loose, 'password files readable by others: %s' % loose)
    sc.say('A TCP client saw blade %d\'s login prompt.' % blade)


@step('Close the serial console', needs_socat=True)
def console_off(sc):
    blade, name = SWITCHED_OFF_BLADE, sc.node_name(SWITCHED_OFF_BLADE)
    sc.bm('node', 'console', 'disable', name)
    sc.wait_console(name, enabled=False)
    sc.wait_until(lambda: not sc.console_processes(), 'socat to exit',
                  timeout=15)
    sc.wait_until(lambda: not sc.blade(blade)['serial_session'],
                  'the chassis serial session to close', timeout=15)
    sc.check(not sc.secret_files(), 'a password file was left behind')
    sc.say('After "console disable" no socat or bridge process and no '
           'password file is left, and the chassis manager\'s serial session '
           'of blade %d is closed.' % blade)


@step('Move a blade to "manageable"')
def manage(sc):
    blade, name = INSPECT_BLADE, sc.node_name(INSPECT_BLADE)
    sc.bm('node', 'manage', name, '--wait', '60')
    node = sc.node(name)
    sc.out('output', 'provision_state: %(provision_state)s  power_state: '
           '%(power_state)s' % node)
    expected = 'power on' if sc.blade(blade)['host_on'] else 'power off'
    sc.check(node['provision_state'] == 'manageable'
             and node['power_state'] == expected,
             'node %s: %s / %s' % (name, node['provision_state'],
                                   node['power_state']))
    sc.say('To make blade %d manageable, Ironic checked its credentials '
           'with the chassis manager and read its power state.' % blade)


@step('Inspect a blade')
def inspect(sc):
    blade, name = INSPECT_BLADE, sc.node_name(INSPECT_BLADE)
    sc.bm('node', 'inspect', name, '--wait', '120')
    ports = sc.bm_json('port', 'list', '--node', name)
    found = sorted(p['address'] for p in ports)
    macs = sorted(m.lower() for m in sc.blade(blade)['macs'] if m)
    sc.out('output', 'ports: %s' % ', '.join(found))
    sc.check(found == macs, 'ports %s, but the blade has NICs %s'
             % (found, macs))
    props = sc.bm_json('node', 'show', name, '-c', 'properties')['properties']
    sc.out('output', 'cpus: %s  memory_mb: %s  cpu_arch: %s' % (
        props.get('cpus'), props.get('memory_mb'), props.get('cpu_arch')))
    sc.check(props.get('cpus') and props.get('memory_mb'),
             'inspection did not record CPUs and memory: %s' % props)
    sc.say('Inspection read blade %d\'s inventory from the chassis manager, '
           'recorded its processors and memory, and created an Ironic port '
           'for each of its network cards.' % blade)


@step('Clean a blade out of band: clear its log, cap its power')
def clean_out_of_band(sc):
    blade, name = INSPECT_BLADE, sc.node_name(INSPECT_BLADE)
    sc.note('The emulated BMC of blade %d has two entries in its event '
            'log.' % blade)
    sc.emulator.set_records(blade, log=[
        {'time': '2026-03-09T10:00:00', 'description': 'CPU0 IERR'},
        {'time': '2026-03-09T10:05:00', 'description': 'DIMM3 ECC'}])
    steps = [{'interface': 'management', 'step': 'clear_blade_log'},
             {'interface': 'management', 'step': 'set_power_limit',
              'args': {'watts': 350, 'enabled': True}}]
    sc.bm('node', 'clean', name, '--clean-steps', json.dumps(steps),
          '--disable-ramdisk', '--wait', '120')
    node = sc.node(name)
    state, records = sc.blade(blade), sc.emulator.records(blade)
    sc.out('output', 'provision_state: %s  power limit: %s W (%s)  log '
           'entries: %d' % (node['provision_state'], state['power_limit'],
                            'on' if state['power_limit_active'] else 'off',
                            len(records['log'])))
    sc.check(node['provision_state'] == 'manageable'
             and not node['last_error'],
             'cleaning failed: %s' % node['last_error'])
    sc.check(records['log'] == [], 'the blade log was not cleared')
    sc.check(state['power_limit'] == 350 and state['power_limit_active'],
             'the power limit is not 350 W and enforced: %s' % state)
    sc.say('Manual cleaning ran two out-of-band steps of the management '
           'interface, without booting a ramdisk: ClearBladeLog emptied the '
           'blade\'s event log, and SetBladePowerLimit then '
           'SetBladePowerLimitOn capped it at 350 W.')
