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

"""The steps of the deploy scenario, in order, each one timed.

A VM-backed blade goes from enrollment to ``active`` over iPXE with the
``ramdisk`` deploy interface, shows its real console, and is undeployed,
through the real ``baremetal`` CLI. ``tox -e demo -- --deploy`` narrates
these steps; ``tox -e e2e-deploy`` asserts them.
"""

import collections
import re
import time

from tools.deploy_artifacts import BANNER_PREFIX
from tools.deploy_scenario import NODE
from tools.deploy_scenario import VM_BLADE

Step = collections.namedtuple('Step', 'name title run')
STEPS = []
#: Printed by the kernel on every line while it boots (printk time).
KERNEL_LINE = rb'(?:^|\n)\[ *\d+\.\d+\] '


def step(title):
    """Register the decorated function as the next deploy step."""
    def register(func):
        STEPS.append(Step(func.__name__, title, func))
        return func
    return register


def run_step(sc, current):
    """Run one step and record how long it took in ``sc.timings``."""
    started = time.monotonic()
    current.run(sc)
    elapsed = time.monotonic() - started
    sc.timings.append((current.title, elapsed))
    sc.note('%s: %.1f s' % (current.title, elapsed))


@step('Enroll the VM-backed blade')
def enroll(sc):
    sc.say('Slot %d of the emulated chassis is a QEMU virtual machine (%s '
           'accelerator); the other slots are modelled. Enroll it with the '
           'ipxe boot interface and the ramdisk deploy interface.'
           % (VM_BLADE, 'TCG' if 'tcg' in sc.accel() else 'KVM'))
    node = sc.bm_json('node', 'create', '--driver', 'msftocs', '--name', NODE,
                      '--boot-interface', 'ipxe',
                      '--deploy-interface', 'ramdisk',
                      *sc.driver_info_args(VM_BLADE))
    sc.check(node['provision_state'] == 'enroll',
             'node %s: %s' % (NODE, node['provision_state']))
    sc.out('output', 'uuid: %(uuid)s  boot: %(boot_interface)s  deploy: '
           '%(deploy_interface)s' % node)


@step('Manage it')
def manage(sc):
    sc.bm('node', 'manage', NODE, '--wait', '60')
    node = sc.node(NODE)
    sc.check(node['provision_state'] == 'manageable',
             'node %s: %s (%s)' % (NODE, node['provision_state'],
                                   node['last_error']))
    sc.out('output', 'provision_state: manageable  power_state: %s'
           % node['power_state'])


@step('Inspect it: the port gets the VM\'s MAC')
def inspect(sc):
    sc.bm('node', 'inspect', NODE, '--wait', '120')
    ports = sc.bm_json('port', 'list', '--node', NODE)
    found = sorted(p['address'] for p in ports)
    vm_macs = sorted(m.lower() for m in sc.blade(VM_BLADE)['macs'])
    sc.out('output', 'ports: %s  (the VM\'s NIC: %s)' % (
        ', '.join(found), ', '.join(vm_macs)))
    sc.check(found == vm_macs, 'ports %s, but the VM has NIC %s'
             % (found, vm_macs))


@step('Provide it (automated cleaning is off)')
def provide(sc):
    sc.bm('node', 'provide', NODE, '--wait', '60')
    node = sc.node(NODE)
    sc.check(node['provision_state'] == 'available',
             'node %s: %s (%s)' % (NODE, node['provision_state'],
                                   node['last_error']))
    sc.out('output', 'provision_state: available')


@step('Enable the console and watch it')
def console_on(sc):
    sc.say('Enable the console now, to watch the whole boot: the chassis '
           'manager, like a BMC, keeps no console output for a session that '
           'opens later. A TCP client stays connected, and reconnects when '
           'Ironic restarts the console at the end of the deployment.')
    sc.bm('node', 'console', 'enable', NODE)
    sc.wait_console(NODE, enabled=True)
    info = sc.bm_json('node', 'console', 'show', NODE)['console_info']
    sc.out('output', 'console_info: %s' % info)
    sc.check(info and info['type'] == 'socat', 'no socat console: %s' % info)
    sc.console = sc.watch_console(NODE)


@step('Deploy the kernel and ramdisk over iPXE')
def deploy(sc):
    kernel, ramdisk = sc.artifacts['kernel'], sc.artifacts['initramfs']
    sc.say('The instance is the Debian cloud kernel %s and a busybox '
           'ramdisk. Ironic writes an iPXE script for the port\'s MAC into '
           'its http_root, sets the boot device to PXE and powers the blade '
           'on; the VM\'s iPXE ROM fetches /boot.ipxe over the one route '
           'it has, to the HTTP server on 127.0.0.1.'
           % sc.artifacts['kernel_release'])
    sc.bm('node', 'set', NODE,
          '--instance-info', 'kernel=file://%s' % kernel,
          '--instance-info', 'ramdisk=file://%s' % ramdisk,
          '--instance-info', 'kernel_append_params=console=ttyS0,115200')
    sc.bm('node', 'deploy', NODE, '--wait', '120')
    node = sc.node(NODE)
    sc.check(node['provision_state'] == 'active',
             'node %s: %s (%s)' % (NODE, node['provision_state'],
                                   node['last_error']))
    blade = sc.blade(VM_BLADE)
    sc.out('output', 'provision_state: active  power_state: %s  VM running: '
           '%s  next boot: %s (persistent %s)' % (
               node['power_state'], blade['host_on'], blade['next_boot'],
               blade['next_boot_persistent']))
    sc.check(blade['host_on'] and blade['next_boot'] == 'ForcePxe',
             'the VM should run and boot from the network: %s' % blade)
    served = [r for r in sc.http.requests if 'GET' in r]
    sc.out('output', 'the HTTP server served: %s' % ', '.join(
        r.split()[1] for r in served))


@step('The console shows the real guest')
def console(sc):
    conn = sc.console
    try:
        banner = re.escape(BANNER_PREFIX.encode()) + rb': kernel (\S+)'
        match = conn.wait_for(banner, timeout=120)
        sc.check(match, 'the console never showed the banner; it showed %r'
                 % conn.seen[-300:])
        kernel_lines = re.findall(KERNEL_LINE + rb'[^\r\n]*', conn.seen)
        sc.check(kernel_lines, 'no kernel boot message on the console: %r'
                 % conn.seen[-300:])
        sc.out('output', '\n'.join(
            [line.decode(errors='replace').strip()
             for line in kernel_lines[:2] + [b'...'] + kernel_lines[-2:]]
            + [match.group(0).decode()]))
        sc.note('%d kernel messages over %d console connection(s)'
                % (len(kernel_lines), conn.connections))
        sc.check(match.group(1).decode() == sc.artifacts['kernel_release'],
                 'the guest runs kernel %s, not %s' % (
                     match.group(1), sc.artifacts['kernel_release']))
        sc.say('Type a command into the guest\'s shell:')
        conn.wait_for(rb'# ', timeout=30)
        conn.type(b'echo $((6*7))\r')
        answer = conn.wait_for(rb'\n42\r?\n', timeout=30)
        sc.out('output', 'echo $((6*7)) -> %s' % (
            '42' if answer else conn.seen[-100:]))
        sc.check(answer, 'the shell did not answer 42: %r' % conn.seen[-200:])
        _check_isolation(sc, conn)
    finally:
        conn.stop()
    sc.bm('node', 'console', 'disable', NODE)
    sc.wait_console(NODE, enabled=False)


def _check_isolation(sc, conn):
    """From the guest: the HTTP server answers, the emulator does not."""
    sc.say('From inside the guest, fetch /boot.ipxe from the one server it '
           'may reach, then try the emulator\'s own port on the host '
           '(10.0.2.2 is the host in QEMU user networking):')
    conn.type(b"printf 'GET /boot.ipxe HTTP/1.0\\r\\n\\r\\n' | "
              b"nc -w 5 10.0.2.100 80 | head -n 1\r")
    allowed = conn.wait_for(rb'\nHTTP/1\.\d 200', timeout=30)
    conn.type(b'nc -w 3 10.0.2.2 %d </dev/null; echo reach=$?\r'
              % sc.emulator.port)
    denied = conn.wait_for(rb'\nreach=(\d+)', timeout=30)
    sc.out('output', 'http://10.0.2.100/boot.ipxe: %s; the host\'s port %d: '
           '%s' % ('200 OK' if allowed else 'no answer', sc.emulator.port,
                   'refused (exit %s)' % denied.group(1).decode()
                   if denied else '?'))
    sc.check(allowed, 'the guest could not reach its HTTP server: %r'
             % conn.seen[-200:])
    sc.check(denied and denied.group(1) != b'0'
             and b"can't connect" in conn.seen,
             'the guest reached the host outside its one route: %r'
             % conn.seen[-200:])


@step('Undeploy: back to available, the VM powered off')
def undeploy(sc):
    sc.bm('node', 'undeploy', NODE, '--wait', '120')
    node = sc.node(NODE)
    sc.check(node['provision_state'] == 'available',
             'node %s: %s (%s)' % (NODE, node['provision_state'],
                                   node['last_error']))
    blade = sc.blade(VM_BLADE)
    sc.out('output', 'provision_state: available  power_state: %s  VM '
           'running: %s' % (node['power_state'], blade['host_on']))
    sc.check(node['power_state'] == 'power off' and not blade['host_on'],
             'the VM should be off: %s / %s' % (node['power_state'], blade))


@step('The password stayed secret')
def no_secret_leaks(sc):
    leaks = sc.secret_leaks()
    sc.check(not leaks, 'the password is visible in %s' % ', '.join(leaks))
    sc.say('The password appears in no log and on no process\'s command '
           'line, the VM\'s included.')
