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

"""What every fault-injection test checks, whatever the operation.

A :class:`FaultTestCase` runs one emulator per test class and, around every
test:

* sets small timeouts (``read_timeout`` 1 s, one retry) so that a fault
  costs seconds, not minutes;
* captures every log record of every logger at DEBUG, to prove that no
  secret (the password, a serial session token, console data) is ever
  logged;
* snapshots the threads and child processes, to prove that a fault leaves
  nothing behind.
"""

import gc
import logging
import secrets
import socket
import threading
import time

from futurist import _thread as futurist_thread
import psutil

from msftocs_driver.emulator import runner
from tests import base

#: Small client settings: a fault must end in seconds.
CLIENT_OPTIONS = {
    'connect_timeout': 1.0,
    'read_timeout': 1.0,
    'retries': 1,
    'retry_interval': 0.1,
    'power_poll_interval': 0.2,
    'power_state_cache_ttl': 0.0,
}
#: Slack for scheduling, process and HTTP overhead on a busy CI machine.
SLACK = 1.5
BLADE = 1


def call_budget(options=CLIENT_OPTIONS):
    """Worst-case seconds of one chassis-manager call that keeps failing.

    Every attempt may wait for the connection and then for the reply; the
    retries are separated by a doubling interval.

    :param options: the ``[msftocs]`` options in force.
    :returns: seconds.
    """
    attempts = options['retries'] + 1
    per_attempt = options['connect_timeout'] + options['read_timeout']
    backoff = sum(options['retry_interval'] * 2 ** n
                  for n in range(options['retries']))
    return attempts * per_attempt + backoff


def closed_port():
    """A port on 127.0.0.1 where nothing listens (connection refused)."""
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


class LogCapture(logging.Handler):
    """Keep every formatted record, with its traceback if any."""

    def __init__(self):
        super().__init__(level=logging.DEBUG)
        self.lines = []
        self.setFormatter(logging.Formatter(
            '%(levelname)s %(name)s %(message)s'))

    def emit(self, record):
        self.lines.append(self.format(record))


class FaultTestCase(base.MsftOcsTestCase):
    """An ironic test case wired to its own emulator, with leak checks."""

    #: Extra options for this class, on top of :data:`CLIENT_OPTIONS`.
    msftocs_options = {}
    #: Extra arguments of this class's ``EmulatorProcess``.
    emulator_options = {}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.password = 'pw-' + secrets.token_urlsafe(12)
        # Started before ironic's fixtures block subprocesses for the tests.
        cls.emulator = runner.EmulatorProcess(
            **dict({'blades': 24, 'password': cls.password,
                    'decompression_seconds': 0.5}, **cls.emulator_options))
        cls.emulator.start()

    @classmethod
    def tearDownClass(cls):
        cls.emulator.stop()
        super().tearDownClass()

    def setUp(self):
        super().setUp()
        self.options = dict(CLIENT_OPTIONS, **self.msftocs_options)
        self.config(group='msftocs', **self.options)
        self.config(enabled_inspect_interfaces=['msftocs', 'no-inspect'])
        self.emulator.clear_faults()
        # A call a previous test gave up on may still be delayed; it must
        # run before the reset, not in the middle of this test.
        self.emulator.wait_until_idle()
        self.emulator.reset()
        self.emulator.reset_stats()
        self.secrets = [self.password]
        self._threads_before = set(threading.enumerate())
        self._children_before = self._children()
        self.logs = LogCapture()
        root = logging.getLogger()
        self.addCleanup(root.setLevel, root.level)
        self.addCleanup(root.removeHandler, self.logs)
        root.addHandler(self.logs)
        root.setLevel(logging.DEBUG)
        # Order matters: cleanups run last-in first-out, so the emulator is
        # healed before the leak and secret checks of the next test start.
        self.addCleanup(self.emulator.clear_faults)
        self.node = self.create_node(
            msftocs_base_url=self.emulator.url.rstrip('/'),
            msftocs_blade_id=BLADE, msftocs_password=self.password,
            msftocs_auth_type='basic')

    @staticmethod
    def _children():
        return {child.pid for child in
                psutil.Process().children(recursive=True)
                if child.is_running()
                and child.status() != psutil.STATUS_ZOMBIE}

    def point_node_at(self, base_url):
        """Change the node's chassis-manager URL.

        :param base_url: the new ``msftocs_base_url``.
        """
        self.node.driver_info = dict(self.node.driver_info,
                                     msftocs_base_url=base_url)
        self.node.save()

    def assert_no_secret_logged(self):
        """No captured log line contains a secret of this test."""
        # The failure itself is logged: an empty capture would prove nothing.
        self.assertTrue(self.logs.lines, 'no log line was captured')
        for line in self.logs.lines:
            for secret in self.secrets:
                self.assertNotIn(secret, line,
                                 'a secret was logged: %r' % line)

    @staticmethod
    def _new_threads(before):
        """Live threads not in ``before``, ironic's dying workers aside.

        oslo.service's threading looping call (which ironic's
        ``node_wait_for_power_state`` uses) gives each wait a one-thread
        futurist executor that it never shuts down; once the executor is
        garbage, its worker stops by itself within a second. Such a worker
        is not a leak.
        """
        gc.collect()
        return [t for t in set(threading.enumerate()) - before
                if t.is_alive() and not (
                    isinstance(t, futurist_thread.ThreadWorker)
                    and t.executor_ref() is None)]

    def assert_nothing_left_behind(self, wait=3.0):
        """No new thread or child process outlives the operation.

        Threads that are finishing get ``wait`` seconds to end.
        """
        deadline = time.monotonic() + wait
        while True:
            threads = self._new_threads(self._threads_before)
            children = self._children() - self._children_before
            if not (threads or children) or time.monotonic() > deadline:
                break
            time.sleep(0.05)
        self.assertEqual([], [t.name for t in threads],
                         'threads left behind')
        self.assertEqual(set(), children, 'child processes left behind')

    def assert_sent_at_most_once(self, operations):
        """No state-changing operation reached the emulator twice.

        :param operations: names of the state-changing CM operations.
        """
        counts = self.emulator.stats()['operations']
        for name in operations:
            self.assertLessEqual(counts.get(name, 0), 1,
                                 '%s was sent %d times'
                                 % (name, counts.get(name, 0)))

    def assert_fails_in_time(self, budget, expected, func, *args, **kwargs):
        """Run a call that must fail with ``expected`` within ``budget``.

        :param budget: seconds allowed (scheduling slack is added).
        :param expected: an exception class or a tuple of them.
        :returns: the exception raised.
        """
        start = time.monotonic()
        with self.assertRaises(expected) as caught:
            func(*args, **kwargs)
        elapsed = time.monotonic() - start
        self.assertLess(elapsed, budget + SLACK,
                        'the failure took %.1f s, budget %.1f s'
                        % (elapsed, budget))
        return caught.exception


def add_fault_tests(test_case, operations, faults, applies):
    """Add one ``test_<operation>_<fault>`` method per applicable pair.

    Each test calls ``test_case.check(operation, fault)``.

    :param test_case: the :class:`FaultTestCase` subclass to extend.
    :param operations: objects with a ``name``.
    :param faults: objects with a ``name``.
    :param applies: ``applies(operation, fault)`` -> whether the pair is
        tested.
    """
    for operation in operations:
        for fault in faults:
            if not applies(operation, fault):
                continue

            def test(self, operation=operation, fault=fault):
                self.check(operation, fault)

            test.__name__ = 'test_%s_%s' % (operation.name, fault.name)
            test.__doc__ = '%s fails cleanly on %s' % (operation.name,
                                                       fault.name)
            setattr(test_case, test.__name__, test)
