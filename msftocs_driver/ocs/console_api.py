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

"""Blade serial-console operations of the chassis-manager client.

Every call counts as state-changing for retries: Start, Send and Stop change
the session, and Receive consumes console output that a repeated request
would lose. The serial replies carry no ``bladeNumber``.
"""

from msftocs_driver.ocs import constants
from msftocs_driver.ocs import encoding


class ConsoleOperations:
    """Serial-console methods of the chassis-manager client.

    Mixed into :class:`~msftocs_driver.ocs.client.ChassisManagerClient`,
    which provides ``_blade_call``.
    """

    def start_blade_serial_session(self, blade_id, timeout=0,
                                   power_on_wait=False):
        """Open a blade's serial console session.

        :param timeout: inactivity timeout in seconds (0: the CM default,
            300 s; at most 3600 on CM v2.5).
        :param power_on_wait: let the CM power the blade on and wait for
            it (the call may then take minutes).
        :returns: the session token (a secret).
        :raises SerialSessionActiveError: if a session is already open.
        """
        reply = self._blade_call(
            'StartBladeSerialSession', 'StartSerialResponse', blade_id,
            (('sessionTimeoutInSecs',
              encoding.check_non_negative_int('timeout', timeout)),
             ('powerOnWait', bool(power_on_wait))),
            mutating=True, check_blade=False)
        token = reply.text('serialSessionToken', required=False)
        if not token:
            raise reply.error('no session token in the reply')
        return token

    def send_blade_serial_data(self, blade_id, token, data):
        """Send raw bytes to a blade's serial console.

        An empty ``data`` sends nothing but refreshes the session's
        inactivity timer.
        """
        if not isinstance(data, bytes):
            raise TypeError('data must be bytes')
        self._blade_call('SendBladeSerialData', 'ChassisResponse', blade_id,
                         (('sessionToken', encoding.check_token(token)),
                          ('data', data)),
                         mutating=True, check_blade=False)

    def receive_blade_serial_data(self, blade_id, token):
        """Return what the blade's BMC buffered (up to 1024 bytes).

        :returns: bytes; ``b''`` when nothing was buffered (Success with
            empty data, or Timeout, which CM v2.0 answers when idle).
        """
        reply = self._blade_call('ReceiveBladeSerialData',
                                 'SerialDataResponse', blade_id,
                                 (('sessionToken',
                                   encoding.check_token(token)),),
                                 mutating=True, check_blade=False,
                                 raise_for_code=False)
        code, _description = reply.completion()
        if code is constants.CompletionCode.Timeout:
            return b''
        error = reply.completion_error()
        if error is not None:
            raise error
        return reply.base64('data')

    def stop_blade_serial_session(self, blade_id, token=None, force=False):
        """Close a blade's serial console session.

        :param token: the session token; may be ``None`` with ``force``.
        :param force: stop whatever session the blade has (``forceKill``).
        """
        params = [('forceKill', bool(force))]
        if token is not None or not force:
            params.insert(0, ('sessionToken', encoding.check_token(token)))
        self._blade_call('StopBladeSerialSession', 'ChassisResponse',
                         blade_id, params, mutating=True, check_blade=False)
