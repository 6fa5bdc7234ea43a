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

"""HTTP authentication to a chassis manager: Basic, NTLM, or learned.

A stock chassis manager (WCF, ``HttpClientCredentialType.Windows``) offers
Windows authentication only, under the ``Negotiate`` scheme, which NTLM
answers. Some deployments front it with Basic. With ``auto`` the client
sends its first request without credentials and picks the scheme from the
chassis manager's challenge: Negotiate or NTLM offered, NTLM; Basic only,
Basic. The choice is remembered per endpoint (``scheme://host:port``), for
every later client of it. No password leaves the client before a challenge
has been seen.

Basic credentials are sent UTF-8 encoded (RFC 7617 ``charset="UTF-8"``),
which the chassis manager (and HTTP.sys) decodes, so any password works.
"""

import base64
import logging
import threading

import requests.auth
import requests_ntlm

from msftocs_driver.ocs import exceptions

LOG = logging.getLogger(__name__)

#: ``auto``: learn the scheme from the chassis manager's first challenge.
AUTH_TYPES = ('auto', 'basic', 'ntlm')

_lock = threading.Lock()
_learned = {}
_warned = set()


class Utf8BasicAuth(requests.auth.AuthBase):
    """HTTP Basic with UTF-8 encoded credentials (RFC 7617).

    requests' own ``HTTPBasicAuth`` encodes text as Latin-1 and fails (with
    the password in the error) on anything else.
    """

    def __init__(self, username, password):
        token = base64.b64encode(
            ('%s:%s' % (username, password)).encode('utf-8'))
        self._header = 'Basic ' + token.decode('ascii')

    def __repr__(self):
        return '<Utf8BasicAuth>'

    def __call__(self, request):
        request.headers['Authorization'] = self._header
        return request


def schemes(challenge):
    """The scheme names of a ``WWW-Authenticate`` header, lower case.

    :param challenge: the header's value (several challenges may be joined
        by commas; their parameters are ignored).
    :returns: a set such as ``{'negotiate', 'ntlm'}``.
    """
    names = set()
    for part in (challenge or '').split(','):
        token = part.strip().split(' ')[0]
        if token and '=' not in token:
            names.add(token.lower())
    return names


def scheme_for(challenge):
    """The scheme to answer a challenge with: ``ntlm``, ``basic`` or None.

    Windows authentication is preferred when offered: it never sends the
    password itself.
    """
    offered = schemes(challenge)
    if offered & {'negotiate', 'ntlm'}:
        return 'ntlm'
    if 'basic' in offered:
        return 'basic'
    return None


def hint(auth, challenge):
    """What to tell a user whose explicit scheme the CM does not offer.

    :param auth: the configured auth type.
    :param challenge: the ``WWW-Authenticate`` header of the 401 reply.
    :returns: text to append to the error, or ``''``.
    """
    wanted = scheme_for(challenge)
    if auth == 'auto' or wanted in (None, auth) or auth in schemes(challenge):
        return ''
    if wanted == 'ntlm':
        # A stock chassis manager only offers Windows authentication.
        return ('; it asks for Negotiate/NTLM: use the ntlm (or auto) auth '
                'type')
    return '; it asks for Basic: use the basic (or auto) auth type'


def refusal(configured, scheme, challenge, endpoint, context):
    """The error of an HTTP 401 reply.

    :param configured: the configured auth type.
    :param scheme: the scheme the request was sent with, or ``None`` when
        ``auto`` found none it supports in the challenge.
    :param challenge: the reply's ``WWW-Authenticate`` header.
    :param endpoint: the chassis manager's base URL.
    :param context: ``operation`` and ``blade_id`` for the error.
    :returns: an :class:`~msftocs_driver.ocs.exceptions.AuthenticationError`.
    """
    if scheme is None:
        return exceptions.AuthenticationError(
            'the chassis manager offers no authentication scheme this '
            'client supports (HTTP 401, offered: %s)'
            % (', '.join(sorted(schemes(challenge))) or 'none'), **context)
    if configured == 'auto' and scheme_for(challenge) not in (None, scheme):
        # The chassis manager changed its mind: learn again next time.
        remember(endpoint, None)
    return exceptions.AuthenticationError(
        'the chassis manager rejected the credentials (HTTP 401)%s'
        % hint(configured, challenge), **context)


def make(scheme, username, password):
    """Build the requests auth object of a scheme (``basic`` or ``ntlm``)."""
    if scheme == 'ntlm':
        return requests_ntlm.HttpNtlmAuth(username, password)
    return Utf8BasicAuth(username, password)


def learned(endpoint):
    """The scheme learned for an endpoint, or None."""
    return _learned.get(endpoint)


def remember(endpoint, scheme):
    """Remember (or with ``None`` forget) the scheme of an endpoint."""
    with _lock:
        if scheme is None:
            _learned.pop(endpoint, None)
        elif _learned.get(endpoint) != scheme:
            _learned[endpoint] = scheme
            LOG.info('Chassis manager %(cm)s asks for %(scheme)s '
                     'authentication; using it from now on',
                     {'cm': endpoint, 'scheme': scheme})


def warn_if_plaintext(base_url, endpoint):
    """Warn once per endpoint that plain http carries everything in clear.

    :param base_url: the chassis manager's base URL.
    :param endpoint: ``host:port``, what the warning names.
    """
    if not base_url.startswith('http://'):
        return
    with _lock:
        if endpoint in _warned:
            return
        _warned.add(endpoint)
    LOG.warning('Chassis manager %s is reached over plain http: the '
                'credentials and the serial console data cross the network '
                'unencrypted; use https', endpoint)
