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

"""The msftocs interfaces over real TLS with a real NTLM handshake."""

from ironic.common import boot_devices
from ironic.common import states

from msftocs_driver.common import client_cache
from msftocs_driver import exception as msftocs_exc
from tests.functional.driver import emulated

PASSWORD = 'Tls-ntlm pa55'


class TlsNtlmTestCase(emulated.EmulatorTestCase):

    password = PASSWORD
    emulator_options = {'blades': 24, 'auth': 'ntlm',
                        'decompression_seconds': 1}
    use_tls = True

    def _node(self, **changes):
        return self.create_emulated_node('7', **changes)

    def test_power_and_boot_device(self):
        self.assertTrue(self.emulator.url.startswith('https://127.0.0.1:'))
        node = self._node()
        with self.acquire(node) as task:
            task.driver.power.set_power_state(task, states.POWER_ON)
            self.assertEqual(states.POWER_ON,
                             task.driver.power.get_power_state(task))
            task.driver.management.set_boot_device(task, boot_devices.PXE)
            self.assertEqual(boot_devices.PXE,
                             task.driver.management.get_boot_device(
                                 task)['boot_device'])
            task.driver.power.set_power_state(task, states.POWER_OFF)
        blade = self.emulator.state()['blades']['7']
        self.assertFalse(blade['host_on'])
        self.assertEqual('ForcePxe', blade['next_boot'])
        # Every call of the node went through one cached client.
        self.assertEqual(1, len(client_cache._entries))

    def test_untrusted_certificate(self):
        node = self._node(msftocs_verify_ca=True)
        with self.acquire(node, shared=True) as task:
            exc = self.assertRaises(msftocs_exc.MsftOcsConnectionError,
                                    task.driver.power.get_power_state, task)
        self.assertIn(node.uuid, str(exc))

    def test_wrong_password(self):
        node = self._node(msftocs_password='Not-the-password')
        with self.acquire(node, shared=True) as task:
            exc = self.assertRaises(msftocs_exc.MsftOcsAuthenticationError,
                                    task.driver.power.get_power_state, task)
        self.assertNotIn('Not-the-password', str(exc))

    def test_basic_refused_by_ntlm_endpoint(self):
        node = self._node(msftocs_auth_type='basic')
        with self.acquire(node, shared=True) as task:
            self.assertRaises(msftocs_exc.MsftOcsAuthenticationError,
                              task.driver.power.get_power_state, task)
