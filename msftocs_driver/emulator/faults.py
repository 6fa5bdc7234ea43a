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


"""Fault injection: broken replies, errors, delays and stalls, on demand.

Tests add faults through the control API. A fault applies to every
operation or to the listed ones, fires with a probability ``rate`` and,
with ``count``, only for the next N matching calls. Delays add up; among
the other kinds the oldest matching fault wins.

Whether the operation runs:

- it runs for the kinds that break or slow the reply (``drop_after`` and
  its older name ``drop``, ``drop_mid_reply``, ``drip``, ``truncated``,
  ``malformed``, ``xml_bomb``, ``wrong_namespace``, ``wrong_blade``): the
  request reached the CM and only its answer was lost, slow or garbled,
  which is what a client must never retry blindly;
- it does not run for ``http500`` and ``http401`` (answered at once),
  ``drop_before`` (the connection closes without a reply) and ``hang``
  (no answer for ``seconds``, then the connection closes without a reply).

The kinds:

``delay``
    the reply is sent ``seconds`` late.
``drop_after`` (``drop``)
    the operation runs, then the connection closes without a reply.
``drop_before``
    the connection closes without a reply and the operation never runs.
``drop_mid_reply``
    the operation runs; the headers and half the body are sent, then the
    connection closes.
``drip``
    the operation runs; the headers and the first body byte are sent at
    once, then each further byte ``seconds`` after the previous one.
``hang``
    nothing is answered for ``seconds``, then the connection closes; the
    operation never runs.
``http500``, ``http401``, ``truncated``, ``malformed``, ``xml_bomb``,
``wrong_namespace``, ``wrong_blade``
    see :func:`faulty_body` and :mod:`.app`.

``delay``, ``drip`` and ``hang`` need ``seconds`` and accept ``legs``: the
replies of a call they apply to, among ``unauthenticated`` (the 401 that
answers a request without valid credentials: the first leg of an NTLM
handshake), ``challenge`` (the 401 carrying the NTLM CHALLENGE_MESSAGE:
the second leg) and ``reply`` (the operation's own reply, the default).
``count`` counts matching replies, so a drip on the three legs of one NTLM
call with ``count`` 3 slows each of them once.

Every wait uses the application's sleep function, which the emulator's
server ends when it stops, so no fault keeps a thread past the server's
stop (a hung call then closes its connection, a dripping one stops). The
stalls (``drip``, ``hang``) also end when the faults are cleared
(``DELETE faults`` or ``reset``): a hung call then closes its connection
without a reply and without running the operation, a dripping one sends
the rest of its body at once. Each stalled call holds one of the server's
worker threads meanwhile (see :data:`.cli.THREADS`); :mod:`.stalls` does
the waiting.
"""

import collections
import dataclasses
import random
import threading

from msftocs_driver.emulator import xmlout

#: Fault kinds answered without running the operation.
BEFORE_OPERATION = frozenset(('http500', 'http401', 'drop_before', 'hang'))
#: Fault kinds that alter, slow or lose the reply of an executed operation.
AFTER_OPERATION = frozenset(('drop', 'drop_after', 'drop_mid_reply', 'drip',
                             'truncated', 'malformed', 'xml_bomb',
                             'wrong_namespace', 'wrong_blade'))
#: Kinds that close the connection after the operation ran, no reply.
DROP_AFTER = frozenset(('drop', 'drop_after'))
KINDS = BEFORE_OPERATION | AFTER_OPERATION | {'delay'}
#: Kinds that wait ``seconds`` (required) and may apply to several legs.
TIMED = frozenset(('delay', 'drip', 'hang'))
#: The replies of one call a timed fault can apply to, in handshake order.
LEGS = ('unauthenticated', 'challenge', 'reply')
DEFAULT_LEGS = frozenset(('reply',))
_FIELDS = frozenset(('kind', 'operations', 'rate', 'count', 'seconds',
                     'legs'))

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
    legs: frozenset = DEFAULT_LEGS

    def to_dict(self):
        return {'kind': self.kind, 'rate': self.rate, 'count': self.count,
                'seconds': self.seconds,
                'operations': sorted(self.operations or ()),
                'legs': [leg for leg in LEGS if leg in self.legs]}


class Selection(collections.namedtuple('Selection',
                                       'delay kind seconds')):
    """The faults of one reply: total delay, and the winning kind.

    :ivar delay: seconds to wait before answering (delays add up).
    :ivar kind: the winning non-delay kind, or None.
    :ivar seconds: that kind's ``seconds`` (for ``drip`` and ``hang``).
    """


NO_FAULT = Selection(0.0, None, 0.0)


def parse_fault(spec, known_operations):
    """Validate a fault description from the control API.

    :param spec: the decoded JSON object.
    :param known_operations: canonical operation names.
    :returns: a :class:`Fault`.
    :raises: FaultError naming the bad field.
    """
    if not isinstance(spec, dict):
        raise FaultError('fault: expected a JSON object')
    unknown = set(spec) - _FIELDS
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
    if kind in TIMED and not seconds:
        raise FaultError('seconds: required for %s' % kind)
    legs = spec.get('legs')
    if legs is None:
        legs = DEFAULT_LEGS
    elif kind not in TIMED:
        raise FaultError('legs: only for %s' % ', '.join(sorted(TIMED)))
    elif not isinstance(legs, list) or not legs or not all(
            leg in LEGS for leg in legs):
        raise FaultError('legs: must be a non-empty list among %s'
                         % ', '.join(LEGS))
    return Fault(kind, operations, float(rate), count, float(seconds),
                 frozenset(legs))


class FaultInjector(object):
    """The active faults and the choice of which fire on a call.

    :param rng: a :class:`random.Random` (injectable for tests).
    """

    def __init__(self, rng=None):
        self._rng = rng or random.Random()
        self._faults = []
        self._lock = threading.Lock()
        self._cleared = threading.Event()

    def add(self, fault):
        with self._lock:
            self._faults.append(fault)

    def clear(self):
        """Remove every fault and end the stalls in progress."""
        with self._lock:
            self._faults = []
            self._cleared.set()
            self._cleared = threading.Event()

    def cleared_event(self):
        """An event set by the next :meth:`clear`."""
        with self._lock:
            return self._cleared

    def list(self):
        with self._lock:
            return [fault.to_dict() for fault in self._faults]

    def select(self, operation, leg='reply'):
        """Decide the faults of one reply and consume their counts.

        :param operation: canonical operation name.
        :param leg: which reply of the call, one of :data:`LEGS`.
        :returns: a :class:`Selection`.
        """
        if not self._faults:  # the common case: no lock taken
            return NO_FAULT
        delay, kind, seconds = 0.0, None, 0.0
        with self._lock:
            for fault in list(self._faults):
                if fault.operations and operation not in fault.operations:
                    continue
                if leg not in fault.legs:
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
                    kind, seconds = fault.kind, fault.seconds
        return Selection(delay, kind, seconds)


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
