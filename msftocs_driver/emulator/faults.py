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


"""Fault injection: broken replies, errors and delays, on demand.

Tests add faults through the control API. A fault applies to every
operation or to the listed ones, fires with a probability ``rate`` and,
with ``count``, only for the next N matching calls. Delays add up; among
the other kinds the oldest matching fault wins.

The operation still runs for the kinds that break the reply (``drop``,
``drop_mid_reply``, ``truncated``, ``malformed``, ``xml_bomb``,
``wrong_namespace``, ``wrong_blade``): the request reached the CM and only
its answer was lost or garbled, which is what a client must never retry
blindly. ``http500`` and ``http401`` are answered before the operation runs.
"""

import dataclasses
import random
import threading

from msftocs_driver.emulator import xmlout

#: Fault kinds answered without running the operation.
BEFORE_OPERATION = frozenset(('http500', 'http401'))
#: Fault kinds that alter or lose the reply of an executed operation.
AFTER_OPERATION = frozenset(('drop', 'drop_mid_reply', 'truncated',
                             'malformed', 'xml_bomb', 'wrong_namespace',
                             'wrong_blade'))
KINDS = BEFORE_OPERATION | AFTER_OPERATION | {'delay'}

WRONG_NAMESPACE = 'http://schemas.datacontract.org/2004/07/Microsoft.GFS.WCS'
MALFORMED_BODY = b'<html><body>Service Unavailable</body>'
XML_BOMB = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b''.join(b'<!ENTITY lol%d "%s">' % (
        level, (b'&lol%s;' % (str(level - 1).encode() if level > 1 else b''))
        * 10) for level in range(1, 10))
    + b']><ChassisResponse><statusDescription>&lol9;</statusDescription>'
    b'</ChassisResponse>')


class FaultError(ValueError):
    """A fault description is invalid; the message names the field."""


class ConnectionDrop(Exception):
    """Raised to make the server close the connection without more output.

    The emulator's cheroot gateway catches it (see :mod:`.cli`); under
    another WSGI server it simply surfaces as an application error.
    """


@dataclasses.dataclass
class Fault(object):
    """One injected fault (see the module documentation)."""

    kind: str
    operations: frozenset = None
    rate: float = 1.0
    count: int = None
    seconds: float = 0.0

    def to_dict(self):
        return {'kind': self.kind, 'rate': self.rate, 'count': self.count,
                'seconds': self.seconds,
                'operations': sorted(self.operations or ())}


def parse_fault(spec, known_operations):
    """Validate a fault description from the control API.

    :param spec: the decoded JSON object.
    :param known_operations: canonical operation names.
    :returns: a :class:`Fault`.
    :raises: FaultError naming the bad field.
    """
    if not isinstance(spec, dict):
        raise FaultError('fault: expected a JSON object')
    unknown = set(spec) - {'kind', 'operations', 'rate', 'count', 'seconds'}
    if unknown:
        raise FaultError('fault: unknown field(s) %s' % ', '.join(
            sorted(unknown)))
    kind = spec.get('kind')
    if kind not in KINDS:
        raise FaultError('kind: must be one of %s' % ', '.join(sorted(KINDS)))
    operations = spec.get('operations')
    if operations is not None:
        by_lower = {name.lower(): name for name in known_operations}
        if not isinstance(operations, list) or not all(
                isinstance(op, str) and op.lower() in by_lower
                for op in operations):
            raise FaultError('operations: must be a list of operation names')
        operations = frozenset(by_lower[op.lower()] for op in operations)
    rate = spec.get('rate', 1.0)
    if isinstance(rate, bool) or not isinstance(rate, (int, float)) or not (
            0 <= rate <= 1):
        raise FaultError('rate: must be a number between 0 and 1')
    count = spec.get('count')
    if count is not None and (isinstance(count, bool) or not isinstance(
            count, int) or count < 1):
        raise FaultError('count: must be a positive integer')
    seconds = spec.get('seconds', 0.0)
    if isinstance(seconds, bool) or not isinstance(
            seconds, (int, float)) or seconds < 0:
        raise FaultError('seconds: must be a non-negative number')
    if kind == 'delay' and not seconds:
        raise FaultError('seconds: required for a delay')
    return Fault(kind, operations, float(rate), count, float(seconds))


class FaultInjector(object):
    """The active faults and the choice of which fire on a call.

    :param rng: a :class:`random.Random` (injectable for tests).
    """

    def __init__(self, rng=None):
        self._rng = rng or random.Random()
        self._faults = []
        self._lock = threading.Lock()

    def add(self, fault):
        with self._lock:
            self._faults.append(fault)

    def clear(self):
        with self._lock:
            self._faults = []

    def list(self):
        with self._lock:
            return [fault.to_dict() for fault in self._faults]

    def select(self, operation):
        """Decide the faults of one call and consume their counts.

        :param operation: canonical operation name.
        :returns: ``(delay seconds, kind or None)``.
        """
        if not self._faults:  # the common case: no lock taken
            return 0.0, None
        delay, kind = 0.0, None
        with self._lock:
            for fault in list(self._faults):
                if fault.operations and operation not in fault.operations:
                    continue
                if fault.kind != 'delay' and kind is not None:
                    continue
                if fault.rate < 1 and self._rng.random() >= fault.rate:
                    continue
                if fault.count is not None:
                    fault.count -= 1
                    if not fault.count:
                        self._faults.remove(fault)
                if fault.kind == 'delay':
                    delay += fault.seconds
                else:
                    kind = fault.kind
        return delay, kind


def _other_blade(fields, population):
    out = []
    for name, value in fields:
        if name == 'bladeNumber' and isinstance(value, int):
            value = value % population + 1
        elif isinstance(value, xmlout.Struct):
            value = xmlout.Struct(_other_blade(value, population))
        elif isinstance(value, xmlout.Items):
            value = xmlout.Items(value[0], [
                _other_blade(item, population) for item in value[1]])
        out.append((name, value))
    return out


def faulty_body(kind, root, fields, population):
    """Render a reply damaged by a fault of ``kind``.

    :returns: the body bytes (for ``drop_mid_reply`` the whole reply; the
        application sends half of it).
    """
    if kind == 'wrong_namespace':
        return xmlout.render(root, fields, namespace=WRONG_NAMESPACE)
    if kind == 'wrong_blade':
        return xmlout.render(root, _other_blade(fields, population))
    if kind == 'malformed':
        return MALFORMED_BODY
    if kind == 'xml_bomb':
        return XML_BOMB
    body = xmlout.render(root, fields)
    if kind == 'truncated':
        return body[:len(body) // 2]
    return body
