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


"""XML serialisation of replies."""

import enum

import pytest

from msftocs_driver.emulator import xmlout

NS = ('xmlns="http://schemas.datacontract.org/2004/07/Microsoft.GFS.WCS.'
      'Contracts" xmlns:i="http://www.w3.org/2001/XMLSchema-instance"')


class Colour(enum.Enum):
    Red = 1


def test_values_and_order():
    body = xmlout.render('R', [
        ('s', 'a<b&c'), ('empty', ''), ('nil', None), ('yes', True),
        ('no', False), ('n', 5), ('d', 250.0), ('f', 187.5),
        ('e', Colour.Red), ('b', b'\r\nlogin: ')])
    assert body == (
        '<R %s><s>a&lt;b&amp;c</s><empty/><nil i:nil="true"/><yes>true</yes>'
        '<no>false</no><n>5</n><d>250</d><f>187.5</f><e>Red</e>'
        '<b>DQpsb2dpbjog</b></R>' % NS).encode()


def test_structs_and_collections():
    body = xmlout.render('R', [
        ('one', xmlout.Struct([('a', 1)])),
        ('many', xmlout.Items('Item', [[('x', 1)], [('x', 2)]])),
        ('none', xmlout.EMPTY)])
    assert body.endswith(
        b'<one><a>1</a></one><many><Item><x>1</x></Item><Item><x>2</x>'
        b'</Item></many><none/></R>')


def test_no_declaration_and_other_namespace():
    body = xmlout.render('R', [], namespace='urn:other')
    assert body == (
        b'<R xmlns="urn:other" '
        b'xmlns:i="http://www.w3.org/2001/XMLSchema-instance"></R>')


@pytest.mark.parametrize('value,text', [
    (float('nan'), 'NaN'), (float('inf'), 'INF'), (float('-inf'), '-INF'),
    (-1.0, '-1'), (0.1, '0.1')])
def test_doubles(value, text):
    assert xmlout.format_double(value) == text


def test_unsupported_values_are_rejected():
    with pytest.raises(TypeError):
        xmlout.render('R', [('x', object())])
