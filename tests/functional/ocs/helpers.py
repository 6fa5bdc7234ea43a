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


"""Helpers of the client's functional tests: emulators, TLS files, waits."""

import time

from msftocs_driver.emulator import runner
from msftocs_driver.ocs import client as ocs_client
from msftocs_driver.ocs import constants
from tools import devcerts

#: Other functional tests use the same CA and server certificate maker.
make_tls_files = devcerts.make_tls_files

USERNAME = 'admin'
PASSWORD = 'Fn-t3st pa55+word'

#: name -> (auth, TLS)
MODES = {
    'basic': ('basic', False),
    'ntlm': ('ntlm', False),
    'tls': ('basic', True),
    'tls-ntlm': ('ntlm', True),
}


class Endpoint:
    """A running emulator and how to build clients for it."""

    def __init__(self, process, auth, verify):
        self.process = process
        self.auth = auth
        self.verify = verify

    def client(self, **kwargs):
        kwargs.setdefault('auth', self.auth)
        kwargs.setdefault('verify', self.verify)
        kwargs.setdefault('read_timeout', 30)
        kwargs.setdefault('retry_interval', 0.05)
        password = kwargs.pop('password', PASSWORD)
        return ocs_client.ChassisManagerClient(self.process.url, USERNAME,
                                               password, **kwargs)


def start_endpoint(mode, tls_files, **kwargs):
    auth, tls = MODES[mode]
    if tls:
        kwargs.update(tls_cert=tls_files['cert'], tls_key=tls_files['key'])
    process = runner.EmulatorProcess(auth=auth, username=USERNAME,
                                     password=PASSWORD, **kwargs)
    process.start()
    return Endpoint(process, auth, tls_files['ca'] if tls else True)


def wait_until_decompressed(cm, blade_id, timeout=15.0):
    """Poll GetPowerState until the blade's BMC is ready."""
    deadline = time.monotonic() + timeout
    while True:
        info = cm.get_power_state(blade_id)
        if info.state is constants.PowerState.ON and \
                not info.decompression_seconds:
            return info
        if time.monotonic() > deadline:
            raise AssertionError('blade %s still %s' % (blade_id, info))
        time.sleep(0.1)
