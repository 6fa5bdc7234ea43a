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

"""The ``driver_info`` of an msftocs node: descriptions and parsing.

Parsing is pure: it never talks to the chassis manager, so that
``validate()`` stays cheap (ironic calls it inside API requests).
"""

import functools

from ironic.common import exception
from ironic.common import utils as ironic_utils
from ironic.drivers import utils as driver_utils
from oslo_log import log
from oslo_utils import netutils
import rfc3986

from msftocs_driver.conf import CONF
from msftocs_driver.i18n import _
from msftocs_driver.ocs import auth as ocs_auth
from msftocs_driver.ocs import constants
from msftocs_driver.ocs import encoding

LOG = log.getLogger(__name__)

AUTH_TYPES = ocs_auth.AUTH_TYPES

REQUIRED_PROPERTIES = {
    'msftocs_base_url': _('Base URL of the chassis manager REST service, '
                          'e.g. "https://cm01:8000". Only the scheme '
                          '(http or https; https when omitted), host and '
                          'port are allowed. Required.'),
    'msftocs_blade_id': _('Slot of the blade in its chassis, 1 to 48. '
                          'Required.'),
    'msftocs_username': _('User name for the chassis manager. Required.'),
    'msftocs_password': _('Password for the chassis manager. Required.'),
}

OPTIONAL_PROPERTIES = {
    'msftocs_verify_ca': _('TLS verification of an https chassis manager: '
                           'a boolean, or the path of a CA bundle file or '
                           'directory. Defaults to [msftocs]verify_ca, '
                           'else True. Optional.'),
    'msftocs_auth_type': _('Authentication scheme: "auto" (learn it from '
                           'the chassis manager\'s first challenge), '
                           '"basic" or "ntlm" (a stock chassis manager only '
                           'accepts Windows authentication). Defaults to '
                           '[msftocs]auth_type, "auto". Optional.'),
}

CONSOLE_PROPERTIES = {
    'msftocs_terminal_port': _('TCP port on the conductor for the blade\'s '
                               'serial console. Optional; when unset a '
                               'port is taken from [console]port_range.'),
}

COMMON_PROPERTIES = REQUIRED_PROPERTIES.copy()
COMMON_PROPERTIES.update(OPTIONAL_PROPERTIES)


def _invalid(node, field, value, why):
    return exception.InvalidParameterValue(
        _('Invalid value %(value)r of driver_info/%(field)s on node '
          '%(node)s: %(why)s') %
        {'value': value, 'field': field, 'node': node.uuid, 'why': why})


class _InvalidURL(ValueError):
    """Why a chassis-manager URL was rejected (no node context yet)."""

    def __init__(self, why, redact=False):
        super().__init__(why)
        self.why = why
        self.redact = redact


@functools.lru_cache(maxsize=1024)
def _normalise_base_url(value):
    """Validate a chassis-manager URL and normalise it to scheme://host:port.

    Memoised on the raw string: ironic parses driver_info on every call,
    and the RFC 3986 validation is most of the cost of a parse. Only
    accepted URLs are cached (``lru_cache`` does not keep exceptions), so a
    URL carrying credentials never stays in the cache. The rule is the
    client library's (:func:`~msftocs_driver.ocs.encoding.validate_base_url`);
    here an address without a scheme means https, like redfish_address.

    :param value: the raw ``msftocs_base_url`` string.
    :returns: the normalised URL.
    :raises: _InvalidURL saying why the URL is rejected.
    """
    address = netutils.escape_ipv6(value.strip())
    parsed = rfc3986.uri_reference(address)
    if not parsed.scheme or not parsed.authority:
        # "cm01:8000" parses as scheme "cm01".
        address = 'https://%s' % address
    try:
        return encoding.validate_base_url(address)
    except ValueError as exc:
        # Credentials belong in msftocs_username/msftocs_password, which the
        # API masks; a URL is shown and logged as is.
        raise _InvalidURL(str(exc), redact='@' in value)


def _parse_base_url(node, value):
    """Validate the chassis-manager URL and normalise it to scheme://host:port.

    :raises: InvalidParameterValue naming the field and the node.
    """
    field = 'msftocs_base_url'
    if not isinstance(value, str):
        raise _invalid(node, field, value, _('a URL string is expected'))
    try:
        return _normalise_base_url(value)
    except _InvalidURL as exc:
        raise _invalid(node, field, '<redacted>' if exc.redact else value,
                       exc.why)


def _parse_blade_id(node, value):
    field = 'msftocs_blade_id'
    # The baremetal CLI sends "--driver-info msftocs_blade_id=3" as an int;
    # the API and other clients may send a string.
    if isinstance(value, bool):
        raise _invalid(node, field, value, _('an integer is expected'))
    try:
        blade_id = int(str(value).strip(), 10)
    except ValueError:
        raise _invalid(node, field, value, _('an integer is expected'))
    if not constants.MIN_BLADE_ID <= blade_id <= constants.MAX_BLADE_ID:
        raise _invalid(node, field, value,
                       _('the blade id must be between %(min)d and %(max)d')
                       % {'min': constants.MIN_BLADE_ID,
                          'max': constants.MAX_BLADE_ID})
    return blade_id


def _verify_ca_value(value):
    """A ``verify_ca`` value as requests takes it.

    The rule is the client library's
    (:func:`~msftocs_driver.ocs.encoding.parse_verify`), shared with the
    console bridge's ``--verify-ca``.

    :param value: a boolean, a boolean string or the path of a CA bundle.
    :returns: a boolean or the path.
    :raises ValueError: if it is none of these or the path does not exist.
    """
    return encoding.parse_verify(value)


def _parse_verify_ca(node, driver_info, base_url):
    field = 'msftocs_verify_ca'
    own = driver_info.get(field)
    if own is None:
        own = True
    # get_verify_ca() falls back to [msftocs]verify_ca (the config group is
    # named after the hardware type) when the node says nothing or True.
    verify_ca = driver_utils.get_verify_ca(node, own)
    if own is True and verify_ca is not True:
        if base_url.startswith('http://'):
            # No TLS to verify: the default cannot fail a plain-http node.
            return True
        try:
            return _verify_ca_value(verify_ca)
        except ValueError as exc:
            raise exception.InvalidParameterValue(
                _('Invalid value %(value)r of [msftocs]verify_ca, the '
                  'default of driver_info/%(field)s, for node %(node)s: '
                  '%(why)s') % {'value': verify_ca, 'field': field,
                                'node': node.uuid, 'why': exc})
    try:
        return _verify_ca_value(verify_ca)
    except ValueError as exc:
        raise _invalid(node, field, verify_ca, str(exc))


def check_config():
    """Check the ``[msftocs]`` defaults once, when the conductor loads us.

    A ``[msftocs]verify_ca`` that names no CA bundle is logged as an error
    naming the option; it fails only the https nodes that rely on it (see
    :func:`parse_driver_info`), never the conductor or http nodes.
    """
    value = CONF.msftocs.verify_ca
    if not value:
        return
    try:
        _verify_ca_value(value)
    except ValueError as exc:
        LOG.error('Invalid value %(value)r of [msftocs]verify_ca: %(why)s. '
                  'Nodes with an https msftocs_base_url and no '
                  'msftocs_verify_ca of their own fail validation until it '
                  'is fixed; http nodes are not affected.',
                  {'value': value, 'why': exc})


def _parse_auth_type(node, driver_info):
    field = 'msftocs_auth_type'
    auth_type = driver_info.get(field) or CONF.msftocs.auth_type
    if not isinstance(auth_type, str) or auth_type.lower() not in AUTH_TYPES:
        raise _invalid(node, field, auth_type,
                       _('expected one of %s') % ', '.join(AUTH_TYPES))
    return auth_type.lower()


def _parse_terminal_port(node, driver_info):
    value = driver_info.get('msftocs_terminal_port')
    if value is None or value == '':
        return None
    try:
        port = ironic_utils.validate_network_port(
            value, 'msftocs_terminal_port')
    except exception.InvalidParameterValue:
        port = 0
    if not port:
        raise _invalid(node, 'msftocs_terminal_port', value,
                       _('expected a TCP port number between 1 and 65535'))
    return port


def parse_driver_info(node):
    """Parse and validate the msftocs ``driver_info`` of a node.

    :param node: an ironic node object.
    :returns: a dict with ``base_url`` (``scheme://host[:port]``),
        ``blade_id`` (int), ``username``, ``password``, ``verify_ca`` (bool
        or path), ``auth_type`` (``auto``, ``basic`` or ``ntlm``),
        ``terminal_port`` (int or None) and ``node_uuid``.
    :raises: MissingParameterValue listing every missing required key.
    :raises: InvalidParameterValue naming the malformed field and the node.
    """
    info = node.driver_info or {}
    missing = sorted(key for key in REQUIRED_PROPERTIES
                     if info.get(key) is None or info.get(key) == '')
    if missing:
        raise exception.MissingParameterValue(
            _('Missing the following msftocs properties in node %(node)s '
              'driver_info: %(keys)s') %
            {'node': node.uuid, 'keys': ', '.join(missing)})

    for field in ('msftocs_username', 'msftocs_password'):
        if not isinstance(info[field], str):
            raise _invalid(node, field,
                           '<redacted>' if 'password' in field
                           else info[field],
                           _('a string is expected'))

    base_url = _parse_base_url(node, info['msftocs_base_url'])
    return {
        'base_url': base_url,
        'blade_id': _parse_blade_id(node, info['msftocs_blade_id']),
        'username': info['msftocs_username'],
        'password': info['msftocs_password'],
        'verify_ca': _parse_verify_ca(node, info, base_url),
        'auth_type': _parse_auth_type(node, info),
        'terminal_port': _parse_terminal_port(node, info),
        'node_uuid': node.uuid,
    }


class ValidateDriverInfoMixin(object):
    """``get_properties`` and ``validate`` of the msftocs interfaces.

    Validation only parses driver_info: ironic runs it inside API requests
    and before every power change, so it never contacts the chassis manager.
    """

    def get_properties(self):
        """Return the driver_info properties of the interface.

        :returns: dictionary of <property name>:<description> entries.
        """
        return COMMON_PROPERTIES.copy()

    def validate(self, task):
        """Validate the node's driver_info without contacting the CM.

        :param task: a TaskManager instance.
        :raises: InvalidParameterValue, MissingParameterValue naming the
            field and the node.
        """
        parse_driver_info(task.node)
