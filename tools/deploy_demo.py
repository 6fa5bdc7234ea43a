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

"""Watch a real Ironic deploy a blade that is a virtual machine.

``python -m tools.demo --deploy`` (``tox -e demo -- --deploy``) narrates
the steps of :mod:`tools.deploy_steps`, the very steps the deploy ring
(``tox -e e2e-deploy``) asserts, with the time each one took. Everything
is stopped at the end, also on failure or Ctrl-C; the exit code is 0 only
if every step worked.
"""

import time

from tools import demo
from tools import deploy_scenario
from tools import deploy_steps

#: The demo's expected failures, and a VM that does not boot.
_EXPECTED_FAILURES = demo.EXPECTED_FAILURES + (RuntimeError,)


def run(out, heading):
    """Run every deploy step, narrating through ``out``.

    :param out: ``out(kind, text)``, as :func:`tools.demo.run` renders.
    :param heading: ``heading(text)`` shows a step title.
    :returns: the process exit code: 0 if every step worked.
    """
    started = time.monotonic()
    out('say', 'A real OpenStack Ironic deploys a blade of an emulated Open '
        'CloudServer chassis; the blade is a QEMU virtual machine. Building '
        'the kernel and ramdisk from Debian packages (or reusing them), '
        'then starting an HTTP server, the emulator and Ironic on '
        '127.0.0.1...')
    sc = None
    try:
        with deploy_scenario.DeployScenario.running(out) as sc:
            for title, seconds in sc.timings:
                out('note', '%s: %.1f s' % (title, seconds))
            for number, current in enumerate(deploy_steps.STEPS, 1):
                heading('[%d/%d] %s' % (number, len(deploy_steps.STEPS),
                                        current.title))
                deploy_steps.run_step(sc, current)
    except (KeyboardInterrupt, Exception) as exc:
        return demo.report_failure(exc, sc, _EXPECTED_FAILURES)
    print('\nTime of each step:')
    for title, seconds in sc.timings:
        print('  %6.1f s  %s' % (seconds, title))
    print('The blade went from enrollment to active and back in %.0f s. '
          'The VM, the emulator and Ironic have been stopped; nothing is '
          'left running.' % (time.monotonic() - started))
    return 0
