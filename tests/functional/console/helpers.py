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

"""Helpers of the console functional tests: waiting and reading output."""

import os
import random
import secrets
import select
import shutil
import time
import unittest

import fixtures

from msftocs_driver import console
from msftocs_driver.emulator import runner
from tests import base
from tools import sysutils

BLADE = 3
PROMPT = b'blade3 login: '
#: Upper bound for anything the tests wait for; generous for a busy CI.
TIMEOUT = 15.0


def console_port_range(count=10):
    """A ``[console]port_range`` below the kernel's ephemeral ports.

    Between ironic's free-port test and socat's bind, any connection
    opened meanwhile (the session probe, the test's own) may take an
    ephemeral port; production ranges such as 10000:20000 stay below
    them too.

    :param count: how many ports the range holds.
    :returns: ``'start:end'``, end exclusive.
    """
    try:
        with open('/proc/sys/net/ipv4/ip_local_port_range') as ports:
            first_ephemeral = int(ports.read().split()[0])
    except (OSError, ValueError, IndexError):
        first_ephemeral = 0
    if first_ephemeral - count <= 10000:
        return sysutils.free_port_range(count)
    start = random.randrange(10000, first_ephemeral - count)
    return '%d:%d' % (start, start + count)


def require_socat():
    """Skip the test without socat, unless MSFTOCS_REQUIRE_SOCAT=1.

    :raises: unittest.SkipTest, or AssertionError when socat is required.
    """
    if shutil.which('socat'):
        return
    if os.environ.get('MSFTOCS_REQUIRE_SOCAT') == '1':
        raise AssertionError('socat is required (MSFTOCS_REQUIRE_SOCAT=1) '
                             'but not installed')
    raise unittest.SkipTest('socat is not installed')


def wait_for(predicate, what, timeout=TIMEOUT):
    """Poll ``predicate`` until it returns a true value.

    :returns: that value.
    :raises: AssertionError naming ``what`` after ``timeout`` seconds.
    """
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError('timed out waiting for %s' % what)
        time.sleep(0.05)


def read_until(read, expected, timeout=TIMEOUT):
    """Read chunks with ``read()`` until ``expected`` was received.

    :param read: callable returning bytes (``b''`` at end of stream), or
        None when nothing arrived within its own short wait.
    :returns: everything read.
    :raises: AssertionError with what was read if the stream ended or the
        time ran out first.
    """
    deadline = time.monotonic() + timeout
    received = b''
    while expected not in received:
        if time.monotonic() > deadline:
            raise AssertionError('did not receive %r; got %r'
                                 % (expected, received))
        chunk = read()
        if chunk == b'':
            raise AssertionError('stream ended before %r; got %r'
                                 % (expected, received))
        received += chunk or b''
    return received


def fd_reader(fd):
    """A ``read()`` for :func:`read_until` over a file descriptor."""
    def read():
        ready, _w, _x = select.select([fd], [], [], 0.2)
        if not ready:
            return None
        try:
            return os.read(fd, 4096)
        except OSError:  # EIO: the other side of a pty closed
            return b''
    return read


def session_open(emulator, blade=BLADE):
    """Whether the emulated chassis manager has a session on ``blade``."""
    return emulator.blade(blade)['serial_session']


class EmulatorMixin(object):
    """One emulator for the whole test class, with a random password."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.password = secrets.token_urlsafe(12)
        cls.emulator = runner.EmulatorProcess(password=cls.password,
                                              decompression_seconds=1)
        cls.emulator.start()

    @classmethod
    def tearDownClass(cls):
        cls.emulator.stop()
        super().tearDownClass()


class SocatConsoleMixin(EmulatorMixin):
    """A node whose console is real socat and a real bridge on the emulator.

    Sets ``self.tempdir``, ``self.iface`` and ``self.node`` (blade
    :data:`BLADE`, the emulator's credentials).
    """

    # socat and the bridge are real processes here.
    block_execute = False

    def setUp(self):
        require_socat()
        super().setUp()
        self.emulator.reset()
        self.tempdir = self.useFixture(fixtures.TempDir()).path
        self.config(tempdir=self.tempdir)
        # Several ports: a port whose connection was closed by the console
        # side stays in TIME_WAIT, and ironic's free-port test skips it.
        self.config(socat_address='127.0.0.1',
                    port_range=base.console_port_range(
                        console_port_range()),
                    terminal_timeout=0, group='console')
        self.config(console_poll_interval=0.05, group='msftocs')
        self.iface = console.MsftOcsSocatConsole()
        self.node = self.create_node(
            msftocs_base_url=self.emulator.url,
            msftocs_blade_id=BLADE,
            msftocs_username=self.emulator.username,
            msftocs_password=self.password)
