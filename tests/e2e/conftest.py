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

"""Fixtures of the end-to-end ring: one emulator and one Ironic per module.

Both are started once, shared by the steps of the scenario, and stopped by
process id at the end, also when a step fails or the run is interrupted.
"""

import pytest

from tools import scenario as scenario_mod


def _print_narration(kind, text):
    # pytest captures this and shows it next to a failure.
    print('$ ' + text if kind == 'command' else text)


@pytest.fixture(scope='module')
def scenario():
    """A running emulator and Ironic, as a :class:`tools.scenario.Scenario`."""
    with scenario_mod.Scenario.running(_print_narration) as running:
        yield running


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Attach the end of Ironic's log to every failed end-to-end test."""
    outcome = yield
    report = outcome.get_result()
    running = getattr(item, 'funcargs', {}).get('scenario')
    if report.failed and running is not None and running.ironic.workdir:
        report.sections.append(('ironic log', running.ironic.log_tail()))
