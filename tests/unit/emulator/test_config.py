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


"""Configuration file parsing and validation."""

import json

import pytest

from msftocs_driver.emulator import config
from msftocs_driver.ocs import constants


def test_defaults():
    cfg = config.build()
    assert (cfg.blades, cfg.decompression_seconds, cfg.latency,
            cfg.bus_cost, cfg.cm_version, cfg.kill_serial_session) == (
        24, None, 0.0, 0.0, '2.5', True)
    slot = cfg.slot(3)
    assert (slot.present, slot.type, slot.switch_on, slot.host_on) == (
        True, constants.BladeType.Server, True, False)
    assert slot.macs == ('00:15:5D:0A:03:01', '00:15:5D:0A:03:02')


def test_file_with_every_section(tmp_path):
    path = tmp_path / 'chassis.json'
    path.write_text(json.dumps({
        'blades': 48, 'latency': 0.01, 'bus_cost': 0.02,
        'empty_slots': [7], 'jbod_slots': [12],
        'macs': {'3': ['00-15-5d-0a-1b-2c', None]},
        'defaults': {'host_on': True},
        'slots': {'5': {'switch_on': False, 'next_boot': 'ForcePxe',
                        'next_boot_persistent': True}}}))
    cfg = config.load(str(path), latency=0.5, blades=None)
    assert (cfg.blades, cfg.latency, cfg.bus_cost) == (48, 0.5, 0.02)
    assert cfg.slot(7).present is False
    assert cfg.slot(12).type is constants.BladeType.Jbod
    assert cfg.slot(3).macs == ('00:15:5D:0A:1B:2C', None)
    assert cfg.slot(1).host_on is True
    assert cfg.slot(5).next_boot is constants.BladeBootType.ForcePxe
    assert len(cfg.slots) == 48


@pytest.mark.parametrize('data,field', [
    ({'blades': 12}, 'blades'),
    ({'blades': True}, 'blades'),
    ({'latency': -1}, 'latency'),
    ({'colour': 1}, 'colour'),
    ({'empty_slots': [25]}, 'empty_slots'),
    ({'jbod_slots': ['1']}, 'jbod_slots'),
    ({'macs': {'1': ['nope']}}, 'macs.1.macs[0]'),
    ({'macs': {'x': []}}, 'macs'),
    ({'slots': {'1': {'next_boot': 'Pxe'}}}, 'slots.1.next_boot'),
    ({'slots': {'1': {'type': 'IEB'}}}, 'slots.1.type'),
    ({'slots': {'1': {'host_on': 'yes'}}}, 'slots.1.host_on'),
    ({'defaults': {'speed': 1}}, 'defaults.speed'),
])
def test_errors_name_the_field(data, field):
    with pytest.raises(config.ConfigError) as exc:
        config.build(data)
    assert str(exc.value).startswith(field)


def test_unreadable_file(tmp_path):
    bad = tmp_path / 'bad.json'
    bad.write_text('{')
    with pytest.raises(config.ConfigError, match='cannot read'):
        config.load(str(bad))
    with pytest.raises(config.ConfigError, match='cannot read'):
        config.load(str(tmp_path / 'missing.json'))
