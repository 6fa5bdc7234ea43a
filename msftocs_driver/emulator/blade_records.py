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

"""What a blade's BMC records and reports about its health, settable by tests.

The event log (the BMC's SEL, as ReadBladeLog shows it), the BIOS POST
codes, and faults: sensor statuses, DIMM statuses and a failing power
reading, which the health operations report. Tests set them through the
control API (``POST /_emulator/blades/<id>/records``).
"""

import datetime

#: POST code of a BIOS that handed over to the boot loader (a common AMI
#: value; the CM passes the BMC's code through as text).
POST_COMPLETE = 'AA'
#: Sensor statuses a test may set (IPMI-style, as the CM reports them:
#: ok, non-critical, critical, non-recoverable, not specified).
SENSOR_STATUSES = ('ok', 'nc', 'cr', 'nr', 'ns')
#: DIMM statuses of the CM's MemoryStatus names (reference 4.7).
DIMM_STATUSES = ('Ok', 'NotPresent', 'SingleBitError', 'MultiBitError',
                 'Unknown', 'Reserved')


class RecordsError(ValueError):
    """A records change is invalid; the message names the field."""


def parse_time(text, field):
    """Parse an ISO 8601 time as the CM's ``DateTime.Parse`` would.

    :raises: RecordsError naming ``field``.
    """
    try:
        parsed = datetime.datetime.fromisoformat(str(text))
    except ValueError:
        raise RecordsError('%s: not an ISO 8601 time: %r' % (field, text))
    return parsed.replace(tzinfo=None)


class BladeRecords(object):
    """The records and faults of one blade's BMC."""

    def __init__(self):
        #: ``(datetime, description)``, oldest first.
        self.log = []
        self.post_code = POST_COMPLETE
        self.previous_post_code = POST_COMPLETE
        #: sensor number -> status replacing the sensor's own.
        self.sensor_status = {}
        #: DIMM number -> status replacing the DIMM's own.
        self.dimm_status = {}
        #: Whether DCMI power readings fail (Failure, reading -1).
        self.power_reading_failed = False

    def update(self, changes):
        """Apply a control-API change, all or nothing.

        :param changes: a dict with any of ``log`` (a list of ``{"time",
            "description"}``, replacing the log), ``append_log`` (the same,
            appended), ``post_code``, ``previous_post_code``,
            ``sensor_status`` and ``dimm_status`` (``{number: status}``,
            replacing the faults; ``ok``/``Ok`` clears one) and
            ``power_reading_failed``.
        :raises: RecordsError naming the field.
        """
        if not isinstance(changes, dict):
            raise RecordsError('expected a JSON object')
        staged = {}
        for key, value in changes.items():
            parse = _FIELDS.get(key)
            if parse is None:
                raise RecordsError('%s: unknown field' % key)
            staged[key] = parse(value, key)
        if 'log' in staged:
            self.log = staged.pop('log')
        if 'append_log' in staged:
            self.log = self.log + staged.pop('append_log')
        for key, value in staged.items():
            setattr(self, key, value)

    def log_between(self, start=None, end=None):
        """The log entries from ``start`` to ``end`` (both included)."""
        return [(when, text) for when, text in self.log
                if (start is None or when >= start)
                and (end is None or when <= end)]

    def to_dict(self):
        """The records as the control API shows them."""
        return {
            'log': [{'time': when.isoformat(), 'description': text}
                    for when, text in self.log],
            'post_code': self.post_code,
            'previous_post_code': self.previous_post_code,
            'sensor_status': {str(k): v for k, v in
                              sorted(self.sensor_status.items())},
            'dimm_status': {str(k): v for k, v in
                            sorted(self.dimm_status.items())},
            'power_reading_failed': self.power_reading_failed,
        }


def _log(value, field):
    if not isinstance(value, list):
        raise RecordsError('%s: expected a list' % field)
    entries = []
    for index, entry in enumerate(value):
        where = '%s[%d]' % (field, index)
        if (not isinstance(entry, dict)
                or not isinstance(entry.get('description'), str)):
            raise RecordsError('%s: expected {"time", "description"}'
                               % where)
        entries.append((parse_time(entry.get('time'), where + '.time'),
                        entry['description']))
    return entries


def _code(value, field):
    if not isinstance(value, str) or len(value) > 16:
        raise RecordsError('%s: expected a string of at most 16 characters'
                           % field)
    return value


def _statuses(allowed, cleared):
    def parse(value, field):
        if not isinstance(value, dict):
            raise RecordsError('%s: expected {number: status}' % field)
        result = {}
        for number, status in value.items():
            if not str(number).isdigit():
                raise RecordsError('%s: %r is not a number' % (field, number))
            if status not in allowed:
                raise RecordsError('%s.%s: must be one of %s' % (
                    field, number, ', '.join(allowed)))
            if status != cleared:
                result[int(number)] = status
        return result
    return parse


def _flag(value, field):
    if not isinstance(value, bool):
        raise RecordsError('%s: expected true or false' % field)
    return value


_FIELDS = {
    'log': _log,
    'append_log': _log,
    'post_code': _code,
    'previous_post_code': _code,
    'sensor_status': _statuses(SENSOR_STATUSES, 'ok'),
    'dimm_status': _statuses(DIMM_STATUSES, 'Ok'),
    'power_reading_failed': _flag,
}
