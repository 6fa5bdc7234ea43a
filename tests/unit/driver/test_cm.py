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

"""Tests of the translation of client errors into ironic exceptions."""

from unittest import mock

from ironic.common import exception
from ironic.common import states

from msftocs_driver.common import client_cache
from msftocs_driver.common import cm
from msftocs_driver import exception as msftocs_exc
from msftocs_driver.ocs import client as ocs_client
from msftocs_driver.ocs import constants
from msftocs_driver.ocs import exceptions as ocs_exc
from tests import base

CODE = constants.CompletionCode


def _code_error(cls, code, status=''):
    return cls(code, status, operation='SetBladeOn', blade_id=3)


class TranslateTestCase(base.MsftOcsTestCase):

    uuid = '1be26c0b-03f2-4d2e-ae87-c02d7f33c123'

    def _translate(self, exc, **kwargs):
        with mock.patch.object(cm, 'LOG', autospec=True) as log:
            result = cm.translate(self.uuid, 'power on', exc, **kwargs)
        log.error.assert_called_once()
        self.assertIn(self.uuid, str(result))
        return result

    def test_connection_error(self):
        result = self._translate(ocs_exc.ConnectionError(
            'connection refused', operation='GetBladeState', blade_id=3))
        self.assertIsInstance(result, msftocs_exc.MsftOcsConnectionError)
        self.assertIn('connection refused', str(result))

    def test_read_timeout_names_the_option(self):
        self.config(read_timeout=42, group='msftocs')
        result = self._translate(ocs_exc.ReadTimeoutError(
            'read timed out', operation='GetBladeState', blade_id=3))
        self.assertIsInstance(result, msftocs_exc.MsftOcsConnectionError)
        self.assertIn('read_timeout = 42', str(result))

    def test_untrusted_certificate_names_the_settings(self):
        result = self._translate(ocs_exc.TLSError(
            'TLS error: certificate verify failed', verification_failed=True,
            operation='GetBladeState', blade_id=3))
        self.assertIsInstance(result, msftocs_exc.MsftOcsConnectionError)
        self.assertIn('driver_info/msftocs_verify_ca', str(result))
        self.assertIn('[msftocs]verify_ca', str(result))
        other = self._translate(ocs_exc.TLSError(
            'TLS error: handshake failure', operation='GetBladeState'))
        self.assertNotIn('verify_ca', str(other))

    def test_time_limit(self):
        result = self._translate(ocs_exc.TimeLimitError(
            'the time limit ran out', operation='SetBladeOn', blade_id=3),
            power_state='power on')
        self.assertIsInstance(result, exception.PowerStateFailure)
        self.assertIn('no reply to SetBladeOn', str(result))
        self.assertIn('time limit', str(result))
        self.assertNotIn('read_timeout', str(result))

    def test_authentication_error(self):
        result = self._translate(ocs_exc.AuthenticationError(
            'HTTP 401', operation='GetBladeState'))
        self.assertIsInstance(result,
                              msftocs_exc.MsftOcsAuthenticationError)

    def test_bad_blade_id(self):
        result = self._translate(_code_error(
            ocs_exc.ParameterOutOfRangeError, CODE.ParameterOutOfRange,
            'ParameterOutOfRange'), power_state=states.POWER_ON)
        self.assertIsInstance(result, exception.InvalidParameterValue)
        self.assertIn('msftocs_blade_id', str(result))
        self.assertIn('ParameterOutOfRange', str(result))

    def test_power_change_failure(self):
        result = self._translate(
            _code_error(ocs_exc.CompletionCodeError, CODE.Failure,
                        'IPMI failure'), power_state=states.POWER_ON)
        self.assertIsInstance(result, exception.PowerStateFailure)
        self.assertIn('Failure', str(result))
        self.assertIn('IPMI failure', str(result))
        self.assertIn(states.POWER_ON, str(result))

    def test_other_completion_codes(self):
        for cls, code, hint in (
                (ocs_exc.DevicePoweredOffError, CODE.DevicePoweredOff,
                 'hard powered off'),
                (ocs_exc.FirmwareDecompressingError,
                 CODE.FirmwareDecompressing, 'decompressing'),
                (ocs_exc.CommandNotValidForBladeError,
                 CODE.CommandNotValidForBlade, 'not a server'),
                (ocs_exc.BladeTimeoutError, CODE.Timeout, 'slot is empty'),
                (ocs_exc.CompletionCodeError, CODE.Unknown, 'Unknown')):
            result = self._translate(_code_error(cls, code))
            self.assertIs(msftocs_exc.MsftOcsError, type(result))
            self.assertIn(code.name, str(result))
            self.assertIn(hint, str(result))

    def test_http_and_response_errors(self):
        for exc in (ocs_exc.HTTPError(500, 'Internal error',
                                      operation='GetNextBoot'),
                    ocs_exc.ResponseError('not XML',
                                          operation='GetNextBoot')):
            result = self._translate(exc)
            self.assertIs(msftocs_exc.MsftOcsError, type(result))
            self.assertIn(exc.detail, str(result))

    def test_garbled_reply_to_a_write_may_have_been_applied(self):
        result = self._translate(ocs_exc.ResponseError(
            'reply is not XML', operation='SetNextBoot', blade_id=3))
        self.assertIs(msftocs_exc.MsftOcsError, type(result))
        self.assertIn('no valid reply to SetNextBoot, which may have been '
                      'applied', str(result))

    def test_lost_reply_to_a_write_may_have_been_applied(self):
        result = self._translate(ocs_exc.ReadTimeoutError(
            'read timed out', operation='SetNextBoot', blade_id=3))
        self.assertIsInstance(result, msftocs_exc.MsftOcsNoReplyError)
        self.assertIn('no reply to SetNextBoot, which may have been '
                      'applied', str(result))

    def test_refused_write_is_not_said_to_have_run(self):
        result = self._translate(_code_error(
            ocs_exc.CompletionCodeError, CODE.Failure, 'Failure'))
        self.assertNotIn('may have been applied', str(result))


@mock.patch.object(ocs_client, 'ChassisManagerClient', autospec=True)
class ClientForTestCase(base.MsftOcsTestCase):

    def test_yields_client_and_info(self, client_cls):
        node = self.create_node()
        with cm.client_for(node, 'read') as (client, info):
            self.assertIs(client_cls.return_value, client)
            self.assertEqual(3, info['blade_id'])

    def test_bad_driver_info(self, client_cls):
        node = self.create_node(msftocs_blade_id=0)
        self.assertRaises(exception.InvalidParameterValue,
                          cm.client_for(node, 'read').__enter__)
        client_cls.assert_not_called()

    def _fail_with(self, exc):
        node = self.create_node()
        with self.assertRaises(exception.IronicException) as ctx:
            with cm.client_for(node, 'read') as (client, info):
                raise exc
        self.assertIs(exc, ctx.exception.__cause__)
        return node, ctx.exception

    def test_connection_error_evicts(self, client_cls):
        client_cls.side_effect = lambda *a, **kw: mock.Mock()
        node, exc = self._fail_with(ocs_exc.ConnectionError('refused'))
        self.assertIsInstance(exc, msftocs_exc.MsftOcsConnectionError)
        with cm.client_for(node, 'read'):
            pass
        self.assertEqual(2, client_cls.call_count)

    def test_authentication_error_evicts(self, client_cls):
        client_cls.side_effect = lambda *a, **kw: mock.Mock()
        node, exc = self._fail_with(ocs_exc.AuthenticationError('HTTP 401'))
        self.assertIsInstance(exc, msftocs_exc.MsftOcsAuthenticationError)
        with cm.client_for(node, 'read'):
            pass
        self.assertEqual(2, client_cls.call_count)

    def test_completion_code_error_keeps_client(self, client_cls):
        node, exc = self._fail_with(ocs_exc.BladeTimeoutError(CODE.Timeout))
        self.assertIsInstance(exc, msftocs_exc.MsftOcsError)
        with cm.client_for(node, 'read'):
            pass
        self.assertEqual(1, client_cls.call_count)
        self.assertEqual(1, len(client_cache._entries))

    def test_time_limit_keeps_client(self, client_cls):
        # The caller's time limit says nothing about the client.
        node, exc = self._fail_with(ocs_exc.TimeLimitError('time is up'))
        self.assertIsInstance(exc, msftocs_exc.MsftOcsConnectionError)
        with cm.client_for(node, 'read'):
            pass
        self.assertEqual(1, client_cls.call_count)

    def test_ironic_errors_pass_through(self, client_cls):
        node = self.create_node()
        with self.assertRaises(exception.PowerStateFailure):
            with cm.client_for(node, 'read'):
                raise exception.PowerStateFailure(pstate=states.POWER_ON)
