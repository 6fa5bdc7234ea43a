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

"""One-line explanations of serial-console errors, without secrets.

Used by the console interface (in errors of ``console enable``) and by the
``msftocs-console`` bridge (on the user's terminal). Only the
chassis-manager library is imported: the bridge starts at every
connection.
"""

from msftocs_driver.ocs import constants
from msftocs_driver.ocs import exceptions as ocs_exc


def describe_error(exc, blade_id):
    """Explain a chassis-manager error in one line for the terminal user.

    :param exc: an :class:`~msftocs_driver.ocs.exceptions.OCSError`.
    :param blade_id: the blade the console is for.
    :returns: a single-line message without secrets.
    """
    if isinstance(exc, ocs_exc.DevicePoweredOffError):
        text = ('blade %d has no power (its power switch is off); power the '
                'node on first' % blade_id)
    elif isinstance(exc, ocs_exc.FirmwareDecompressingError):
        wait = exc.seconds_remaining
        text = ('blade %d is starting (BMC firmware decompressing%s); try '
                'again shortly' % (blade_id, ', about %d s left' % wait
                                   if wait is not None else ''))
    elif isinstance(exc, ocs_exc.SerialSessionActiveError):
        text = ('another client holds the serial session of blade %d; end '
                'that session first, or enable takeover '
                '([msftocs]console_force_takeover, --force-takeover)'
                % blade_id)
    elif isinstance(exc, ocs_exc.MaxSerialSessionReachedError):
        text = ('the chassis manager already has its maximum of %d serial '
                'sessions open; close one first'
                % constants.MAX_SERIAL_SESSIONS)
    elif isinstance(exc, ocs_exc.AuthenticationError):
        text = 'the chassis manager rejected the credentials'
    elif isinstance(exc, ocs_exc.ConnectionError):
        text = 'cannot reach the chassis manager: %s' % exc
    else:
        text = 'serial console of blade %d failed: %s' % (blade_id, exc)
    return ' '.join(text.split())
