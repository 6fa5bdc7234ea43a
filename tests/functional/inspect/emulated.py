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

"""A test case with an emulated chassis for inspection and vendor passthru.

Blade 3 has one present and one absent NIC, slot 7 is empty and slot 12
holds a JBOD. As with a real chassis manager, every call goes over HTTPS
(a certificate issued by a CA generated for the test run, which the nodes
trust through ``msftocs_verify_ca``) with NTLM authentication, to an
emulator process on 127.0.0.1 that gets its password through the
environment.
"""

import json
import os
import tempfile

import fixtures
from ironic.conductor import task_manager

from msftocs_driver.emulator import runner
from tests import base
from tests.functional.ocs import helpers

PASSWORD = 'inspect-Functional-7'
MAC = '00:15:5D:0A:1B:2C'
EMPTY_SLOT = 7
JBOD_SLOT = 12
CHASSIS = {
    'macs': {'3': [MAC, None]},
    'empty_slots': [EMPTY_SLOT],
    'jbod_slots': [JBOD_SLOT],
}


class EmulatedChassisTestCase(base.MsftOcsTestCase):
    """Runs one 24-blade emulator for the whole class."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._config_dir = tempfile.TemporaryDirectory()
        config = os.path.join(cls._config_dir.name, 'chassis.json')
        with open(config, 'w') as config_file:
            json.dump(CHASSIS, config_file)
        cls.tls = helpers.make_tls_files(cls._config_dir.name)
        # Started here, before ironic's TestCase blocks subprocesses.
        cls.emulator = runner.EmulatorProcess(
            auth='ntlm', password=PASSWORD, config=config,
            tls_cert=cls.tls['cert'], tls_key=cls.tls['key'])
        try:
            cls.emulator.start()
        except Exception:
            cls._config_dir.cleanup()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.emulator.stop()
        cls._config_dir.cleanup()
        super().tearDownClass()

    def setUp(self):
        super().setUp()
        # requests lets these variables override the emulator runner's
        # "verify=False" of its control calls.
        for name in ('REQUESTS_CA_BUNDLE', 'CURL_CA_BUNDLE'):
            self.useFixture(fixtures.EnvironmentVariable(name))
        self.emulator.reset()
        self.config(retries=0, group='msftocs')
        self.node = self.create_emulated_node(3)

    def create_emulated_node(self, blade_id):
        """Create a node for one slot of the emulated chassis.

        :returns: the ``objects.Node``.
        """
        node = self.create_node(msftocs_base_url=self.emulator.url,
                                msftocs_blade_id=blade_id,
                                msftocs_username='admin',
                                msftocs_password=PASSWORD,
                                msftocs_auth_type='ntlm',
                                msftocs_verify_ca=self.tls['ca'])
        node.inspect_interface = 'msftocs'
        node.vendor_interface = 'msftocs'
        node.properties = {}
        node.save()
        return node

    def acquire(self, node=None, shared=False):
        return task_manager.acquire(self.context, (node or self.node).uuid,
                                    shared=shared)

    def operations(self):
        """The chassis-manager operations called since the last reset."""
        return self.emulator.stats()['operations']
