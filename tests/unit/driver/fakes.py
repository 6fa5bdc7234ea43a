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

"""A mocked chassis-manager client and replies for interface unit tests."""

import time
from unittest import mock

from ironic.conductor import task_manager
from oslo_service import loopingcall

from msftocs_driver.common import client_cache
from msftocs_driver.ocs import client as ocs_client
from msftocs_driver.ocs import constants
from msftocs_driver.ocs import exceptions as ocs_exc
from msftocs_driver.ocs import models
from tests import base

CODE = constants.CompletionCode


def chassis_info(chassis, blade_id=1):
    """Parsed driver_info of a blade of chassis ``chassis`` (cm00, cm01...)."""
    return {'base_url': 'https://cm%02d:8000' % chassis,
            'blade_id': blade_id, 'username': 'admin',
            'password': 's3cret', 'verify_ca': True, 'auth_type': 'basic',
            'terminal_port': None,
            'node_uuid': 'node-%d-%d' % (chassis, blade_id)}


def powered_off(blade=3):
    """The error of a BMC command on a hard-off blade."""
    return ocs_exc.DevicePoweredOffError(CODE.DevicePoweredOff,
                                         operation='GetBladeState',
                                         blade_id=blade)


def decompressing(seconds=20, blade=3):
    """The error of a BMC command while the BMC firmware decompresses."""
    return ocs_exc.FirmwareDecompressingError(
        CODE.FirmwareDecompressing,
        'Decompression Time Remaining %d' % seconds, blade_id=blade)


def switch(state, seconds=0, blade=3):
    """A GetPowerState reply (Blade_EN switch)."""
    return models.PowerStateInfo(blade, state, seconds, '')


class MockedClientTestCase(base.MsftOcsTestCase):
    """An msftocs node (blade 3) whose chassis-manager client is a mock.

    Sleeps are patched out: ``time.sleep`` returns at once and moves the
    clock of ``time.monotonic`` forward by as much. The power-state cache
    is off unless a test turns it on.
    """

    def setUp(self):
        super().setUp()
        self.config(power_state_cache_ttl=0, group='msftocs')
        self.client = mock.create_autospec(ocs_client.ChassisManagerClient,
                                           instance=True)
        build = mock.patch.object(client_cache, '_build_client',
                                  autospec=True, return_value=self.client)
        self.build = build.start()
        self.addCleanup(build.stop)
        self.slept = 0.0
        # A virtual clock: it moves only when the code under test sleeps,
        # so what a test measures does not depend on how busy the machine
        # running it is.
        start = time.monotonic()

        def sleep(seconds):
            self.slept += max(seconds, 0)

        for target, name, effect in (
                (time, 'sleep', sleep),
                (time, 'monotonic', lambda: start + self.slept),
                (loopingcall.BackOffLoopingCall, '_sleep', None)):
            patcher = mock.patch.object(target, name, autospec=True,
                                        side_effect=effect)
            patcher.start()
            self.addCleanup(patcher.stop)
        self.node = self.create_node()

    def acquire(self, shared=False):
        return task_manager.acquire(self.context, self.node.uuid,
                                    shared=shared)
