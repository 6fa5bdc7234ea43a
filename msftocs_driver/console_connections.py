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

"""The processes serving connections to a node's socat console.

socat forks a handler for each connection, which runs the bridge. Stopping
socat the way ironic does (signalling the listener only) leaves both
running: the user stays connected and the bridge keeps its chassis-manager
session. This module finds them and ends them in order.
"""

import os

from oslo_log import log
import psutil

from msftocs_driver.conf import CONF

LOG = log.getLogger(__name__)

#: Seconds a bridge gets to stop its chassis-manager session and exit.
BRIDGE_EXIT_GRACE = 5.0


def pid_file_path(node_uuid):
    """Path of the pid (lock) file of a node's socat listener."""
    # NOTE: where ironic's console_utils keeps the socat pid (lock) file:
    # [console]terminal_pid_dir, else [DEFAULT]tempdir, named after the
    # node. A different layout only means that connections are not found
    # (they then last until their user disconnects), never that a wrong
    # process is hit.
    pid_dir = CONF.console.terminal_pid_dir or CONF.tempdir
    return os.path.join(pid_dir, '%s.pid' % node_uuid)


def find(node_uuid):
    """Find the processes socat started for connections to a console.

    :param node_uuid: the node's UUID.
    :returns: a list of ``psutil.Process``: connection handlers and their
        bridges; empty when socat does not run.
    """
    pid_file = pid_file_path(node_uuid)
    try:
        with open(pid_file) as pid_data:
            listener = psutil.Process(int(pid_data.readline()))
        # A stale pid file may name a reused PID: only act on the socat
        # that holds this very file.
        if '-L%s' % pid_file not in listener.cmdline():
            return []
        return listener.children(recursive=True)
    except (OSError, ValueError, psutil.Error):
        return []


def _terminate(node_uuid, processes, grace):
    """SIGTERM processes, then SIGKILL those still running after grace."""
    for process in processes:
        try:
            process.terminate()
        except psutil.NoSuchProcess:
            pass
    _gone, alive = psutil.wait_procs(processes, timeout=grace)
    for process in alive:
        LOG.warning('Console process %(pid)s of node %(node)s did not exit '
                    'on SIGTERM; killing it',
                    {'pid': process.pid, 'node': node_uuid})
        try:
            process.kill()
        except psutil.NoSuchProcess:
            pass
    psutil.wait_procs(alive, timeout=1)


def end(node_uuid, processes):
    """End the processes serving connections to a node's console.

    ironic only signals the listener, whose forked connection handlers
    (and their bridges) outlive it and keep serving the user. Call this
    once the listener is stopped, so that it cannot accept a waiting
    client when a handler ends. The bridges go first, with time to stop
    their chassis-manager session; then their handlers, which would
    otherwise linger for socat's close timeout. A bridge is reaped by its
    handler, a handler by the process that adopted it.

    :param node_uuid: the node's UUID, for logs.
    :param processes: what :func:`find` returned.
    """
    parents = set()
    for process in processes:
        try:
            parents.add(process.ppid())
        except psutil.NoSuchProcess:
            pass
    bridges = [proc for proc in processes if proc.pid not in parents]
    handlers = [proc for proc in processes if proc.pid in parents]
    _terminate(node_uuid, bridges, BRIDGE_EXIT_GRACE)
    _terminate(node_uuid, handlers, 1)
