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


"""``msftocs-emulator``: run the chassis-manager emulator.

For development and CI only: the state lives in memory and the emulator
listens on 127.0.0.1 unless told otherwise.

It is served with cheroot, keeping connections alive. NTLM authenticates a
connection, not a request (reference 1.2), so the server must keep
connections open and tell the application which one a request came on:
:class:`ConnectionGateway` puts cheroot's connection object into
``environ['msftocs.connection']``. It also turns
:class:`~.faults.ConnectionDrop` into a silently closed connection.
"""

import argparse
import logging
import os
import signal
import sys
import threading
import time

from cheroot.ssl import builtin
from cheroot import wsgi

from msftocs_driver.emulator import app as app_mod
from msftocs_driver.emulator import auth
from msftocs_driver.emulator import chassis as chassis_mod
from msftocs_driver.emulator import config as config_mod
from msftocs_driver.emulator import faults
from msftocs_driver.emulator import operations
from msftocs_driver.emulator import versions
from msftocs_driver.emulator.vm import qemu as vm_qemu
from msftocs_driver.emulator.vm import qmp as vm_qmp

LOG = logging.getLogger('msftocs_driver.emulator')

PASSWORD_ENV = 'MSFTOCS_EMULATOR_PASSWORD'
BANNER = ('msftocs-emulator: an emulated Open CloudServer chassis manager '
          'for development and CI only. Never expose it on a network.')
#: How often expired serial sessions are reaped (the CM checks every ~10 s).
SESSION_REAP_INTERVAL = 1.0
#: Worker threads; the CM serves at most 20 concurrent calls (reference 1.1).
#: Further requests wait for a free worker instead of being refused, as in
#: WCF's throttle queue (inference, reference 10).
THREADS = 20
#: Idle kept-alive connections held open. cheroot's default (10) closes the
#: others after each reply, which would break NTLM's connection-based
#: authentication for an eleventh client; HTTP.sys keeps them.
KEEP_ALIVE_CONNECTIONS = 1000


class ConnectionGateway(wsgi.Gateway_10):
    """WSGI 1.0 gateway that exposes the connection and can drop it."""

    def get_environ(self):
        environ = super().get_environ()
        environ[auth.CONNECTION_KEY] = self.req.conn
        return environ

    def respond(self):
        try:
            super().respond()
        except faults.ConnectionDrop:
            # Write nothing more (not even pending headers) and let cheroot
            # close the connection.
            self.req.ready = False
            self.req.close_connection = True
            self.req.conn.wfile.flush()


class EmulatorServer(wsgi.Server):
    """cheroot WSGI server using :class:`ConnectionGateway`."""

    def __init__(self, bind_addr, app, tls_cert=None, tls_key=None):
        super().__init__(bind_addr, app, numthreads=THREADS,
                         server_name='msftocs-emulator', timeout=60)
        self.gateway = ConnectionGateway
        self.keep_alive_conn_limit = KEEP_ALIVE_CONNECTIONS
        if tls_cert:
            self.ssl_adapter = builtin.BuiltinSSLAdapter(tls_cert, tls_key)

    @property
    def scheme(self):
        return 'https' if self.ssl_adapter else 'http'

    @property
    def port(self):
        """The bound port (known after :meth:`prepare`)."""
        return self.bind_addr[1]


def _non_negative(text):
    value = float(text)
    if value < 0:
        raise argparse.ArgumentTypeError('must not be negative')
    return value


def parse_args(argv=None):
    """Parse the command line.

    :param argv: arguments without the program name (default sys.argv).
    """
    parser = argparse.ArgumentParser(
        prog='msftocs-emulator', description=BANNER)
    parser.add_argument('--host', default='127.0.0.1',
                        help='address to listen on (default 127.0.0.1)')
    parser.add_argument('--port', type=int, default=8000,
                        help='port to listen on; 0 picks a free port')
    parser.add_argument('--blades', type=int, choices=(24, 48),
                        help='chassis population (default 24)')
    parser.add_argument('--username', default='admin',
                        help='account to accept (default admin)')
    parser.add_argument('--password',
                        help='its password; prefer the environment '
                             'variable %s (default admin)' % PASSWORD_ENV)
    parser.add_argument('--auth', choices=('basic', 'ntlm'), default='basic',
                        help='authentication scheme (a real CM uses NTLM)')
    parser.add_argument('--role', choices=('admin', 'operator', 'user'),
                        default='admin',
                        help='CM role of the account (default admin)')
    parser.add_argument('--forbidden-status', type=int, choices=(400, 403),
                        default=400,
                        help='HTTP status of a call the role may not make')
    parser.add_argument('--tls-cert', help='PEM certificate: serve HTTPS')
    parser.add_argument('--tls-key', help='PEM private key of --tls-cert')
    parser.add_argument('--cm-version', choices=versions.VERSIONS,
                        help='chassis-manager version to emulate '
                             '(default %s)' % versions.DEFAULT)
    parser.add_argument('--kill-serial-session', choices=('on', 'off'),
                        help='CM v2.0 KillSerialConsoleSession: blade APIs '
                             'stop the serial session (on, the default) or '
                             'are refused while it is open (off)')
    parser.add_argument('--decompression-seconds', type=_non_negative,
                        help='BMC firmware decompression time after a '
                             'Blade_EN switch-on (default 28, or 35 with '
                             '--cm-version 2.0)')
    parser.add_argument('--config', help='JSON chassis configuration file')
    parser.add_argument('--latency', type=_non_negative,
                        help='seconds added to every call')
    parser.add_argument('--bus-cost', type=_non_negative,
                        help='seconds each BMC call holds the shared bus')
    parser.add_argument('--debug', action='store_true',
                        help='log every request')
    parser.add_argument('--blade-backend', choices=('model', 'qemu'),
                        default='model',
                        help='model: state-model blades (default); qemu: '
                             'the --vm-blades slots are QEMU virtual '
                             'machines')
    parser.add_argument('--vm-blades', metavar='LIST',
                        help='slots that are virtual machines, e.g. 1-3,7')
    parser.add_argument('--vm-http-port', type=int, metavar='PORT',
                        help='HTTP server on 127.0.0.1 the VMs may reach '
                             '(as 10.0.2.100:80; their iPXE boot file is '
                             '/boot.ipxe there); nothing else is reachable')
    parser.add_argument('--vm-memory-mib', type=int, metavar='MIB',
                        help='memory of each VM (default 256)')
    args = parser.parse_args(argv)
    if bool(args.tls_cert) != bool(args.tls_key):
        parser.error('--tls-cert and --tls-key go together')
    vm_flags = (args.vm_blades, args.vm_http_port, args.vm_memory_mib)
    if args.blade_backend == 'qemu' and not args.vm_blades:
        parser.error('--blade-backend qemu needs --vm-blades')
    if args.blade_backend == 'model' and any(
            flag is not None for flag in vm_flags):
        parser.error('--vm-* flags need --blade-backend qemu')
    return args


def make_backend(args, population):
    """The blade backend of ``--blade-backend``.

    The VM backend is imported only when asked for: the model never needs
    QEMU.

    :raises: ValueError, QemuMissing
    """
    if args.blade_backend != 'qemu':
        return None
    from msftocs_driver.emulator.vm import backend as vm_backend
    return vm_backend.from_flags(args.vm_blades, population,
                                 http_port=args.vm_http_port,
                                 memory_mib=args.vm_memory_mib)


def build_app(args, sleep=time.sleep):
    """Build the WSGI application and its authenticator from the flags.

    :param sleep: the sleep function of every emulated wait (latency,
        faults, bus cost, power-on waits).
    :raises: config.ConfigError, ValueError, QemuMissing
    """
    cfg = config_mod.load(
        args.config, blades=args.blades,
        decompression_seconds=args.decompression_seconds,
        latency=args.latency, bus_cost=args.bus_cost,
        cm_version=args.cm_version,
        kill_serial_session=(None if args.kill_serial_session is None
                             else args.kill_serial_session == 'on'))
    password = args.password
    if password is None:
        password = os.environ.get(PASSWORD_ENV, 'admin')
    else:
        print('msftocs-emulator: warning: other local users can read '
              '--password in the process list; prefer %s' % PASSWORD_ENV,
              file=sys.stderr)
    authenticator = auth.make_authenticator(args.auth, args.username,
                                            password)
    backend = make_backend(args, cfg.blades)
    try:
        chassis = chassis_mod.Chassis(cfg, sleep=sleep, backend=backend)
    except Exception:
        if backend is not None:
            backend.close()
        raise
    forbidden = {400: '400 Bad Request', 403: '403 Forbidden'}
    return app_mod.EmulatorApp(
        chassis, authenticator, latency=cfg.latency,
        role=operations.Role[args.role],
        forbidden_status=forbidden[args.forbidden_status], sleep=sleep)


def _reap_sessions(chassis, stopping):
    while not stopping.wait(SESSION_REAP_INTERVAL):
        for blade_id in chassis.expire_sessions():
            LOG.info('Serial session of blade %d timed out', blade_id)


def main(argv=None):
    """Run the emulator until SIGTERM or SIGINT.

    :returns: the process exit status.
    """
    args = parse_args(argv)
    logging.basicConfig(
        level=logging.WARNING,
        format='%(asctime)s %(levelname)s %(name)s: %(message)s')
    if args.debug:
        # Ours only: pyspnego logs NTLM messages at debug level.
        logging.getLogger('msftocs_driver').setLevel(logging.DEBUG)
    print(BANNER, file=sys.stderr, flush=True)
    stopping = threading.Event()
    try:
        # Emulated waits end as soon as a stop is requested: cheroot's
        # shutdown joins busy workers without a time limit, so a long
        # delay fault or power-on wait would otherwise hold the exit.
        app = build_app(args, sleep=stopping.wait)
    except (config_mod.ConfigError, ValueError,
            vm_qemu.QemuMissing) as exc:
        print('msftocs-emulator: %s' % exc, file=sys.stderr)
        return 2
    except (vm_qmp.QmpError, OSError) as exc:
        print('msftocs-emulator: cannot start the blade VMs: %s' % exc,
              file=sys.stderr)
        return 1
    print('msftocs-emulator: %s' % app.chassis.backend.describe(),
          file=sys.stderr, flush=True)
    try:
        server = EmulatorServer((args.host, args.port), app,
                                args.tls_cert, args.tls_key)
        server.prepare()
    except (OSError, ValueError) as exc:  # ssl.SSLError is an OSError
        app.authenticator.close()
        app.chassis.close()
        print('msftocs-emulator: cannot listen on %s:%s: %s'
              % (args.host, args.port, exc), file=sys.stderr)
        return 1

    def request_stop(signum, frame):
        stopping.set()

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    serving = threading.Thread(target=server.serve, daemon=True,
                               name='emulator-server')
    reaper = threading.Thread(target=_reap_sessions, daemon=True,
                              args=(app.chassis, stopping),
                              name='session-reaper')
    serving.start()
    reaper.start()
    print('msftocs-emulator listening on %s://%s:%d/'
          % (server.scheme, args.host, server.port), flush=True)
    try:
        while not stopping.wait(3600):
            pass
    finally:
        server.stop()
        app.authenticator.close()
        # Every VM the emulator started stops with it.
        app.chassis.close()
    return 0
