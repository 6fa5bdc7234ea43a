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

"""The deploy ring: a VM-backed blade deployed to ``active`` by real Ironic.

Needs QEMU, socat and the Debian package tools; without QEMU the ring is
skipped unless ``MSFTOCS_REQUIRE_QEMU=1`` (CI). The time of each step is
printed.
"""

import os
import shutil
import time

import pytest

from tools import deploy_scenario
from tools import deploy_steps


def _require(tool, package):
    if shutil.which(tool):
        return
    if os.environ.get('MSFTOCS_REQUIRE_QEMU') == '1':
        raise AssertionError('%s is required (MSFTOCS_REQUIRE_QEMU=1): '
                             'apt-get install %s' % (tool, package))
    pytest.skip('%s is not installed' % tool)


def _print_narration(kind, text):
    # Captured by pytest; shown next to a failure.
    print('$ ' + text if kind == 'command' else text)


def test_deploy_a_vm_blade_to_active_and_back(capsys):
    for tool, package in (('qemu-system-x86_64', 'qemu-system-x86'),
                          ('socat', 'socat'), ('apt-get', 'apt'),
                          ('dpkg-deb', 'dpkg')):
        _require(tool, package)
    started = time.monotonic()
    try:
        with deploy_scenario.DeployScenario.running(_print_narration) as sc:
            try:
                for current in deploy_steps.STEPS:
                    deploy_steps.run_step(sc, current)
            finally:
                timings = list(sc.timings)
                log_tail = sc.ironic.log_tail()
    finally:
        total = time.monotonic() - started
    with capsys.disabled():
        print('\ndeploy ring, time of each step:')
        for title, seconds in timings:
            print('  %6.1f s  %s' % (seconds, title))
        print('  %6.1f s  whole ring, stops included' % total)
    assert len(timings) == len(deploy_steps.STEPS) + 2, log_tail
