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


"""Safe parsing of chassis-manager XML replies.

The chassis manager (a WCF service) writes every reply as a DataContract
document in the ``Microsoft.GFS.WCS.Contracts`` namespace whose root element
is the response class name, starting with ``completionCode``, ``apiVersion``
and ``statusDescription``. Documents are parsed with defusedxml (no DTDs, no
entities), so that a hostile or broken server cannot expand entities or
reach files. Anything unexpected becomes a
:class:`~msftocs_driver.ocs.exceptions.ResponseError`; unknown extra elements
are ignored, since newer chassis managers add members.
"""

import base64
import binascii
import xml.etree.ElementTree as ElementTree

import defusedxml
import defusedxml.ElementTree

from msftocs_driver.ocs import constants
from msftocs_driver.ocs import exceptions
from msftocs_driver.ocs import models

_NS = '{%s}' % constants.CONTRACTS_NS
_NIL = '{%s}nil' % constants.XSI_NS


class Reply:
    """One element of a reply, with the request it answers as context.

    :param element: the :class:`xml.etree.ElementTree.Element`.
    :param operation: the operation name, for errors.
    :param blade_id: the requested blade, for errors.
    """

    def __init__(self, element, operation, blade_id=None):
        self.element = element
        self.operation = operation
        self.blade_id = blade_id

    def error(self, detail):
        """Build a ResponseError for this reply."""
        return exceptions.ResponseError(detail, operation=self.operation,
                                        blade_id=self.blade_id)

    def _find(self, name, required):
        found = self.element.find(_NS + name)
        if found is None and required:
            raise self.error('element %s is missing' % name)
        return found

    def text(self, name, required=True):
        """Text of a child element: ``''`` if empty, ``None`` if ``i:nil``.

        :param name: the child element's local name.
        :param required: whether a missing element is an error (else
            ``None`` is returned).
        """
        found = self._find(name, required)
        if found is None or found.get(_NIL) == 'true':
            return None
        return (found.text or '').strip()

    def _convert(self, name, convert, what, required=True, secret=False):
        value = self.text(name, required)
        if value is None:
            if required:
                raise self.error('element %s is nil' % name)
            return None
        try:
            return convert(value)
        except (ValueError, KeyError):
            shown = '' if secret else ': %r' % value[:40]
            raise self.error('element %s is not %s%s'
                             % (name, what, shown)) from None

    def integer(self, name, required=True):
        """A child element as an int."""
        return self._convert(name, int, 'an integer', required)

    def number(self, name, required=True):
        """A child element as a float."""
        return self._convert(name, float, 'a number', required)

    def boolean(self, name, required=True):
        """A child element as a bool (``true``/``false``)."""
        return self._convert(name, _parse_bool, 'a boolean', required)

    def enum(self, name, enum_class, required=True):
        """A child element as a member of ``enum_class``, by member name."""
        return self._convert(name, lambda value: enum_class[value],
                             'a valid %s' % enum_class.__name__, required)

    def child(self, name):
        """A child element as a Reply, or ``None`` if missing or nil."""
        found = self._find(name, False)
        if found is None or found.get(_NIL) == 'true':
            return None
        return Reply(found, self.operation, self.blade_id)

    def items(self, name):
        """The elements of a serialised list, as Replies (empty if none)."""
        found = self.child(name)
        if found is None:
            return []
        return [Reply(item, self.operation, self.blade_id)
                for item in found.element]

    def completion(self):
        """The ``completionCode`` and ``statusDescription`` of this element.

        :returns: ``(CompletionCode, str)``.
        """
        code = self.enum('completionCode', constants.CompletionCode)
        return code, self.text('statusDescription', required=False) or ''

    def completion_error(self, blade_id=None):
        """The error for a non-Success completion code, else ``None``.

        :param blade_id: the blade to attribute the error to (default: the
            requested blade).
        """
        code, description = self.completion()
        if code is constants.CompletionCode.Success:
            return None
        blade_id = self.blade_id if blade_id is None else blade_id
        return exceptions.error_for_code(code)(
            code, description, operation=self.operation, blade_id=blade_id)

    def check_blade_number(self):
        """Check that ``bladeNumber`` is the requested blade."""
        number = self.integer('bladeNumber')
        if number != self.blade_id:
            raise self.error('reply is for blade %s' % number)

    def base64(self, name):
        """A child element as bytes decoded from base64 (``b''`` if empty)."""
        return self._convert(name, _parse_base64, 'base64', required=False,
                             secret=True) or b''


def _parse_bool(value):
    lowered = value.lower()
    if lowered not in ('true', 'false'):
        raise ValueError(value)
    return lowered == 'true'


def _parse_base64(value):
    try:
        return base64.b64decode(value, validate=True)
    except binascii.Error:
        raise ValueError('invalid base64') from None


def _fromstring(body):
    """Parse a document with no way to declare or expand an entity.

    Entities (and external references) can only be declared in a document
    type declaration, which starts with ``<!``; a chassis-manager reply has
    none (nor comments or CDATA). A body without ``<!`` therefore goes to
    the standard library's C parser, which knows only the predefined
    entities and refuses any other; anything else goes through defusedxml,
    which refuses a DTD. The C parser is twice as fast as defusedxml's
    pure-Python one, which matters on every power-state read.
    """
    if isinstance(body, bytes) and b'<!' not in body:
        return ElementTree.fromstring(body)
    return defusedxml.ElementTree.fromstring(
        body, forbid_dtd=True, forbid_entities=True, forbid_external=True)


def parse(body, root, operation, *, blade_id=None, check_blade=False,
          raise_for_code=True):
    """Parse a reply document and check its envelope.

    :param body: the reply body (bytes).
    :param root: the expected root element name, e.g.
        ``BladeStateResponse``.
    :param operation: the operation that was called.
    :param blade_id: the requested blade, if any.
    :param check_blade: whether the reply must carry ``bladeNumber`` equal
        to ``blade_id``.
    :param raise_for_code: whether to raise the completion-code error of a
        non-Success reply.
    :returns: a :class:`Reply` for the root element.
    :raises ResponseError: if the document is not a valid reply.
    :raises CompletionCodeError: for a non-Success completion code.
    """
    context = Reply(None, operation, blade_id)
    try:
        element = _fromstring(body)
    except defusedxml.DefusedXmlException as exc:
        raise context.error('refused unsafe XML (%s)'
                            % type(exc).__name__) from None
    except (ElementTree.ParseError, ValueError, TypeError):
        raise context.error('reply is not XML') from None
    if element.tag != _NS + root:
        raise context.error('unexpected reply element %s (expected %s in '
                            'namespace %s)' % (element.tag, root,
                                               constants.CONTRACTS_NS))
    reply = Reply(element, operation, blade_id)
    if check_blade:
        reply.check_blade_number()
    error = reply.completion_error()
    if error is not None and raise_for_code:
        raise error
    return reply


def outcomes(reply, collection, convert):
    """Per-blade results of a ``GetAll*`` reply.

    :param reply: the root :class:`Reply`.
    :param collection: the name of the element holding one reply per blade.
    :param convert: ``convert(item_reply, blade_id)`` building the value of
        a successful blade.
    :returns: a dict of blade id to
        :class:`~msftocs_driver.ocs.models.BladeOutcome`.
    """
    results = {}
    for item in reply.items(collection):
        blade_id = item.integer('bladeNumber')
        if blade_id in results:
            raise reply.error('blade %s is listed twice' % blade_id)
        error = item.completion_error(blade_id)
        value = None if error is not None else convert(item, blade_id)
        results[blade_id] = models.BladeOutcome(blade_id, value, error)
    if not results:
        # The CM answers Failure at the top level only when no blade
        # succeeded, but still lists every blade; without a list, the
        # top-level error is all there is.
        error = reply.completion_error()
        if error is not None:
            raise error
        raise reply.error('element %s lists no blade' % collection)
    return results
