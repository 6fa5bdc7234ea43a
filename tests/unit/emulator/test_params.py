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


"""Query parameter parsing (.NET QueryStringConverter rules)."""

import pytest

from msftocs_driver.emulator import params as params_mod
from msftocs_driver.ocs import constants


def parse(query):
    return params_mod.QueryParams(query)


def test_keys_are_case_insensitive_and_first_value_wins():
    params = parse('BLADEID=3&bladeid=4&extra=1')
    assert params.int('bladeId') == 3


@pytest.mark.parametrize('raw,value', [
    ('7', 7), ('+7', 7), ('-7', -7), ('%207%20', 7),
    ('2147483647', 2 ** 31 - 1)])
def test_int_accepts(raw, value):
    assert parse('n=' + raw).int('n') == value


@pytest.mark.parametrize('raw', ['', 'abc', '1.0', '0x10', '2147483648',
                                 '1_0', '%EF%BC%91'])
def test_int_rejects(raw):
    with pytest.raises(params_mod.BadParameter) as exc:
        parse('n=' + raw).int('n')
    assert "'n'" in str(exc.value)


def test_missing_values_take_clr_defaults():
    params = parse('')
    assert (params.int('a'), params.uint('b'), params.bool('c'),
            params.double('d'), params.string('e'), params.base64('f')) == (
        0, 0, False, 0.0, None, b'')
    assert params.enum('bootType', constants.BladeBootType) is (
        constants.BladeBootType.Unknown)


def test_uint_rejects_negative_numbers():
    with pytest.raises(params_mod.BadParameter):
        parse('offTime=-1').uint('offTime')
    assert parse('offTime=4294967295').uint('offTime') == 2 ** 32 - 1


@pytest.mark.parametrize('raw,value', [
    ('true', True), ('TRUE', True), ('False', False), ('%20true%20', True)])
def test_bool_accepts_words_in_any_case(raw, value):
    assert parse('b=' + raw).bool('b') is value


@pytest.mark.parametrize('raw', ['1', '0', 'yes', '', 'on'])
def test_bool_rejects_numbers_and_other_words(raw):
    with pytest.raises(params_mod.BadParameter):
        parse('b=' + raw).bool('b')


@pytest.mark.parametrize('raw,value', [
    ('250', 250.0), ('250.5', 250.5), ('-1', -1.0), ('1e3', 1000.0),
    ('.5', 0.5), ('INF', float('inf'))])
def test_double(raw, value):
    assert parse('w=' + raw).double('w') == value


@pytest.mark.parametrize('raw', ['inf', 'infinity', 'abc', '1,5', '', '1_0'])
def test_double_rejects(raw):
    with pytest.raises(params_mod.BadParameter):
        parse('w=' + raw).double('w')


@pytest.mark.parametrize('raw,value', [
    ('ForcePxe', constants.BladeBootType.ForcePxe),
    ('forcepxe', constants.BladeBootType.ForcePxe),
    ('3', constants.BladeBootType.ForceDefaultHdd),
    ('9', 9)])
def test_enum_by_name_or_number(raw, value):
    assert parse('t=' + raw).enum('t', constants.BladeBootType) == value


@pytest.mark.parametrize('raw', ['Pxe', '', '2.0'])
def test_enum_rejects(raw):
    with pytest.raises(params_mod.BadParameter):
        parse('t=' + raw).enum('t', constants.BladeBootType)


def test_base64_percent_encoded():
    assert parse('data=%2B%2F8%3D').base64('data') == b'\xfb\xff'


def test_base64_unescaped_plus_becomes_a_space_and_is_dropped():
    # '+/8=' sent raw: the '+' decodes to a space, which .NET skips,
    # leaving 3 characters: not valid base64.
    with pytest.raises(params_mod.BadParameter):
        parse('data=+/8=').base64('data')
    # Four unescaped '+' keep the length valid but change the bytes.
    assert parse('data=++++AAAA').base64('data') == b'\x00\x00\x00'


def test_base64_empty_and_invalid():
    assert parse('data=').base64('data') == b''
    with pytest.raises(params_mod.BadParameter):
        parse('data=%21%21%21%21').base64('data')
