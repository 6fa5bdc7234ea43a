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

"""The public names of the library, exported by ``msftocs_driver.ocs``."""

import enum
import inspect
import unittest

from msftocs_driver import ocs
from msftocs_driver.ocs import client
from msftocs_driver.ocs import constants
from msftocs_driver.ocs import exceptions
from msftocs_driver.ocs import models
from msftocs_driver.ocs import serial


def _public_classes(module, keep=lambda cls: True):
    return {name for name, value in vars(module).items()
            if not name.startswith('_') and inspect.isclass(value)
            and value.__module__ == module.__name__ and keep(value)}


class PublicNamesTest(unittest.TestCase):

    def test_every_exported_name_is_the_submodule_object(self):
        for name in ocs.__all__:
            value = getattr(ocs, name)
            home = value.__module__
            self.assertTrue(home.startswith('msftocs_driver.ocs.'), name)
            self.assertIs(value, getattr(
                __import__(home, fromlist=[name]), name))

    def test_all_lists_each_public_class_once(self):
        expected = (
            _public_classes(exceptions)
            | _public_classes(constants,
                              lambda cls: issubclass(cls, enum.Enum))
            | _public_classes(models)
            | {'CMVersion'}
            | {'ChassisManagerClient', 'SerialSession'})
        self.assertEqual(len(ocs.__all__), len(set(ocs.__all__)))
        self.assertEqual(sorted(expected), sorted(ocs.__all__))

    def test_star_import_gives_the_client_and_the_errors(self):
        names = {}
        exec('from msftocs_driver.ocs import *', names)
        self.assertIs(client.ChassisManagerClient,
                      names['ChassisManagerClient'])
        self.assertIs(serial.SerialSession, names['SerialSession'])
        self.assertTrue(issubclass(names['DevicePoweredOffError'],
                                   names['OCSError']))
        self.assertIs(constants.PowerState.ON, names['PowerState'].ON)
