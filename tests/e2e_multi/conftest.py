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

"""Fixtures of the many-conductors ring: one stage for the whole module.

MariaDB, the API, both conductors and both emulated chassis are started
once, shared by the checks in file order, and stopped by process id at the
end, also when a check fails or the run is interrupted.
"""

import pytest

from tools import multi_ring


def _print_narration(kind, text):
    # pytest captures this and shows it next to a failure.
    print('$ ' + text if kind == 'command' else text)


@pytest.fixture(scope='module')
def ring():
    """The running stage, as a :class:`tools.multi_ring.Ring`."""
    with multi_ring.Ring.running(_print_narration) as running:
        yield running


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Attach the end of every service's log to a failed check."""
    outcome = yield
    report = outcome.get_result()
    facts = getattr(item.module, 'facts', None)
    if report.failed and facts is not None:
        # The later checks build on this one: they are skipped.
        facts.setdefault('failed', item.name)
    running = getattr(item, 'funcargs', {}).get('ring')
    if report.failed and running is not None:
        report.sections.append(('ironic logs', running.ironic.log_tail()))
