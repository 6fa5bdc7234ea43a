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


"""Serialise replies the way the CM's WCF DataContractSerializer does.

A reply is a root element name and an ordered list of ``(name, value)``
fields; the handler is responsible for the DataContract member order. The
output has no XML declaration and no whitespace, as WCF writes by default
(most likely the CM's output too; reference 3 and 12 leave it unverified).

Values are written as follows: ``None`` as ``i:nil="true"``, ``''`` as an
empty element, ``bool`` as ``true``/``false``, numbers as XmlConvert does,
enum members by name, ``bytes`` as base64, a :class:`Struct` as nested
elements and an :class:`Items` as a collection of same-named elements.
"""

import base64
import enum
import math
from xml.sax import saxutils

from msftocs_driver.ocs import constants

_ROOT_ATTRS = ' xmlns="%s" xmlns:i="%s"' % (
    constants.CONTRACTS_NS, constants.XSI_NS)


class Struct(tuple):
    """An embedded DataContract object: a tuple of ``(name, value)``."""

    __slots__ = ()


class Items(tuple):
    """A collection: ``(item element name, tuple of field tuples)``."""

    __slots__ = ()

    def __new__(cls, item_name, items):
        return super().__new__(cls, (item_name, tuple(items)))


#: An empty collection (its item name never appears).
EMPTY = Items('', ())


def format_double(value):
    """Format a float as ``XmlConvert.ToString(double)`` does.

    :param value: a number.
    :returns: ``'250'`` for 250.0, ``'187.5'``, ``'INF'``, ``'NaN'``...
    """
    if math.isnan(value):
        return 'NaN'
    if math.isinf(value):
        return 'INF' if value > 0 else '-INF'
    if float(value).is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(float(value))


def _text(value):
    if isinstance(value, str):
        return saxutils.escape(value)
    if isinstance(value, bool):
        return 'true' if value else 'false'
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return format_double(value)
    if isinstance(value, enum.Enum):
        return value.name
    if isinstance(value, (bytes, bytearray)):
        return base64.b64encode(value).decode('ascii')
    raise TypeError('cannot serialise %r' % (value,))


def _write_fields(out, fields):
    for name, value in fields:
        _write_element(out, name, value)


def _write_element(out, name, value):
    if value is None:
        out.append('<%s i:nil="true"/>' % name)
    elif isinstance(value, Struct):
        out.append('<%s>' % name)
        _write_fields(out, value)
        out.append('</%s>' % name)
    elif isinstance(value, Items):
        item_name, items = value
        if not items:
            out.append('<%s/>' % name)
            return
        out.append('<%s>' % name)
        for item in items:
            out.append('<%s>' % item_name)
            _write_fields(out, item)
            out.append('</%s>' % item_name)
        out.append('</%s>' % name)
    else:
        text = _text(value)
        if text:
            out.append('<%s>%s</%s>' % (name, text, name))
        else:
            out.append('<%s/>' % name)


def render(root, fields, namespace=None):
    """Serialise one reply.

    :param root: root element name (the DataContract class name).
    :param fields: ordered ``(name, value)`` pairs.
    :param namespace: default namespace to declare instead of the Contracts
        namespace (used only to inject the ``wrong_namespace`` fault).
    :returns: the UTF-8 encoded document.
    """
    attrs = _ROOT_ATTRS
    if namespace is not None:
        attrs = ' xmlns="%s" xmlns:i="%s"' % (namespace, constants.XSI_NS)
    out = ['<%s%s>' % (root, attrs)]
    _write_fields(out, fields)
    out.append('</%s>' % root)
    return ''.join(out).encode('utf-8')
