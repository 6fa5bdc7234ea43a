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


"""Serve the emulator with cheroot, keeping connections alive.

NTLM authenticates a connection, not a request (reference 1.2), so the
server must keep connections open and tell the application which one a
request came on: :class:`ConnectionGateway` puts cheroot's connection
object into ``environ['msftocs.connection']``. It also turns
:class:`~.faults.ConnectionDrop` into a silently closed connection.
"""

import logging

from cheroot.ssl import builtin
from cheroot import wsgi

from msftocs_driver.emulator import auth
from msftocs_driver.emulator import faults

LOG = logging.getLogger(__name__)

#: Worker threads; the CM serves at most 20 concurrent calls (reference 1.1).
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
