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

"""Base class for tests that run msftocs interfaces inside ironic."""

import logging
import unittest

from ironic.conf import console as ironic_console_conf
from ironic.tests.unit.db import base as db_base
from ironic.tests.unit.objects import utils as obj_utils
from oslo_config import cfg
from oslo_utils import uuidutils

from msftocs_driver.common import client_cache
from msftocs_driver.common import prefetch
from msftocs_driver.common import state_cache

#: A valid driver_info for an msftocs node.
DRIVER_INFO = {
    'msftocs_base_url': 'https://cm01:8000',
    'msftocs_blade_id': 3,
    'msftocs_username': 'admin',
    'msftocs_password': 's3cret',
}


def console_port_range(port_range):
    """A ``[console]port_range`` value of the type this Ironic defines.

    The option is a string in 2025.2 (ironic 32) and a list of ranges from
    2026.1 (ironic 35): the type is read from the option itself.

    :param port_range: one range, ``start:end``.
    :returns: what ``self.config(port_range=..., group='console')`` takes.
    """
    option, = [opt for opt in ironic_console_conf.opts
               if opt.dest == 'port_range']
    return [port_range] if isinstance(option, cfg.ListOpt) else port_range


#: The root log level as configured before any test database was built.
_ROOT_LOG_LEVEL = logging.getLogger().level


def undo_alembic_logging():
    """Undo what building ironic's test database does to logging."""
    # Building the test database runs alembic, whose logging.fileConfig()
    # disables every logger that exists at that moment, ours included, and
    # raises the root level to WARNING; the tests that run afterwards in
    # the same process (and their log assertions) need both back.
    logging.getLogger().setLevel(_ROOT_LOG_LEVEL)
    for name, logger in logging.root.manager.loggerDict.items():
        if (name.startswith('msftocs_driver')
                and isinstance(logger, logging.Logger)):
            logger.disabled = False


class MsftOcsTestCase(db_base.DbTestCase):
    """ironic's DbTestCase with the msftocs hardware type enabled.

    Enabled: the ``msftocs`` hardware type and interfaces, with the fake and
    noop interfaces as fallbacks; the client and power-state caches are
    emptied around every test.
    """

    def setUp(self):
        super().setUp()
        undo_alembic_logging()
        self.config(enabled_hardware_types=['msftocs', 'fake-hardware'],
                    enabled_power_interfaces=['msftocs', 'fake'],
                    enabled_management_interfaces=['msftocs', 'noop',
                                                   'fake'],
                    enabled_console_interfaces=['msftocs-socat',
                                                'no-console', 'fake'],
                    enabled_inspect_interfaces=['msftocs', 'no-inspect',
                                                'fake'],
                    enabled_vendor_interfaces=['msftocs', 'no-vendor',
                                               'fake'])
        client_cache.clear()
        state_cache.clear()
        self.addCleanup(client_cache.clear)
        self.addCleanup(state_cache.clear)

    def tearDown(self):
        # Reads made ahead of a pass end before the test's mocks are undone
        # (cleanups), so that none reaches a real client.
        if not prefetch.POOL.wait_idle(10):
            self.fail('reads ahead of a pass still running after 10 s')
        super().tearDown()

    def assertRaises(self, expected, *args, **kwargs):
        """testtools' assertRaises, and unittest's context-manager form.

        The context-manager form (``with self.assertRaises(E) as ctx``)
        exists in testtools only from 2.8; the 2025.2 constraints pin
        2.7.2, so that form is unittest's everywhere.
        """
        if not args and not kwargs:
            return unittest.TestCase.assertRaises(self, expected)
        return super().assertRaises(expected, *args, **kwargs)

    def _clear_attrs(self):
        # pytest keeps the bound test method as an instance attribute and
        # deletes it itself after the test; ironic's cleanup must leave it.
        keep = self._testMethodName
        for key in [k for k in self.__dict__ if k[0] != '_' and k != keep]:
            del self.__dict__[key]

    def create_node(self, **driver_info):
        """Create an msftocs node; keyword arguments update DRIVER_INFO.

        :returns: the ``objects.Node``.
        """
        info = dict(DRIVER_INFO, **driver_info)
        return obj_utils.create_test_node(
            self.context, uuid=uuidutils.generate_uuid(), driver='msftocs',
            driver_info=info)
