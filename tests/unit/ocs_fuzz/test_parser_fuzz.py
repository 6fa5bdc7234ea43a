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

"""Property-based tests of the client's reply parsing.

Whatever a chassis manager (or something pretending to be one) sends back,
a client call either returns a value or raises the library's own
``ResponseError``; a well-formed reply carrying a non-Success completion
code may also raise that code's ``CompletionCodeError``. Never a
``KeyError``, ``TypeError``, ``AttributeError``, a parser error or a
recursion error from deep in the parsing code.

The body of the HTTP reply is replaced (the connector's ``call`` is
patched), so these tests cover everything after the transport:
``responses.parse`` and the conversion of every operation's reply.
Documents come from three generators: random bytes, truncated replies, and
well-formed replies (the unit-test fixtures) with random mutations.
"""

import copy
import os
import unittest
from unittest import mock
import xml.etree.ElementTree as ElementTree

import defusedxml.ElementTree
import hypothesis
from hypothesis import strategies as st

from msftocs_driver.ocs import client as ocs_client
from msftocs_driver.ocs import constants
from msftocs_driver.ocs import exceptions

FIXTURES = os.path.join(os.path.dirname(os.path.dirname(__file__)), 'ocs',
                        'fixtures')
_NS = '{%s}' % constants.CONTRACTS_NS
_NIL = '{%s}nil' % constants.XSI_NS

#: Every client call that parses a reply: (name, call, root element).
CALLS = (
    ('get_service_version', lambda c: c.get_service_version(),
     'ServiceVersionResponse'),
    ('get_chassis_info', lambda c: c.get_chassis_info(),
     'ChassisInfoResponse'),
    ('get_chassis_health', lambda c: c.get_chassis_health(),
     'ChassisHealthResponse'),
    ('get_chassis_attention_led_status',
     lambda c: c.get_chassis_attention_led_status(), 'LedStatusResponse'),
    ('get_blade_info', lambda c: c.get_blade_info(1), 'BladeInfoResponse'),
    ('get_all_blades_info', lambda c: c.get_all_blades_info(),
     'GetAllBladesInfoResponse'),
    ('get_blade_health', lambda c: c.get_blade_health(1, sensors=True),
     'BladeHealthResponse'),
    ('get_power_state', lambda c: c.get_power_state(1),
     'PowerStateResponse'),
    ('get_all_power_state', lambda c: c.get_all_power_state(),
     'GetAllPowerStateResponse'),
    ('get_blade_state', lambda c: c.get_blade_state(1),
     'BladeStateResponse'),
    ('get_all_blades_state', lambda c: c.get_all_blades_state(),
     'GetAllBladesStateResponse'),
    ('set_blade_on', lambda c: c.set_blade_on(1), 'BladeResponse'),
    ('get_next_boot', lambda c: c.get_next_boot(1), 'BootResponse'),
    ('set_next_boot', lambda c: c.set_next_boot(
        1, constants.BladeBootType.ForcePxe, uefi=True, persistent=False),
     'BootResponse'),
    ('get_blade_power_reading', lambda c: c.get_blade_power_reading(1),
     'BladePowerReadingResponse'),
    ('get_all_blades_power_reading',
     lambda c: c.get_all_blades_power_reading(),
     'GetAllBladesPowerReadingResponse'),
    ('get_blade_power_limit', lambda c: c.get_blade_power_limit(1),
     'BladePowerLimitResponse'),
    ('start_blade_serial_session',
     lambda c: c.start_blade_serial_session(1), 'StartSerialResponse'),
    ('receive_blade_serial_data',
     lambda c: c.receive_blade_serial_data(1, 'AB-CD'),
     'SerialDataResponse'),
    ('stop_blade_serial_session',
     lambda c: c.stop_blade_serial_session(1, 'AB-CD'), 'ChassisResponse'),
)


def _load_fixtures():
    """Well-formed fixture replies, by root element name."""
    documents = {}
    for name in sorted(os.listdir(FIXTURES)):
        with open(os.path.join(FIXTURES, name), 'rb') as stream:
            body = stream.read()
        try:
            root = defusedxml.ElementTree.fromstring(body)
        except Exception:
            continue  # the hostile fixtures (bombs, external entities)
        if root.tag.startswith(_NS):
            documents.setdefault(root.tag[len(_NS):], []).append(root)
    return documents


DOCUMENTS = _load_fixtures()
CALLS_WITH_FIXTURES = [call for call in CALLS if call[2] in DOCUMENTS]

_texts = st.one_of(
    st.text(max_size=40),
    st.integers(min_value=-2 ** 70, max_value=2 ** 70).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.sampled_from([member.name for enum in (
        constants.CompletionCode, constants.PowerState,
        constants.BladeBootType, constants.LedState, constants.BladeType)
        for member in enum]),
    st.sampled_from(['', 'true', 'false', 'TRUE', '1', '-1', 'NaN',
                     '00:11:22:33:44:55', 'Not Present', '=====']),
)
_local_names = st.one_of(
    st.sampled_from(['completionCode', 'statusDescription', 'apiVersion',
                     'bladeNumber', 'bladeState', 'powerState',
                     'Decompression', 'nextBoot', 'bladeType', 'macAddress',
                     'serialNumber', 'data', 'serialSessionToken']),
    st.from_regex(r'[A-Za-z][A-Za-z0-9]{0,12}', fullmatch=True))
_namespaces = st.sampled_from([constants.CONTRACTS_NS, constants.ARRAYS_NS,
                               'urn:wrong', ''])


@st.composite
def mutated_document(draw, root_name):
    """A fixture reply for ``root_name`` with a few random mutations."""
    root = copy.deepcopy(draw(st.sampled_from(DOCUMENTS[root_name])))
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        elements = list(root.iter())
        parents = {child: parent for parent in elements
                   for child in parent}
        action = draw(st.sampled_from(
            ['text', 'text', 'text', 'nil', 'delete', 'rename', 'duplicate',
             'add', 'namespace']))
        if action in ('text', 'nil'):
            # Values live in the leaves; that is where a converter breaks.
            elements = [e for e in elements if len(e) == 0] or elements
        target = draw(st.sampled_from(elements))
        if action == 'text':
            target.text = draw(_texts)
        elif action == 'nil':
            target.set(_NIL, 'true')
        elif action == 'delete' and target in parents:
            parents[target].remove(target)
        elif action == 'rename':
            target.tag = _NS + draw(_local_names)
        elif action == 'duplicate' and target in parents:
            parents[target].append(copy.deepcopy(target))
        elif action == 'add':
            child = ElementTree.SubElement(target, _NS + draw(_local_names))
            child.text = draw(_texts)
        elif action == 'namespace':
            namespace = draw(_namespaces)
            local = target.tag.rsplit('}', 1)[-1]
            target.tag = ('{%s}%s' % (namespace, local) if namespace
                          else local)
    return ElementTree.tostring(root)


def _client():
    return ocs_client.ChassisManagerClient('http://127.0.0.1:9', 'admin',
                                           'secret', retries=0)


def _call_with_body(call, body):
    client = _client()
    with mock.patch.object(client._connector, 'call', autospec=True,
                           return_value=body):
        return call(client)


def _assert_only_library_errors(call, body):
    """The call returns, or raises a library error the body explains."""
    try:
        _call_with_body(call, body)
    except exceptions.ResponseError:
        pass
    except exceptions.CompletionCodeError as exc:
        # Legitimate only if the reply really carries that code.
        marker = ('completionCode>%s<' % exc.code.name).encode()
        if marker not in body:
            raise AssertionError('%s raised for a reply without its '
                                 'completion code' % type(exc).__name__)


class ParserFuzzTest(unittest.TestCase):

    def test_fixtures_cover_calls(self):
        # The mutation tests are only as good as the fixtures they mutate.
        self.assertGreaterEqual(len(CALLS_WITH_FIXTURES), len(CALLS) - 2)

    @hypothesis.settings(max_examples=300, deadline=None)
    @hypothesis.given(call=st.sampled_from(CALLS),
                      body=st.binary(max_size=512))
    def test_random_bytes(self, call, body):
        with self.assertRaises(exceptions.ResponseError):
            _call_with_body(call[1], body)

    @hypothesis.settings(max_examples=200, deadline=None)
    @hypothesis.given(call=st.sampled_from(CALLS_WITH_FIXTURES),
                      data=st.data())
    def test_truncated_replies(self, call, data):
        body = ElementTree.tostring(
            data.draw(st.sampled_from(DOCUMENTS[call[2]]))).strip()
        cut = data.draw(st.integers(min_value=0, max_value=len(body) - 1))
        with self.assertRaises(exceptions.ResponseError):
            _call_with_body(call[1], body[:cut])

    @hypothesis.settings(max_examples=1500, deadline=None)
    @hypothesis.given(call=st.sampled_from(CALLS_WITH_FIXTURES),
                      data=st.data())
    def test_mutated_replies(self, call, data):
        body = data.draw(mutated_document(call[2]))
        _assert_only_library_errors(call[1], body)

    @hypothesis.settings(max_examples=100, deadline=None)
    @hypothesis.given(call=st.sampled_from(CALLS_WITH_FIXTURES),
                      other=st.sampled_from(sorted(DOCUMENTS)))
    def test_reply_of_another_operation(self, call, other):
        hypothesis.assume(other != call[2])
        body = ElementTree.tostring(DOCUMENTS[other][0])
        with self.assertRaises(exceptions.ResponseError):
            _call_with_body(call[1], body)

    @hypothesis.settings(max_examples=50, deadline=None)
    @hypothesis.given(call=st.sampled_from(CALLS),
                      depth=st.integers(min_value=1, max_value=5000))
    def test_deeply_nested_documents(self, call, depth):
        body = (b'<%s xmlns="%s">' % (call[2].encode(),
                                      constants.CONTRACTS_NS.encode())
                + b'<a>' * depth + b'</a>' * depth
                + b'</%s>' % call[2].encode())
        _assert_only_library_errors(call[1], body)
