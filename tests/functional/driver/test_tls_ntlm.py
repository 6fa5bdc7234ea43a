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

import shutil
import tempfile

from ironic.common import boot_devices
from ironic.common import states
from ironic.conductor import task_manager

from msftocs_driver.common import client_cache
from msftocs_driver.emulator import runner
from msftocs_driver import exception as msftocs_exc
from tests import base
from tests.functional.ocs import helpers

PASSWORD = 'Tls-ntlm pa55'


class TlsNtlmTestCase(base.MsftOcsTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.tls_dir = tempfile.mkdtemp(prefix='msftocs-driver-tls-')
        cls.tls = helpers.make_tls_files(cls.tls_dir)
        cls.emulator = runner.EmulatorProcess(
            blades=24, auth='ntlm', password=PASSWORD,
            tls_cert=cls.tls['cert'], tls_key=cls.tls['key'],
            decompression_seconds=1)
        cls.emulator.start()

    @classmethod
    def tearDownClass(cls):
        cls.emulator.stop()
        shutil.rmtree(cls.tls_dir, ignore_errors=True)
        super().tearDownClass()

    def setUp(self):
        super().setUp()
        self.emulator.reset()
        self.config(retries=0, power_poll_interval=0.2, group='msftocs')

    def _node(self, **changes):
        info = {'msftocs_base_url': self.emulator.url,
                'msftocs_blade_id': '7',
                'msftocs_username': 'admin',
                'msftocs_password': PASSWORD,
                'msftocs_auth_type': 'ntlm',
                'msftocs_verify_ca': self.tls['ca']}
        info.update(changes)
        return self.create_node(**info)

    def test_power_and_boot_device(self):
        self.assertTrue(self.emulator.url.startswith('https://127.0.0.1:'))
        node = self._node()
        with task_manager.acquire(self.context, node.uuid) as task:
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
        with task_manager.acquire(self.context, node.uuid,
                                  shared=True) as task:
            exc = self.assertRaises(msftocs_exc.MsftOcsConnectionError,
                                    task.driver.power.get_power_state, task)
        self.assertIn(node.uuid, str(exc))

    def test_wrong_password(self):
        node = self._node(msftocs_password='Not-the-password')
        with task_manager.acquire(self.context, node.uuid,
                                  shared=True) as task:
            exc = self.assertRaises(msftocs_exc.MsftOcsAuthenticationError,
                                    task.driver.power.get_power_state, task)
        self.assertNotIn('Not-the-password', str(exc))

    def test_basic_refused_by_ntlm_endpoint(self):
        node = self._node(msftocs_auth_type='basic')
        with task_manager.acquire(self.context, node.uuid,
                                  shared=True) as task:
            self.assertRaises(msftocs_exc.MsftOcsAuthenticationError,
                              task.driver.power.get_power_state, task)
