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


"""How the client writes requests and quotes replies for the chassis manager.

The chassis manager is a WCF service: query values are parsed by WCF's
``QueryStringConverter`` (booleans ``true``/``false``, enumerations by member
name, ``byte[]`` as base64 with the query form-decoded, so ``+`` must be
percent-encoded).
"""

import base64
import enum
import os
import re
import urllib.parse

import rfc3986
import rfc3986.exceptions
import rfc3986.validators

from msftocs_driver.ocs import constants

#: Query parameters whose values are secret.
SECRET_PARAMS = frozenset(['sessiontoken', 'data', 'passwordstring',
                           'newpassword'])
#: Length of the body excerpt kept in an HTTPError.
BODY_EXCERPT = 200
_TAG_RE = re.compile(r'<[^>]*>')
_SPACE_RE = re.compile(r'\s+')


def encode_value(value):
    """Format a query value the way the chassis manager (WCF) parses it.

    :param value: a bool, an enum member, bytes, an int or a float.
    :returns: the string to put in the query (before percent-encoding).
    """
    if isinstance(value, bool):
        return 'true' if value else 'false'
    if isinstance(value, enum.Enum):
        return value.name
    if isinstance(value, bytes):
        return base64.b64encode(value).decode('ascii')
    if isinstance(value, float):
        return ('%.3f' % value).rstrip('0').rstrip('.')
    return str(value)


def validate_base_url(base_url):
    """Check and normalise a chassis-manager base URL.

    The one rule for base URLs (the driver's ``msftocs_base_url`` included):
    an RFC 3986 ``http`` or ``https`` URL with a valid host and port (1 to
    65535), no credentials, and no path, query or fragment, since the
    chassis manager dispatches on the first path segment. Messages never
    repeat the URL (it could carry credentials).

    :param base_url: the URL to check.
    :returns: ``scheme://host[:port]``, scheme and host in lower case.
    :raises ValueError: saying why the URL is not acceptable.
    """
    shape = 'it must be http(s)://host[:port]'
    if not isinstance(base_url, str):
        raise ValueError('base_url is not a valid URL: %s' % shape)
    parsed = rfc3986.uri_reference(base_url.strip()).normalize()
    if parsed.scheme not in ('http', 'https') or not parsed.authority:
        raise ValueError('base_url: %s' % shape)
    if parsed.userinfo:
        raise ValueError('base_url must not contain credentials')
    validator = rfc3986.validators.Validator().require_presence_of(
        'scheme', 'host').check_validity_of('scheme', 'host', 'port')
    try:
        validator.validate(parsed)
    except rfc3986.exceptions.RFC3986Exception:
        raise ValueError('base_url is not a valid URL: %s' % shape)
    if parsed.port is not None and not (
            parsed.port.isdigit() and 0 < int(parsed.port) < 65536):
        raise ValueError('base_url is not a valid URL: invalid port')
    if parsed.path not in (None, '', '/') or parsed.query or parsed.fragment:
        raise ValueError(
            'base_url must not have a path, query or fragment: the chassis '
            'manager takes the operation name from the first path segment')
    return '%s://%s' % (parsed.scheme, parsed.authority)


_TRUE = frozenset(('true', 'yes', 'on', '1', 't', 'y'))
_FALSE = frozenset(('false', 'no', 'off', '0', 'f', 'n'))


def parse_verify(value):
    """Read a TLS verification setting: a boolean, or a CA bundle path.

    The one rule for ``msftocs_verify_ca``, ``[msftocs]verify_ca`` and the
    console bridge's ``--verify-ca``.

    :param value: a bool, a boolean word (``true``/``false``, ``yes``/
        ``no``, ``on``/``off``, ``1``/``0``, any case), or the path of an
        existing CA bundle file or directory.
    :returns: True, False or the path.
    :raises ValueError: for anything else (the message does not repeat the
        value).
    """
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        if os.path.isdir(value) or os.path.isfile(value):
            return value
        lowered = value.strip().lower()
        if lowered in _TRUE:
            return True
        if lowered in _FALSE:
            return False
    raise ValueError('expected a boolean or the path of an existing CA '
                     'bundle file or directory')


def build_query(params):
    """Percent-encode ``(name, value)`` pairs into a query string.

    Every character but the unreserved ones is encoded, so base64's ``+``,
    ``/`` and ``=`` reach the chassis manager intact.

    :param params: ``(name, value)`` pairs, values as for
        :func:`encode_value`.
    :returns: the query string, without the leading ``?``.
    """
    return '&'.join(
        '%s=%s' % (name, urllib.parse.quote(encode_value(value), safe=''))
        for name, value in params)


def secret_values(params):
    """The encoded values of the secret parameters among ``params``."""
    return [encode_value(value) for name, value in params
            if name.lower() in SECRET_PARAMS]


def redacted_excerpt(body, secrets):
    """Return the start of an error body as one line of text.

    :param body: the reply body (bytes).
    :param secrets: strings to mask wherever they appear.
    :returns: at most :data:`BODY_EXCERPT` characters, markup removed.
    """
    text = body.decode('utf-8', 'replace')
    for secret in secrets:
        if secret:
            text = text.replace(secret, '***')
    text = _SPACE_RE.sub(' ', _TAG_RE.sub(' ', text)).strip()
    if len(text) > BODY_EXCERPT:
        text = text[:BODY_EXCERPT] + '...'
    return text


def check_blade_id(blade_id):
    """Check a blade id argument (an int from 1 to 48) and return it."""
    if (isinstance(blade_id, bool) or not isinstance(blade_id, int)
            or not constants.MIN_BLADE_ID <= blade_id
            <= constants.MAX_BLADE_ID):
        raise ValueError('blade_id must be an integer from %d to %d, not %r'
                         % (constants.MIN_BLADE_ID, constants.MAX_BLADE_ID,
                            blade_id))
    return blade_id


def check_non_negative_int(name, value):
    """Check an int argument that must not be negative and return it."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError('%s must be a non-negative integer, not %r'
                         % (name, value))
    return value


def check_token(token):
    """Check a serial session token argument and return it."""
    if not isinstance(token, str) or not token:
        raise ValueError('a serial session token is required')
    return token
