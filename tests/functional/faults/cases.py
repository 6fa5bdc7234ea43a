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

"""The faults the emulator injects, and how each one is healed.

A fault belongs to a family that decides which ironic exception the driver
must raise: the chassis manager could not be reached or did not answer
(``connection``), refused the credentials (``auth``), sent something that
is not a valid reply (``reply``), or answered that the blade's BMC did not
respond (``blade``, an empty slot). A connection dropped in the middle of a
reply may surface either as a broken connection or as a cut document.
"""

import collections

from tests.functional.faults import base

Fault = collections.namedtuple('Fault', ['name', 'families', 'inject',
                                         'heal'])


def _emulator_fault(kind, **extra):
    def inject(test, operations):
        test.emulator.add_fault(kind=kind, operations=operations, **extra)
    return inject


def _heal_emulator(test):
    test.emulator.clear_faults()


def _slow_reply(test, operations):
    # Longer than the read timeout, short enough not to keep emulator
    # threads busy into the next tests.
    test.emulator.add_fault(kind='delay', operations=operations,
                            seconds=test.options['read_timeout'] + 1.0)


def _refuse(test, operations):
    test.point_node_at('http://127.0.0.1:%d' % base.closed_port())


def _heal_refused(test):
    test.point_node_at(test.emulator.url.rstrip('/'))


def _empty_slot(test, operations):
    test.emulator.set_blade(base.BLADE, present=False)


def _heal_empty_slot(test):
    test.emulator.set_blade(base.BLADE, present=True)


FAULTS = (
    Fault('slow_reply', ('connection',), _slow_reply, _heal_emulator),
    Fault('connection_refused', ('connection',), _refuse, _heal_refused),
    Fault('connection_dropped', ('connection',), _emulator_fault('drop'),
          _heal_emulator),
    Fault('dropped_mid_reply', ('connection', 'reply'),
          _emulator_fault('drop_mid_reply'), _heal_emulator),
    Fault('http_500', ('reply',), _emulator_fault('http500'),
          _heal_emulator),
    Fault('http_401', ('auth',), _emulator_fault('http401'),
          _heal_emulator),
    Fault('truncated_xml', ('reply',), _emulator_fault('truncated'),
          _heal_emulator),
    Fault('malformed_xml', ('reply',), _emulator_fault('malformed'),
          _heal_emulator),
    Fault('xml_bomb', ('reply',), _emulator_fault('xml_bomb'),
          _heal_emulator),
    Fault('wrong_blade', ('reply',), _emulator_fault('wrong_blade'),
          _heal_emulator),
    Fault('wrong_namespace', ('reply',), _emulator_fault('wrong_namespace'),
          _heal_emulator),
    Fault('empty_slot', ('blade',), _empty_slot, _heal_empty_slot),
)
