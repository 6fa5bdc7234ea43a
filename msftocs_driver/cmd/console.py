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

"""``msftocs-console``: a terminal bridged to a blade serial session.

socat runs this program for every TCP connection to a node's console port,
with a pty as stdin and stdout. Bytes typed on the terminal go to the blade's
serial console through SendBladeSerialData; a reader thread polls
ReceiveBladeSerialData and writes what the blade printed. The chassis-manager
session is stopped on end of input, SIGTERM, SIGHUP or SIGINT.

socat runs it with no argument: its settings, the password among them, come
from the private (0600) file named by the environment variable
``MSFTOCS_CONSOLE_SETTINGS`` (see
:mod:`msftocs_driver.common.console_settings`), and the token of the session
it holds is kept in the file the settings name, so that the conductor can
stop that very session if this program gets killed. Run by hand, it takes
options instead; the password is then read from a file (``--password-file``,
a regular file of the current user that nobody else can read) or from the
environment variable ``MSFTOCS_PASSWORD``. It is never accepted as an
argument, so it never shows in the process list. Failures are reported as
one line on stderr, which socat sends to the terminal, and a non-zero exit
status.

The program only depends on the chassis-manager client library and
standard-library helpers, so that it starts quickly for each connection.
"""

import contextlib
import logging
import os
import select
import signal
import sys
import termios
import threading
import tty

from msftocs_driver.cmd import console_options as options
from msftocs_driver.common import private_files
from msftocs_driver.common import serial_errors
from msftocs_driver.ocs import client as ocs_client
from msftocs_driver.ocs import exceptions as ocs_exc
from msftocs_driver.ocs import serial as ocs_serial

EXIT_OK = 0
EXIT_CM_ERROR = 1
EXIT_USAGE = 2

_READ_SIZE = 4096
_READER_JOIN_TIMEOUT = 2.0
_STOP_SIGNALS = (signal.SIGTERM, signal.SIGHUP, signal.SIGINT)


@contextlib.contextmanager
def raw_terminal(fd):
    """Put a terminal in raw mode for the duration of the block.

    The pty socat creates echoes and edits lines by default; raw mode passes
    every byte (Ctrl-C included) to the blade. Nothing happens when ``fd``
    is not a terminal. The previous settings are restored on exit.

    :param fd: the file descriptor of the terminal.
    """
    if not os.isatty(fd):
        yield
        return
    saved = termios.tcgetattr(fd)
    tty.setraw(fd, termios.TCSANOW)
    try:
        yield
    finally:
        try:
            # TCSANOW: draining output could wait long for a terminal
            # whose other side is gone.
            termios.tcsetattr(fd, termios.TCSANOW, saved)
        except termios.error:
            pass  # the terminal is gone


def _write_all(fd, data):
    while data:
        written = os.write(fd, data)
        data = data[written:]


class Bridge(object):
    """Copy bytes between two file descriptors and a serial session.

    :param session: an opened
        :class:`~msftocs_driver.ocs.serial.SerialSession`.
    :param input_fd: where the user's keystrokes come from.
    :param output_fd: where the blade's output goes.
    """

    def __init__(self, session, input_fd, output_fd):
        self._session = session
        self._input_fd = input_fd
        self._output_fd = output_fd
        self._stopping = threading.Event()
        self._error = None
        self._reader = None
        self._closed = False
        # Wakes the input loop, which waits in select() without a timeout.
        self._wake_r, self._wake_w = os.pipe()
        os.set_blocking(self._wake_w, False)

    def stop(self, *_args):
        """Ask the bridge to finish; safe from a signal handler.

        Only the wake-up pipe is written; the input loop, woken, sets the
        stop event. A signal handler must not set it: ``Event.set`` takes
        a lock that the interrupted main thread may hold.
        """
        try:
            os.write(self._wake_w, b'x')
        except OSError:
            pass  # the pipe is full: a wake-up is pending anyway

    def close(self):
        """Release the wake-up pipe.

        Call it once nothing can call :meth:`stop` any more: after the
        signal handlers were restored. A reader thread still blocked (in a
        chassis-manager call or on a terminal nobody reads) may still call
        :meth:`stop`, so the pipe is then left to the end of the process
        rather than closed under it, where its descriptor could be reused
        by another file that would receive the wake-up byte.
        """
        if self._closed or (self._reader and self._reader.is_alive()):
            return
        self._closed = True
        os.close(self._wake_r)
        os.close(self._wake_w)

    def run(self):
        """Copy until end of input, :meth:`stop` or an error.

        :raises: OCSError that ended the session on the chassis side.
        """
        self._reader = threading.Thread(target=self._copy_output,
                                        name='msftocs-console-reader',
                                        daemon=True)
        self._reader.start()
        try:
            self._copy_input()
        finally:
            self._stopping.set()
            # The reader checks the flag before every poll. If it is stuck,
            # the session is closed anyway afterwards, and a closed session
            # is never restarted.
            self._reader.join(_READER_JOIN_TIMEOUT)
        if self._error is not None:
            raise self._error

    def _copy_input(self):
        while True:
            ready, _w, _x = select.select(
                [self._input_fd, self._wake_r], [], [])
            if self._wake_r in ready:
                return
            try:
                data = os.read(self._input_fd, _READ_SIZE)
            except OSError:
                # EIO: socat closed the pty master (connection gone).
                return
            if not data:
                return
            try:
                self._session.write(data)
            except ocs_exc.OCSError as exc:
                self._error = exc
                return

    def _copy_output(self):
        try:
            for data in self._session.iter_output(self._stopping):
                _write_all(self._output_fd, data)
        except ocs_exc.OCSError as exc:
            if not self._stopping.is_set():
                self._error = exc
        except OSError:
            # The terminal went away; the input side sees it too.
            pass
        finally:
            self.stop()


def _fail(message):
    sys.stderr.write('%s: %s\n' % (options.PROG, message))
    sys.stderr.flush()


def token_keeper(path):
    """A ``SerialSession`` ``on_token`` callback keeping tokens in a file.

    :param path: the token file (private, 0600), or None to keep nothing.
    :returns: a callable.
    """
    def keep(token):
        if path is None:
            return
        try:
            if token is None:
                private_files.unlink_quietly(path)
            else:
                private_files.write(path, token.encode('ascii'))
        except OSError as exc:
            # Not fatal: the chassis manager's inactivity timeout still
            # ends a session nobody can name.
            _fail('cannot keep the session token in %s: %s'
                  % (path, exc.strerror))
    return keep


def main(argv=None):
    """Run the console bridge.

    :param argv: arguments without the program name (``sys.argv[1:]``).
    :returns: the exit status.
    """
    # Library warnings would land in the middle of the console stream.
    logging.getLogger().addHandler(logging.NullHandler())
    if argv is None:
        argv = sys.argv[1:]
    try:
        args, password = options.parse(argv, os.environ)
    except options.UsageError as exc:
        _fail(exc)
        return EXIT_USAGE

    try:
        client = ocs_client.ChassisManagerClient(
            args.base_url, args.username, password, auth=args.auth_type,
            verify=args.verify_ca, connect_timeout=args.connect_timeout,
            read_timeout=args.read_timeout)
    except ValueError as exc:  # a malformed --base-url
        _fail(exc)
        return EXIT_USAGE
    session = ocs_serial.SerialSession(
        client, args.blade_id, poll_interval=args.poll_interval,
        force_takeover=args.force_takeover,
        on_token=token_keeper(args.token_file),
        **ocs_serial.options_for_version(
            args.cm_version, args.read_timeout, args.session_timeout))
    bridge = Bridge(session, sys.stdin.fileno(), sys.stdout.fileno())
    previous = {signum: signal.signal(signum, bridge.stop)
                for signum in _STOP_SIGNALS}
    try:
        with raw_terminal(sys.stdin.fileno()):
            try:
                session.open()
                bridge.run()
            finally:
                session.close()
    except ocs_exc.OCSError as exc:
        _fail(serial_errors.describe_error(exc, args.blade_id))
        return EXIT_CM_ERROR
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        bridge.close()
        client.close()
    return EXIT_OK


if __name__ == '__main__':
    sys.exit(main())
