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


"""Tests of the safe XML parsing of chassis-manager replies."""

import pytest

from msftocs_driver.ocs import constants
from msftocs_driver.ocs import exceptions
from msftocs_driver.ocs import responses
from tests.unit.ocs import samples

NS = constants.CONTRACTS_NS


def _parse(name, root='BladeStateResponse', blade_id=1, **kwargs):
    return responses.parse(samples.load(name), root, 'GetBladeState',
                           blade_id=blade_id, check_blade=True, **kwargs)


@pytest.mark.parametrize('name,state', [
    ('blade_state_on.xml', constants.PowerState.ON),
    ('blade_state_declaration.xml', constants.PowerState.OFF),
    ('blade_state_extra_elements.xml', constants.PowerState.ON),
    ('blade_state_prefixed.xml', constants.PowerState.ON),
])
def test_accepted_variants(name, state):
    reply = _parse(name)
    assert reply.enum('bladeState', constants.PowerState) is state
    assert reply.completion() == (constants.CompletionCode.Success, '')


@pytest.mark.parametrize('name,match', [
    ('blade_state_wrong_namespace.xml', 'namespace'),
    ('blade_state_wrong_root.xml', 'unexpected reply element'),
    ('blade_state_wrong_blade.xml', 'reply is for blade 7'),
    ('blade_state_no_code.xml', 'completionCode is missing'),
    ('blade_state_unknown_code.xml', "completionCode is not a valid "
                                     "CompletionCode: 'Splendid'"),
    ('blade_state_bad_number.xml', 'bladeNumber is not an integer'),
    ('not_xml.html', 'not XML'),
    ('xml_bomb.xml', 'refused unsafe XML'),
    ('external_entity.xml', 'refused unsafe XML'),
])
def test_rejected_documents(name, match):
    with pytest.raises(exceptions.ResponseError, match=match) as caught:
        _parse(name)
    error = caught.value
    assert error.operation == 'GetBladeState'
    assert error.blade_id == 1
    # No parser exception is chained into what callers log.
    assert error.__cause__ is None
    assert error.__suppress_context__ or error.__context__ is None


@pytest.mark.parametrize('body', [b'', b'   ', b'\xff\xfe<', b'<a><b></a>',
                                  'not bytes'])
def test_garbage(body):
    with pytest.raises(exceptions.ResponseError, match='not XML'):
        responses.parse(body, 'BladeStateResponse', 'GetBladeState')


def test_nil_required_value():
    reply = _parse('blade_state_nil_state.xml')
    with pytest.raises(exceptions.ResponseError, match='bladeState is nil'):
        reply.enum('bladeState', constants.PowerState)
    assert reply.text('bladeState') is None


def test_completion_error_not_raised_on_request():
    reply = _parse('blade_state_timeout.xml', raise_for_code=False)
    error = reply.completion_error()
    assert isinstance(error, exceptions.BladeTimeoutError)
    assert error.blade_id == 1


def _reply(inner):
    body = ('<R xmlns="%s" xmlns:i="%s"><completionCode>Success'
            '</completionCode>%s</R>' % (NS, constants.XSI_NS, inner))
    return responses.parse(body.encode(), 'R', 'Op')


@pytest.mark.parametrize('text,value', [('true', True), ('False', False)])
def test_boolean(text, value):
    assert _reply('<b>%s</b>' % text).boolean('b') is value


def test_invalid_values():
    reply = _reply('<b>1</b><n>many</n>')
    with pytest.raises(exceptions.ResponseError, match='not a boolean'):
        reply.boolean('b')
    with pytest.raises(exceptions.ResponseError, match='not a number'):
        reply.number('n')


def test_optional_values():
    reply = _reply('<nil i:nil="true"/>')
    assert reply.boolean('missing', required=False) is None
    assert reply.integer('nil', required=False) is None
    assert reply.text('missing', required=False) is None
    assert reply.child('nil') is None
    assert reply.items('nil') == []
    assert reply.items('missing') == []
    assert reply.base64('missing') == b''


def test_description_defaults_to_empty():
    assert _reply('').completion() == (constants.CompletionCode.Success, '')


@pytest.mark.parametrize('body', [
    # An entity reference with no DTD to declare it is refused.
    b'<BladeStateResponse xmlns="%s">&payload;</BladeStateResponse>'
    % constants.CONTRACTS_NS.encode(),
    # A DTD anywhere goes through defusedxml, which refuses it.
    b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "x">]><r>&a;</r>',
])
def test_no_entity_ever_expands(body):
    with pytest.raises(exceptions.ResponseError,
                       match='not XML|refused unsafe XML'):
        responses.parse(body, 'BladeStateResponse', 'GetBladeState')


def test_predefined_entities_still_decode():
    body = (b'<ServiceVersionResponse xmlns="%s"><completionCode>Success'
            b'</completionCode><statusDescription>a &lt;b&gt; &amp; &#233;'
            b'</statusDescription></ServiceVersionResponse>'
            % constants.CONTRACTS_NS.encode())
    reply = responses.parse(body, 'ServiceVersionResponse',
                            'GetServiceVersion')
    assert reply.text('statusDescription') == 'a <b> & \u00e9'
