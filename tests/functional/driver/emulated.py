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

"""Base class of the functional tests that run the interfaces on an emulator.

Every call goes over real HTTP (or HTTPS with a certificate of a CA
generated for the test class, which the nodes trust through
``msftocs_verify_ca``) to an emulator process on 127.0.0.1, which gets its
password through the environment.
"""

import json
import os
import tempfile

import fixtures
from ironic.conductor import task_manager

from msftocs_driver.emulator import runner
from tests import base
from tests.functional.ocs import helpers


class EmulatorTestCase(base.MsftOcsTestCase):
    """Runs one emulator process for the whole test class.

    Subclasses describe it with class attributes: ``emulator_options``
    (keyword arguments of ``EmulatorProcess`` other than the password and
    TLS files), ``chassis_config`` (a dict given to the emulator as its JSON
    configuration file, or None) and ``use_tls``.
    """

    password = 'functional-Secret1'
    emulator_options = {}
    chassis_config = None
    use_tls = False

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._work_dir = tempfile.TemporaryDirectory(
            prefix='msftocs-functional-')
        try:
            options = dict(cls.emulator_options, password=cls.password)
            if cls.chassis_config is not None:
                options['config'] = os.path.join(cls._work_dir.name,
                                                 'chassis.json')
                with open(options['config'], 'w') as config_file:
                    json.dump(cls.chassis_config, config_file)
            cls.tls = None
            if cls.use_tls:
                cls.tls = helpers.make_tls_files(cls._work_dir.name)
                options.update(tls_cert=cls.tls['cert'],
                               tls_key=cls.tls['key'])
            # Started here, before ironic's TestCase blocks subprocesses.
            cls.emulator = runner.EmulatorProcess(**options)
            cls.emulator.start()
        except Exception:
            cls._work_dir.cleanup()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.emulator.stop()
        cls._work_dir.cleanup()
        super().tearDownClass()

    def setUp(self):
        super().setUp()
        # requests lets these variables override the emulator runner's
        # "verify=False" of its control calls.
        for name in ('REQUESTS_CA_BUNDLE', 'CURL_CA_BUNDLE'):
            self.useFixture(fixtures.EnvironmentVariable(name))
        self.emulator.reset()
        self.emulator.clear_faults()
        self.config(retries=0, power_poll_interval=0.2, group='msftocs')

    def create_emulated_node(self, blade_id, **driver_info):
        """Create a node for one slot of the emulated chassis.

        :param blade_id: the slot.
        :param driver_info: driver_info fields to change.
        :returns: the ``objects.Node``.
        """
        auth_type = self.emulator_options.get('auth', 'basic')
        info = {'msftocs_base_url': self.emulator.url,
                'msftocs_blade_id': blade_id,
                'msftocs_username': 'admin',
                'msftocs_password': self.password,
                'msftocs_auth_type': auth_type}
        if self.tls:
            info['msftocs_verify_ca'] = self.tls['ca']
        info.update(driver_info)
        return self.create_node(**info)

    def acquire(self, node=None, shared=False):
        """Acquire ``node`` (default: ``self.node``) with the task manager."""
        return task_manager.acquire(self.context, (node or self.node).uuid,
                                    shared=shared)

    def operations(self):
        """The chassis-manager operations called since the last reset."""
        return self.emulator.stats()['operations']
