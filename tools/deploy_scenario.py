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

"""The stage of the deploy scenario: a VM-backed blade and a real Ironic.

:class:`DeployScenario` builds (or reuses) the deploy artifacts, starts an
HTTP server on 127.0.0.1 serving Ironic's ``http_root``, the emulator with
blade :data:`VM_BLADE` as a QEMU virtual machine that may reach that
server and nothing else, and a standalone Ironic with the ``ipxe`` boot
and ``ramdisk`` deploy interfaces, no DHCP provider and automated cleaning
off. The steps of :mod:`tools.deploy_steps` drive it; the deploy ring
(``tests/e2e_deploy``) and ``tox -e demo -- --deploy`` run the very same
steps.
"""

import contextlib
import functools
import http.server
import os
import re
import secrets
import socket
import tempfile
import threading
import time

import requests

from msftocs_driver.emulator.runner import EmulatorProcess
from msftocs_driver.emulator.vm import qemu
from tools import deploy_artifacts
from tools import devcerts
from tools import ironic_env
from tools import scenario
from tools import sysutils

#: The blade that is a virtual machine.
VM_BLADE = 1
NODE = 'vm-blade-%d' % VM_BLADE
DECOMPRESSION_SECONDS = 2

_IRONIC_CONFIG = """\
[DEFAULT]
enabled_deploy_interfaces = ramdisk,direct
enabled_boot_interfaces = ipxe

[deploy]
# Served on 127.0.0.1 by the scenario; the VM sees it as http_url.
http_root = {http_root}
http_url = http://{guest_http}

[conductor]
automated_clean = false
file_url_allowed_paths = {artifacts}
"""


class _QuietHandler(http.server.SimpleHTTPRequestHandler):

    def log_message(self, format, *args):
        self.server.requests.append(args[0] if args else format)


class HttpRoot(object):
    """An HTTP server on 127.0.0.1 serving one directory, in a thread.

    :ivar requests: the request lines served, in order.
    """

    def __init__(self, directory):
        self.directory = directory
        handler = functools.partial(_QuietHandler, directory=directory)
        self.server = http.server.ThreadingHTTPServer(('127.0.0.1', 0),
                                                      handler)
        self.server.daemon_threads = True
        self.server.requests = []
        self.port = self.server.server_address[1]
        self._thread = threading.Thread(target=self.server.serve_forever,
                                        name='http-root', daemon=True)

    @property
    def requests(self):
        return list(self.server.requests)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc_info):
        self.server.shutdown()
        self.server.server_close()


class DeployScenario(scenario.Scenario):
    """The running pieces of the deploy scenario.

    :ivar artifacts: the manifest of :func:`tools.deploy_artifacts.build`.
    :ivar http: the :class:`HttpRoot` the VM boots from.
    :ivar timings: ``[(step title, seconds)]``, in order.
    """

    artifacts = None
    http = None
    #: The :class:`ConsoleWatcher` of the console step, if started.
    console = None

    @classmethod
    @contextlib.contextmanager
    def running(cls, out):
        """Build the artifacts, start everything; stop it on the way out."""
        timings = []
        started = time.monotonic()
        artifacts = deploy_artifacts.build(deploy_artifacts.default_cache())
        timings.append(('build or reuse the deploy artifacts',
                        time.monotonic() - started))
        password = 'ocs-' + secrets.token_urlsafe(12)
        started = time.monotonic()
        with contextlib.ExitStack() as stack:
            workdir = stack.enter_context(tempfile.TemporaryDirectory(
                prefix='msftocs-deploy-'))
            http_root = os.path.join(workdir, 'httpboot')
            os.mkdir(http_root)
            http = stack.enter_context(HttpRoot(http_root))
            tls = devcerts.make_tls_files(workdir)
            emulator = EmulatorProcess(
                blades=24, auth='basic', username=scenario.USERNAME,
                password=password, tls_cert=tls['cert'], tls_key=tls['key'],
                decompression_seconds=DECOMPRESSION_SECONDS,
                extra_args=('--blade-backend', 'qemu',
                            '--vm-blades', str(VM_BLADE),
                            '--vm-http-port', str(http.port)))
            emulator_log = stack.enter_context(open(
                os.path.join(workdir, 'emulator.log'), 'ab'))
            with scenario._stderr_into(emulator_log):
                stack.enter_context(emulator)
            ironic = stack.enter_context(ironic_env.StandaloneIronic(
                sync_interval=scenario.SYNC_INTERVAL,
                extra_config=_IRONIC_CONFIG.format(
                    http_root=http_root,
                    guest_http=qemu.GUEST_HTTP_ADDRESS,
                    artifacts=os.path.dirname(artifacts['kernel']))))
            sc = cls(ironic, emulator, password, out)
            sc.ca_file = tls['ca']
            sc.emulator_log_path = emulator_log.name
            sc.artifacts = artifacts
            sc.http = http
            sc.timings = timings
            timings.append(('start the HTTP server, the emulator and Ironic',
                            time.monotonic() - started))
            try:
                yield sc
            except BaseException:
                sc.ironic_log_tail = ironic.log_tail()
                raise
            finally:
                if sc.console is not None:
                    sc.console.stop()

    def accel(self):
        """The accelerator the emulator's VMs run with."""
        with open(self.emulator_log_path, errors='replace') as log:
            match = re.search(r'accel (\S+),', log.read())
        return match.group(1) if match else 'unknown'

    def vm_pid(self):
        """The QEMU process id of the VM blade, or None."""
        return self.blade(VM_BLADE).get('vm_pid')

    def secret_leaks(self):
        places = super().secret_leaks()
        pid = self.vm_pid()
        if pid and self.password in (sysutils.command_line(pid) or ''):
            places.append('the command line of the VM (process %d)' % pid)
        return places

    def console_url(self, name):
        """The node's console URL from the REST API, or None when off."""
        reply = requests.get(
            '%s/v1/nodes/%s/states/console' % (self.ironic.endpoint, name),
            timeout=10,
            headers={'X-OpenStack-Ironic-API-Version': 'latest'})
        reply.raise_for_status()
        info = reply.json().get('console_info') or {}
        return info.get('url')

    def watch_console(self, name):
        """Read the node's console from now on; a :class:`ConsoleWatcher`."""
        return ConsoleWatcher(lambda: self.console_url(name)).start()


class ConsoleWatcher(object):
    """A TCP console client that reconnects whenever it is cut off.

    Ironic restarts a node's console at the end of a deployment (new socat,
    maybe a new port), so the client asks for the URL again each time.

    :param url_of: returns the current ``tcp://host:port`` URL, or None.
    :ivar seen: every byte read so far, over all connections.
    :ivar connections: how many connections were made.
    """

    def __init__(self, url_of):
        self._url_of = url_of
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._conn = None
        self._thread = threading.Thread(target=self._run, daemon=True,
                                        name='console-watcher')
        self.seen = b''
        self.connections = 0

    def start(self):
        self._thread.start()
        return self

    def _connect(self):
        with contextlib.suppress(OSError, ValueError,
                                 requests.RequestException):
            url = self._url_of()
            if url:
                host, port = url.split('://', 1)[1].rsplit(':', 1)
                return socket.create_connection((host, int(port)),
                                                timeout=5)
        return None

    def _run(self):
        while not self._stop.is_set():
            conn = self._connect()
            if conn is None:
                self._stop.wait(0.2)
                continue
            self.connections += 1
            conn.settimeout(0.5)
            with self._lock:
                self._conn = conn
            with conn:
                while not self._stop.is_set():
                    try:
                        chunk = conn.recv(4096)
                    except socket.timeout:
                        continue
                    except OSError:
                        break
                    if not chunk:
                        break
                    with self._lock:
                        self.seen += chunk
            with self._lock:
                self._conn = None

    def wait_for(self, pattern, timeout):
        """Wait until ``pattern`` (a bytes regex) matches what was seen.

        :returns: the match, or None on timeout.
        """
        deadline = time.monotonic() + timeout
        while True:
            with self._lock:
                match = re.search(pattern, self.seen)
            if match or time.monotonic() > deadline:
                return match
            time.sleep(0.1)

    def type(self, text):
        """Send keystrokes on the current connection.

        :raises OSError: when there is no connection right now.
        """
        with self._lock:
            if self._conn is None:
                raise OSError('the console is not connected')
            self._conn.sendall(text)

    def stop(self):
        """Disconnect and stop reconnecting."""
        self._stop.set()
        self._thread.join(10)
