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

"""The scenario of the demo, asserted against a real Ironic.

Each step drives the real ``baremetal`` CLI against a standalone Ironic
with the msftocs hardware type, then checks the result on the emulated
chassis; :mod:`tools.scenario_steps` says what each step does and checks.
When a step that the others build on (such as enrolling) fails, the rest
are skipped.
"""

import os
import shutil

import pytest

from tools import scenario_steps


def require_socat():
    """Skip without socat, unless MSFTOCS_REQUIRE_SOCAT=1 makes it a must."""
    if shutil.which('socat'):
        return
    if os.environ.get('MSFTOCS_REQUIRE_SOCAT') == '1':
        pytest.fail('socat is required (MSFTOCS_REQUIRE_SOCAT=1) but is '
                    'not installed')
    pytest.skip('socat is not installed')


#: Names of failed steps that the later ones build on.
_failed_required_steps = []


def _params():
    for step in scenario_steps.STEPS:
        marks = (pytest.mark.socat,) if step.needs_socat else ()
        yield pytest.param(step, id=step.name, marks=marks)


@pytest.mark.parametrize('step', _params())
def test_scenario_step(scenario, step):
    if _failed_required_steps:
        pytest.skip('step %s failed' % _failed_required_steps[0])
    if step.needs_socat:
        require_socat()
    try:
        step.run(scenario)
    except scenario_steps.StepSkipped as exc:
        pytest.skip(str(exc))
    except BaseException:
        if step.required:
            _failed_required_steps.append(step.name)
        raise
