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

"""Checks of the arguments users give to passthru methods and steps.

The command-line client sends every argument as a string, the API as JSON:
each check accepts both, and raises an error naming the argument and the
node before any chassis-manager call.
"""

import datetime

from ironic.common import exception
from oslo_utils import strutils
from oslo_utils import timeutils

from msftocs_driver.i18n import _
from msftocs_driver.ocs import constants

#: Bounds of a time window given only one of its ends.
_EARLIEST = datetime.datetime(1, 1, 1)
_LATEST = datetime.datetime(9999, 12, 31, 23, 59, 59)


def parse_watts(node, value):
    """Validate a power limit given to ``set_power_limit``.

    :param node: the node the limit is for (named in errors).
    :param value: the ``watts`` argument: an integer, or a string of one
        (the command-line client sends strings).
    :raises: MissingParameterValue if it is missing.
    :raises: InvalidParameterValue if it is not a whole number of watts
        within the range the chassis manager accepts.
    :returns: the limit as an int.
    """
    if value is None or value == '':
        raise exception.MissingParameterValue(_(
            'The "watts" argument is required to set the power limit of '
            'node %s.') % node.uuid)
    try:
        if isinstance(value, bool):
            raise ValueError(value)
        if isinstance(value, float):
            if not value.is_integer():
                raise ValueError(value)
            value = int(value)
        watts = int(str(value).strip())
    except (TypeError, ValueError):
        raise exception.InvalidParameterValue(_(
            'The "watts" argument for node %(node)s must be a whole number '
            'of watts, got %(value)r.') % {'node': node.uuid,
                                           'value': value})
    if not (constants.MIN_POWER_LIMIT_WATTS <= watts
            <= constants.MAX_POWER_LIMIT_WATTS):
        raise exception.InvalidParameterValue(_(
            'The "watts" argument for node %(node)s must be between '
            '%(min)d and %(max)d, got %(value)d.') % {
                'node': node.uuid, 'value': watts,
                'min': constants.MIN_POWER_LIMIT_WATTS,
                'max': constants.MAX_POWER_LIMIT_WATTS})
    return watts


def parse_bool(node, name, value):
    """Validate a boolean argument: a bool, or a string of one.

    :param node: the node the argument is for (named in errors).
    :param name: the argument's name.
    :param value: ``True``/``False`` or ``"true"``, ``"false"``, ``"on"``,
        ``"off"``, ``"1"``, ``"0"``...
    :raises: InvalidParameterValue for anything else.
    :returns: a bool.
    """
    if isinstance(value, bool):
        return value
    try:
        return strutils.bool_from_string(value, strict=True)
    except (TypeError, ValueError):
        raise exception.InvalidParameterValue(_(
            'The "%(name)s" argument for node %(node)s must be true or '
            'false, got %(value)r.') % {'name': name, 'node': node.uuid,
                                        'value': value})


def parse_choice(node, name, value, choices):
    """Validate an argument that takes one of a few words.

    :param node: the node the argument is for (named in errors).
    :param name: the argument's name.
    :param value: the value given.
    :param choices: the accepted words (compared case-insensitively).
    :raises: MissingParameterValue if it is missing.
    :raises: InvalidParameterValue for another value.
    :returns: the word, lowercase.
    """
    if value is None or value == '':
        raise exception.MissingParameterValue(_(
            'The "%(name)s" argument is required for node %(node)s.') % {
                'name': name, 'node': node.uuid})
    word = str(value).strip().lower()
    if word not in choices:
        raise exception.InvalidParameterValue(_(
            'The "%(name)s" argument for node %(node)s must be one of '
            '%(choices)s, got %(value)r.') % {
                'name': name, 'node': node.uuid,
                'choices': ', '.join(choices), 'value': value})
    return word


def parse_time(node, name, value):
    """Validate an optional ISO 8601 time argument.

    A time with a zone is converted to UTC; the zone is then dropped, as
    the chassis manager compares times on its own clock.

    :param node: the node the argument is for (named in errors).
    :param name: the argument's name.
    :param value: the time given, or None.
    :raises: InvalidParameterValue if it is not an ISO 8601 time.
    :returns: a naive ``datetime``, or None.
    """
    if value is None or value == '':
        return None
    try:
        parsed = timeutils.parse_isotime(str(value))
    except ValueError:
        raise exception.InvalidParameterValue(_(
            'The "%(name)s" argument for node %(node)s must be an ISO 8601 '
            'time such as 2026-03-09T10:00:00, got %(value)r.') % {
                'name': name, 'node': node.uuid, 'value': value})
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(datetime.timezone.utc)
    return parsed.replace(tzinfo=None)


def parse_time_window(node, start, end):
    """Validate the optional ``start`` and ``end`` times of a window.

    :param node: the node the window is for (named in errors).
    :param start: the earliest time, an ISO 8601 string or None.
    :param end: the latest time, an ISO 8601 string or None.
    :raises: InvalidParameterValue if either is not an ISO 8601 time, or
        ``start`` is after ``end``.
    :returns: ``(start, end)`` as naive ``datetime`` objects, an open end
        replaced by the earliest or latest representable time; or
        ``(None, None)`` when neither is given.
    """
    start = parse_time(node, 'start', start)
    end = parse_time(node, 'end', end)
    if start is None and end is None:
        return None, None
    start, end = start or _EARLIEST, end or _LATEST
    if start > end:
        raise exception.InvalidParameterValue(_(
            'The "start" argument for node %(node)s is after "end".')
            % {'node': node.uuid})
    return start, end
