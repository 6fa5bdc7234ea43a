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

"""The register of the msftocs scenario's steps, in the order they run.

:mod:`tools.scenario_node_steps` and :mod:`tools.scenario_steps` register
their steps here with :func:`step`; :data:`STEPS` is the whole scenario.
"""

import collections


class StepSkipped(Exception):
    """A step cannot run on this release; the message says why."""


#: One step of the scenario. ``needs_socat``: skipped without socat;
#: ``required``: the steps after it cannot work if it failed.
Step = collections.namedtuple('Step', 'name title run needs_socat required')
STEPS = []


def step(title, needs_socat=False, required=False):
    """Register the decorated function as the next scenario step.

    :param title: a short heading for the demo.
    :param needs_socat: the step runs socat.
    :param required: later steps depend on this one.
    """
    def register(func):
        STEPS.append(Step(func.__name__, title, func, needs_socat, required))
        return func
    return register
