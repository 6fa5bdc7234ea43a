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

from tests.functional.driver import emulated

PASSWORD = 'inspect-Functional-7'
MAC = '00:15:5D:0A:1B:2C'
EMPTY_SLOT = 7
JBOD_SLOT = 12
CHASSIS = {
    'macs': {'3': [MAC, None]},
    'empty_slots': [EMPTY_SLOT],
    'jbod_slots': [JBOD_SLOT],
}


class EmulatedChassisTestCase(emulated.EmulatorTestCase):
    """A 24-blade chassis over HTTPS and NTLM; ``self.node`` is blade 3."""

    password = PASSWORD
    emulator_options = {'auth': 'ntlm'}
    chassis_config = CHASSIS
    use_tls = True

    def setUp(self):
        super().setUp()
        self.node = self.create_emulated_node(3)

    def create_emulated_node(self, blade_id):
        """Create a node for one slot, with the msftocs inspect and vendor.

        :returns: the ``objects.Node``.
        """
        node = super().create_emulated_node(blade_id)
        node.inspect_interface = 'msftocs'
        node.vendor_interface = 'msftocs'
        node.properties = {}
        node.save()
        return node
