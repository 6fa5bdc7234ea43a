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


"""Tests of request encoding, URL checks and redaction helpers."""

import urllib.parse

import pytest

from msftocs_driver.ocs import connector
from msftocs_driver.ocs import constants
from msftocs_driver.ocs import encoding


@pytest.mark.parametrize('value,text', [
    (True, 'true'), (False, 'false'),
    (constants.BladeBootType.ForcePxe, 'ForcePxe'),
    (b'\xfb\xff\xbf', '+/+/'), (b'ab', 'YWI='), (b'', ''),
    (7, '7'), (250.0, '250'), (250.5, '250.5'), (0.125, '0.125'),
    ('3F-A1', '3F-A1'),
])
def test_encode_value(value, text):
    assert encoding.encode_value(value) == text


def test_build_query_percent_encodes_base64():
    query = encoding.build_query([('bladeId', 2), ('data', b'\xfb\xff\xbf'),
                                  ('x', b'ab')])
    assert query == 'bladeId=2&data=%2B%2F%2B%2F&x=YWI%3D'
    # A form decoder (as WCF's) gets the original base64 back.
    assert urllib.parse.parse_qs(query)['data'] == ['+/+/']


def test_build_url():
    conn = connector.Connector('http://cm:8000/', 'u', 'p')
    assert conn.build_url('GetServiceVersion') == (
        'http://cm:8000/GetServiceVersion')
    assert conn.build_url('GetBladeState', [('bladeId', 3)]) == (
        'http://cm:8000/GetBladeState?bladeId=3')


@pytest.mark.parametrize('url,normalised', [
    ('http://cm', 'http://cm'),
    ('https://cm.example:8000/', 'https://cm.example:8000'),
    ('http://[::1]:8000', 'http://[::1]:8000'),
])
def test_valid_base_urls(url, normalised):
    assert encoding.validate_base_url(url) == normalised


@pytest.mark.parametrize('url,match', [
    ('http://cm:8000/prefix', 'path'),
    ('http://cm:8000/?x=1', 'query'),
    ('http://cm:8000/#f', 'fragment'),
    ('ftp://cm', 'http'),
    ('cm:8000', 'http'),
    ('http://', 'http'),
    ('http://cm:99999', 'not a valid URL'),
    (None, 'http'),
    (42, 'not a valid URL'),
    ('http://admin:secret@cm', 'credentials'),
])
def test_invalid_base_urls(url, match):
    with pytest.raises(ValueError, match=match) as caught:
        encoding.validate_base_url(url)
    assert 'secret' not in str(caught.value)


def test_secret_values():
    params = [('bladeId', 1), ('sessionToken', 'AA-BB'), ('data', b'ab')]
    assert encoding.secret_values(params) == ['AA-BB', 'YWI=']


def test_redacted_excerpt():
    body = (b'<html><body><h1>Request Error</h1>\n<p>bad value AA-BB and '
            b'hunter2</p></body></html>')
    text = encoding.redacted_excerpt(body, ['hunter2', 'AA-BB', ''])
    assert text == 'Request Error bad value *** and ***'


def test_redacted_excerpt_is_short():
    text = encoding.redacted_excerpt(b'x' * 5000 + b'\xff', [])
    assert len(text) == encoding.BODY_EXCERPT + 3
    assert text.endswith('...')


@pytest.mark.parametrize('value', [0, 49, True, 1.0, None])
def test_check_blade_id(value):
    with pytest.raises(ValueError, match='blade_id'):
        encoding.check_blade_id(value)
