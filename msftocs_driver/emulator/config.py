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


"""The emulated chassis configuration, from defaults, a JSON file and flags.

A configuration file is a JSON object; every key is optional::

    {
      "blades": 24,
      "cm_version": "2.5",
      "kill_serial_session": true,
      "decompression_seconds": 28,
      "latency": 0.0,
      "bus_cost": 0.0,
      "power_off_wait": 0.1,
      "empty_slots": [7],
      "jbod_slots": [12],
      "macs": {"3": ["00:15:5D:0A:1B:2C", null]},
      "defaults": {"switch_on": true, "host_on": false},
      "slots": {"5": {"switch_on": false, "next_boot": "ForcePxe"}}
    }

``defaults`` and ``slots`` take the blade keys of :data:`BLADE_KEYS`; a
``null`` MAC is an absent NIC ("Not Present"). ``cm_version`` is ``2.5``
or ``2.0`` (see :mod:`.versions`); ``kill_serial_session`` is the v2.0
CM's ``KillSerialConsoleSession``. Without ``decompression_seconds`` the
version's default applies (28 s for 2.5, 35 s for 2.0).
"""

import dataclasses
import json
import re

from msftocs_driver.emulator import versions
from msftocs_driver.ocs import constants

_MAC_RE = re.compile(r'^[0-9A-Fa-f]{2}([:-][0-9A-Fa-f]{2}){5}$')

#: Per-blade keys accepted in ``defaults`` and ``slots``, with their types.
BLADE_KEYS = {
    'present': bool, 'type': str, 'switch_on': bool, 'host_on': bool,
    'next_boot': str, 'next_boot_persistent': bool, 'next_boot_uefi': bool,
    'led_on': bool, 'power_limit': (int, float),
    'power_limit_active': bool, 'power_restore_on': bool, 'macs': list,
}
_CHASSIS_KEYS = {
    'blades': int, 'decompression_seconds': (int, float),
    'latency': (int, float), 'bus_cost': (int, float),
    'power_off_wait': (int, float), 'empty_slots': list, 'jbod_slots': list,
    'macs': dict, 'defaults': dict, 'slots': dict, 'cm_version': str,
    'kill_serial_session': bool,
}


class ConfigError(ValueError):
    """The configuration is invalid; the message names the field."""


@dataclasses.dataclass(frozen=True)
class SlotConfig(object):
    """Initial state of one slot."""

    present: bool = True
    type: constants.BladeType = constants.BladeType.Server
    # Empty slots too: the CM never changes a switch by itself and the
    # hardware default is probably ON (inference, reference 6.1).
    switch_on: bool = True
    host_on: bool = False
    next_boot: constants.BladeBootType = constants.BladeBootType.NoOverride
    next_boot_persistent: bool = False
    next_boot_uefi: bool = False
    led_on: bool = False
    power_limit: float = 400.0
    power_limit_active: bool = False
    power_restore_on: bool = False
    macs: tuple = ()


@dataclasses.dataclass(frozen=True)
class ChassisConfig(object):
    """Initial state and timing of the whole emulated chassis."""

    blades: int = 24
    #: None: the default of the CM version (:mod:`.versions`).
    decompression_seconds: float = None
    latency: float = 0.0
    bus_cost: float = 0.0
    power_off_wait: float = 0.1
    slots: tuple = ()
    cm_version: str = versions.DEFAULT
    kill_serial_session: bool = True

    def slot(self, blade_id):
        """Return the :class:`SlotConfig` of one slot (1-based)."""
        return self.slots[blade_id - 1]


def default_macs(blade_id):
    """Return the two NIC MACs of a blade when the file sets none."""
    return tuple('00:15:5D:0A:%02X:%02X' % (blade_id, nic)
                 for nic in (1, 2))


def check_type(field, value, expected):
    """Check the type of a decoded JSON value.

    :param expected: a type or tuple of types; JSON true/false (Python
        bools, which are also ints) only match ``bool``.
    :raises: ConfigError naming the field.
    """
    if (isinstance(value, bool) != (expected is bool)
            or not isinstance(value, expected)):
        raise ConfigError('%s: wrong type %s' % (field, type(value).__name__))


def _mac(field, value):
    if value is None:
        return None
    if not isinstance(value, str) or not _MAC_RE.match(value):
        raise ConfigError('%s: not a MAC address: %r' % (field, value))
    return value.replace('-', ':').upper()


def _slot_values(field, values):
    check_type(field, values, dict)
    result = {}
    for key, value in values.items():
        name = '%s.%s' % (field, key)
        if key not in BLADE_KEYS:
            raise ConfigError('%s: unknown key' % name)
        check_type(name, value, BLADE_KEYS[key])
        if key == 'type':
            if value not in ('Server', 'Jbod'):
                raise ConfigError('%s: must be Server or Jbod' % name)
            value = constants.BladeType(value)
        elif key == 'next_boot':
            try:
                value = constants.BladeBootType[value]
            except KeyError:
                raise ConfigError('%s: unknown boot type %r' % (name, value))
        elif key == 'macs':
            value = tuple(_mac('%s[%d]' % (name, i), mac)
                          for i, mac in enumerate(value))
        elif key == 'power_limit':
            value = float(value)
        result[key] = value
    return result


def _slot_ids(field, values, blades):
    ids = set()
    for value in values:
        if isinstance(value, bool) or not isinstance(value, int) or not (
                1 <= value <= blades):
            raise ConfigError('%s: %r is not a slot of 1..%d'
                              % (field, value, blades))
        ids.add(value)
    return ids


def build(data=None, **overrides):
    """Build a :class:`ChassisConfig` from parsed JSON and overrides.

    :param data: the decoded configuration file, or None.
    :param overrides: chassis keys (``blades``, ``latency``...) that win
        over the file, e.g. from command-line flags; None values are ignored.
    :returns: a ChassisConfig.
    :raises: ConfigError naming the bad field.
    """
    data = dict(data or {})
    check_type('configuration', data, dict)
    data.update({k: v for k, v in overrides.items() if v is not None})
    for key, value in data.items():
        if key not in _CHASSIS_KEYS:
            raise ConfigError('%s: unknown key' % key)
        check_type(key, value, _CHASSIS_KEYS[key])
    blades = data.get('blades', 24)
    if blades not in constants.CHASSIS_POPULATIONS:
        raise ConfigError('blades: must be 24 or 48, got %r' % blades)
    cm_version = data.get('cm_version', versions.DEFAULT)
    if cm_version not in versions.VERSIONS:
        raise ConfigError('cm_version: must be one of %s, got %r'
                          % (', '.join(versions.VERSIONS), cm_version))
    for key in ('decompression_seconds', 'latency', 'bus_cost',
                'power_off_wait'):
        if data.get(key, 0) < 0:
            raise ConfigError('%s: must not be negative' % key)

    empty = _slot_ids('empty_slots', data.get('empty_slots', ()), blades)
    jbods = _slot_ids('jbod_slots', data.get('jbod_slots', ()), blades)
    defaults = _slot_values('defaults', data.get('defaults', {}))
    per_slot = {}
    for key, values in data.get('slots', {}).items():
        (blade_id,) = _slot_ids('slots', [_int_key('slots', key)], blades)
        per_slot[blade_id] = _slot_values('slots.%s' % key, values)
    for key, macs in data.get('macs', {}).items():
        (blade_id,) = _slot_ids('macs', [_int_key('macs', key)], blades)
        per_slot.setdefault(blade_id, {}).update(
            _slot_values('macs.%s' % key, {'macs': macs}))

    slots = []
    for blade_id in range(1, blades + 1):
        values = {'macs': default_macs(blade_id)}
        values.update(defaults)
        if blade_id in empty:
            values['present'] = False
        if blade_id in jbods:
            values['type'] = constants.BladeType.Jbod
        values.update(per_slot.get(blade_id, {}))
        slots.append(SlotConfig(**values))
    decompression = data.get('decompression_seconds')
    return ChassisConfig(
        blades=blades,
        decompression_seconds=(None if decompression is None
                               else float(decompression)),
        cm_version=cm_version,
        kill_serial_session=data.get('kill_serial_session', True),
        latency=float(data.get('latency', 0)),
        bus_cost=float(data.get('bus_cost', 0)),
        power_off_wait=float(data.get('power_off_wait', 0.1)),
        slots=tuple(slots))


def _int_key(field, key):
    try:
        return int(key)
    except ValueError:
        raise ConfigError('%s: %r is not a slot number' % (field, key))


def load(path, **overrides):
    """Read a JSON configuration file and build the configuration.

    :param path: file path, or None for the defaults.
    :param overrides: see :func:`build`.
    :raises: ConfigError (also for unreadable or invalid JSON).
    """
    data = None
    if path:
        try:
            with open(path, encoding='utf-8') as f:
                data = json.load(f)
        except (OSError, ValueError) as exc:
            raise ConfigError('cannot read configuration %s: %s'
                              % (path, exc))
    return build(data, **overrides)
