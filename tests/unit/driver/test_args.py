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

"""Tests of the checks of passthru and step arguments."""

import datetime
import types

from ironic.common import exception
import pytest

from msftocs_driver.common import args

NODE = types.SimpleNamespace(uuid='1be26c0b-03f2-4d2e-ae87-c02d7f33c123')


def test_no_window():
    assert args.parse_time_window(NODE, None, '') == (None, None)


def test_a_window_with_a_zone_is_on_the_cm_clock():
    start, end = args.parse_time_window(NODE, '2026-03-09T10:00:00+02:00',
                                        '2026-03-09T10:00:00Z')
    assert start == datetime.datetime(2026, 3, 9, 8)
    assert end == datetime.datetime(2026, 3, 9, 10)


def test_an_open_end_is_the_extreme_time():
    assert args.parse_time_window(NODE, '2026-03-09T10:00:00', None) == (
        datetime.datetime(2026, 3, 9, 10),
        datetime.datetime(9999, 12, 31, 23, 59, 59))
    assert args.parse_time_window(NODE, None, '2026-03-09T10:00:00') == (
        datetime.datetime(1, 1, 1), datetime.datetime(2026, 3, 9, 10))


def test_start_after_end_names_the_node():
    with pytest.raises(exception.InvalidParameterValue,
                       match='"start" argument for node %s is after "end"'
                       % NODE.uuid):
        args.parse_time_window(NODE, '2026-03-09T11:00:00',
                               '2026-03-09T10:00:00')


def test_a_bad_time_names_the_argument_and_the_node():
    with pytest.raises(exception.InvalidParameterValue,
                       match='"end" argument for node %s must be an ISO 8601'
                       % NODE.uuid):
        args.parse_time_window(NODE, None, 'yesterday')
