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

"""Watch a real Ironic drive the blades of an emulated OCS chassis.

``python -m tools.demo`` (``tox -e demo``) starts the chassis-manager
emulator and a standalone Ironic on 127.0.0.1, then walks through the
steps of :mod:`tools.scenario_steps`, explaining each one in plain words
and showing the real ``baremetal`` commands and what they printed. The
end-to-end tests (``tests/e2e``) run the very same steps. Everything is
stopped at the end, also on failure or Ctrl-C; the exit code is 0 only if
every step worked. ``--deploy`` narrates the deploy of a VM-backed blade
instead (:mod:`tools.deploy_demo`).
"""

import shutil
import signal
import sys
import textwrap
import time
import traceback

from msftocs_driver.emulator.runner import EmulatorError
from tools import ironic_env
from tools.scenario import Scenario
from tools.scenario import ScenarioError
from tools.scenario_steps import STEPS
from tools.scenario_steps import StepSkipped
from tools import sysutils


def _render(kind, text):
    if kind == 'command':
        print('  $ ' + text)
    elif kind == 'output':
        print(textwrap.indent(text, '      '))
    else:
        prefix = '  (note) ' if kind == 'note' else '  '
        print(textwrap.fill(text, 78, initial_indent=prefix,
                            subsequent_indent='  ', break_on_hyphens=False))
    sys.stdout.flush()


def _heading(text):
    if sys.stdout.isatty():
        text = '\033[1m%s\033[0m' % text
    print('\n' + text)


#: Failures whose message says it all; anything else gets a traceback.
EXPECTED_FAILURES = (ScenarioError, ironic_env.IronicEnvError,
                     sysutils.ToolMissing, EmulatorError)


def report_failure(exc, sc, expected=EXPECTED_FAILURES):
    """Say why a narrated run ended early; everything is stopped by then.

    :param exc: the exception that ended the run.
    :param sc: the scenario, or None when it did not start.
    :param expected: the exception classes whose message says it all;
        any other failure gets its traceback.
    :returns: the process exit code: 130 after Ctrl-C or SIGTERM, else 1.
    """
    if isinstance(exc, KeyboardInterrupt):
        print('\nInterrupted; everything has been stopped.')
        return 130
    if isinstance(exc, expected):
        print('\nFAILED: %s' % exc)
    else:
        print('\nFAILED:')
        traceback.print_exception(exc, file=sys.stdout)
    if sc is not None and sc.ironic_log_tail:
        print(sc.ironic_log_tail)
    print('Everything has been stopped.')
    return 1


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def run(out=_render):
    """Run every step, narrating through ``out``.

    :returns: the process exit code: 0 if every step worked.
    """
    started = time.monotonic()
    out('say', 'A real OpenStack Ironic, with the msftocs hardware type, '
        'drives the blades of an emulated Microsoft Open CloudServer '
        'chassis through its chassis manager, the way an operator would '
        'with the baremetal command. Starting the chassis-manager emulator '
        '(24 blades, HTTPS) and Ironic on 127.0.0.1...')
    sc, skipped = None, 0
    try:
        with Scenario.running(out) as sc:
            out('output', 'chassis manager (emulated): %s\nIronic API: %s'
                % (sc.emulator.url, sc.ironic.endpoint))
            for number, current in enumerate(STEPS, 1):
                _heading('[%d/%d] %s' % (number, len(STEPS), current.title))
                if current.needs_socat and not shutil.which('socat'):
                    out('note', 'Skipped: socat is not installed '
                        '(apt-get install socat).')
                    skipped += 1
                    continue
                try:
                    current.run(sc)
                except StepSkipped as exc:
                    out('note', 'Skipped: %s.' % exc)
                    skipped += 1
    except (KeyboardInterrupt, Exception) as exc:
        return report_failure(exc, sc)
    print('\n%d steps worked%s in %.0f s. The emulator and Ironic have been '
          'stopped; nothing is left running.' % (
              len(STEPS) - skipped,
              ' (%d skipped)' % skipped if skipped else '',
              time.monotonic() - started))
    return 0


def main(argv=None):
    signal.signal(signal.SIGTERM, _interrupt)
    argv = sys.argv[1:] if argv is None else argv
    if argv == ['--deploy']:
        from tools import deploy_demo
        sys.exit(deploy_demo.run(_render, _heading))
    if argv:
        sys.exit('usage: python -m tools.demo [--deploy]')
    sys.exit(run())


if __name__ == '__main__':
    main()
