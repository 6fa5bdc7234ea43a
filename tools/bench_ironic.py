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

"""An in-process Ironic conductor core for the benchmarks.

The benchmarks call the real ``msftocs`` interfaces the way the conductor
does: nodes live in a SQLite database, a task comes from
``task_manager.acquire`` (which builds the driver through Ironic's driver
factory and the plugin's entry points) and the power sync calls Ironic's own
``conductor.utils.do_sync_power_state``. Only the RPC service, the API and
the periodic-task scheduler are left out: they cost the same whatever the
driver does.
"""

import os

from oslo_service import backend

# Ironic selects the threading backend of oslo.service before anything
# imports it (ironic/command/__init__.py does the same).
backend.init_backend(backend.BackendType.THREADING)

from ironic.common import context as ironic_context  # noqa: E402,I202
from ironic.conductor import manager as cond_manager  # noqa: E402
from ironic.conductor import task_manager  # noqa: E402
from ironic.conf import CONF  # noqa: E402
from ironic.db.sqlalchemy import models  # noqa: E402
from ironic import objects  # noqa: E402
from oslo_db.sqlalchemy import enginefacade  # noqa: E402
from oslo_utils import uuidutils  # noqa: E402

# Registers the [msftocs] options (ironic.conf.CONF is the same object).
from msftocs_driver import conf as msftocs_conf  # noqa: E402,F401

#: Interfaces enabled in the benchmark conductor.
INTERFACES = {
    'enabled_hardware_types': ['msftocs'],
    'enabled_power_interfaces': ['msftocs'],
    'enabled_management_interfaces': ['msftocs'],
    'enabled_console_interfaces': ['no-console'],
    'enabled_inspect_interfaces': ['no-inspect'],
    'enabled_vendor_interfaces': ['no-vendor'],
    'enabled_boot_interfaces': ['pxe'],
    'enabled_deploy_interfaces': ['direct'],
    'enabled_network_interfaces': ['noop'],
    'enabled_storage_interfaces': ['noop'],
}


class Conductor(object):
    """Ironic's database and task machinery, in this process.

    :param workdir: a private directory for the SQLite file and the
        directories the boot interfaces want.
    :param msftocs_options: ``[msftocs]`` option overrides.
    """

    def __init__(self, workdir, msftocs_options=None):
        self.workdir = workdir
        CONF([], project='ironic', default_config_files=[])
        CONF.set_override('host', 'msftocs-bench')
        CONF.set_override('my_ip', '127.0.0.1')
        for name, value in INTERFACES.items():
            CONF.set_override(name, value)
        for sub in ('httpboot', 'tftpboot', 'tmp'):
            os.makedirs(os.path.join(workdir, sub), exist_ok=True)
        CONF.set_override('tempdir', os.path.join(workdir, 'tmp'))
        CONF.set_override('http_root', os.path.join(workdir, 'httpboot'),
                          'deploy')
        CONF.set_override('http_url', 'http://127.0.0.1:1', 'deploy')
        CONF.set_override('tftp_root', os.path.join(workdir, 'tftpboot'),
                          'pxe')
        CONF.set_override('dhcp_provider', 'none', 'dhcp')
        CONF.set_override(
            'connection',
            'sqlite:///%s' % os.path.join(workdir, 'ironic.sqlite'),
            'database')
        self.set_options(msftocs_options or {})
        models.Base.metadata.create_all(enginefacade.writer.get_engine())
        objects.register_all()
        self.context = ironic_context.get_admin_context()

    @staticmethod
    def set_options(options):
        """Override ``[msftocs]`` options.

        :param options: a dict of option name to value.
        """
        for name, value in options.items():
            CONF.set_override(name, value, 'msftocs')

    def create_node(self, driver_info, power_state=None):
        """Enrol a node with the ``msftocs`` hardware type.

        :param driver_info: the node's driver_info.
        :param power_state: the power state recorded in the database.
        :returns: the node UUID.
        """
        node = objects.Node(self.context,
                            uuid=uuidutils.generate_uuid(),
                            driver='msftocs',
                            driver_info=driver_info,
                            power_state=power_state,
                            provision_state='available')
        node.create()
        return node.uuid

    def acquire(self, node_uuid, shared=True, purpose='benchmark'):
        """Start a task on a node, as the conductor does.

        :param node_uuid: the node.
        :param shared: whether the lock is shared.
        :param purpose: what the task is for (shown in Ironic's logs).
        :returns: a ``TaskManager`` context manager.
        """
        return task_manager.acquire(self.context, node_uuid, shared=shared,
                                    purpose=purpose)

    def sync_power_state(self, node_uuid):
        """One node's turn of Ironic's periodic power-state sync.

        This is the body of ``ConductorManager._sync_power_state_nodes_task``
        for one node: a shared task and ``do_sync_power_state``, which calls
        the power interface's ``get_power_state``.

        :param node_uuid: the node.
        """
        with self.acquire(node_uuid, purpose='power state sync') as task:
            cond_manager.do_sync_power_state(task, 0)
