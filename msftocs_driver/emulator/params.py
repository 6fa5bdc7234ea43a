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


"""Parse query parameters the way the CM (WCF QueryStringConverter) does.

Keys are matched case-insensitively and unknown keys are ignored. A missing
parameter takes the CLR default value (0, false, null). A value that does
not parse raises :class:`BadParameter`, which the application turns into
an HTTP 400 HTML page as WCF does (inference from WCF, see reference 2).
"""

import base64
import binascii
import re
from urllib import parse

_INT_RE = re.compile(r'^[ \t\r\n]*[+-]?[0-9]+[ \t\r\n]*$')
_DOUBLE_RE = re.compile(
    r'^[ \t\r\n]*(?:[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?'
    r'|-?INF|NaN)[ \t\r\n]*$')
# Whitespace .NET's Convert.FromBase64String skips inside the input.
_BASE64_SKIPPED = str.maketrans('', '', ' \t\r\n')
_INT32 = (-2 ** 31, 2 ** 31 - 1)
_UINT32 = (0, 2 ** 32 - 1)


class BadParameter(ValueError):
    """A query parameter has a value the CM cannot convert."""

    def __init__(self, name, kind):
        super().__init__('The value of query parameter %r cannot be '
                         'converted to %s.' % (name, kind))
        self.name = name


class QueryParams(object):
    """The query string of one request.

    :param query_string: the raw (still percent-encoded) query string.
    """

    __slots__ = ('_values',)

    def __init__(self, query_string):
        values = {}
        # parse_qsl form-decodes, like the CM: an unescaped '+' is a space.
        for key, value in parse.parse_qsl(query_string,
                                          keep_blank_values=True):
            values.setdefault(key.lower(), value)
        self._values = values

    def string(self, name):
        """Return a string parameter, ``None`` when it is missing."""
        return self._values.get(name.lower())

    def _integer(self, name, bounds, kind):
        raw = self._values.get(name.lower())
        if raw is None:
            return 0
        if not _INT_RE.match(raw):
            raise BadParameter(name, kind)
        value = int(raw)
        if not bounds[0] <= value <= bounds[1]:
            raise BadParameter(name, kind)
        return value

    def int(self, name):
        """Return an ``int`` (Int32) parameter, 0 when missing.

        :raises: BadParameter
        """
        return self._integer(name, _INT32, 'Int32')

    def uint(self, name):
        """Return a ``uint`` (UInt32) parameter, 0 when missing.

        :raises: BadParameter for a negative or malformed value.
        """
        return self._integer(name, _UINT32, 'UInt32')

    def bool(self, name):
        """Return a ``bool`` parameter, false when missing.

        Only ``true`` and ``false`` in any case are accepted, not 1 or 0.

        :raises: BadParameter
        """
        raw = self._values.get(name.lower())
        if raw is None:
            return False
        word = raw.strip().lower()
        if word == 'true':
            return True
        if word == 'false':
            return False
        raise BadParameter(name, 'Boolean')

    def double(self, name):
        """Return a ``double`` parameter, 0.0 when missing.

        :raises: BadParameter
        """
        raw = self._values.get(name.lower())
        if raw is None:
            return 0.0
        if not _DOUBLE_RE.match(raw):
            raise BadParameter(name, 'Double')
        return float(raw.strip().replace('INF', 'inf'))

    def enum(self, name, enum_class):
        """Return an enum parameter as ``Enum.Parse(ignoreCase: true)``.

        :param enum_class: the enum type; its members' values are ints.
        :returns: the member, or the bare ``int`` for an undefined number
            (the CM accepts those), or the member of value 0 when missing.
        :raises: BadParameter
        """
        raw = self._values.get(name.lower())
        if raw is None:
            return enum_class(0)
        word = raw.strip()
        for member in enum_class:
            if member.name.lower() == word.lower():
                return member
        if not _INT_RE.match(word):
            raise BadParameter(name, enum_class.__name__)
        number = int(word)
        try:
            return enum_class(number)
        except ValueError:
            return number

    def base64(self, name):
        """Return a ``byte[]`` parameter decoded from base64.

        The CM decodes with ``Convert.FromBase64String``, which skips
        whitespace: a '+' that the client did not percent-encode has become
        a space and is silently dropped, which corrupts the data or, more
        often, makes the length invalid (inference from .NET behaviour).

        :returns: the bytes; ``b''`` when missing or empty.
        :raises: BadParameter
        """
        raw = self._values.get(name.lower())
        if not raw:
            return b''
        try:
            return base64.b64decode(raw.translate(_BASE64_SKIPPED),
                                    validate=True)
        except (binascii.Error, ValueError):
            raise BadParameter(name, 'Byte[]')
