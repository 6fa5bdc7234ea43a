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


"""Starting and stopping the QEMU processes of the VM backend.

Everything that touches real processes is behind :class:`Launcher`, so the
backend's unit tests can replace it with a fake and run without QEMU.

:class:`SubprocessLauncher` starts each VM in a process group of its own
and asks the kernel to kill it when the emulator dies
(``PR_SET_PDEATHSIG``): an emulator killed with SIGKILL leaves no VM
behind. The death signal follows the *thread* that forked the child, so
every child is forked by one launcher thread that lives as long as the
emulator, never by a short-lived request worker.
"""

import concurrent.futures
import contextlib
import ctypes
import os
import signal
import subprocess
import time

import psutil

_PR_SET_PDEATHSIG = 1


class Launcher(object):
    """What the VM backend needs from the operating system."""

    def start(self, argv, log_path):
        """Start a process; its output goes to ``log_path``.

        :returns: a :class:`Process`.
        """
        raise NotImplementedError

    def close(self):
        """Release the launcher's own resources."""


class Process(object):
    """A started process."""

    pid = None

    def alive(self):
        """Whether the process still runs."""
        raise NotImplementedError

    def stop(self, timeout):
        """End the process and its group (SIGTERM, later SIGKILL).

        :param timeout: seconds between the two signals.
        """
        raise NotImplementedError


def group_alive(pgid):
    """Whether a process group still has a live (not zombie) member."""
    for proc in psutil.process_iter(['status']):
        if proc.info['status'] == psutil.STATUS_ZOMBIE:
            continue
        with contextlib.suppress(OSError):
            if os.getpgid(proc.pid) == pgid:
                return True
    return False


def _die_with_parent(parent):
    """preexec_fn: SIGKILL this child when its forking thread ends."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:  # the parent died before prctl
        os._exit(1)


class _Subprocess(Process):

    def __init__(self, popen):
        self._popen = popen
        self.pid = popen.pid

    def alive(self):
        return self._popen.poll() is None

    def stop(self, timeout):
        for signum, grace in ((signal.SIGTERM, timeout),
                              (signal.SIGKILL, 5.0)):
            # The group holds QEMU and what its guestfwd rules spawned.
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.pid, signum)
            deadline = time.monotonic() + grace
            while time.monotonic() < deadline:
                if not self.alive() and not group_alive(self.pid):
                    return
                time.sleep(0.05)


class SubprocessLauncher(Launcher):
    """Real processes, forked by one long-lived thread."""

    def __init__(self):
        self._thread = concurrent.futures.ThreadPoolExecutor(
            max_workers=1, thread_name_prefix='vm-launcher')

    def _spawn(self, argv, log_path):
        with open(log_path, 'ab') as log:
            popen = subprocess.Popen(
                argv, stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                start_new_session=True,
                preexec_fn=lambda parent=os.getpid(): _die_with_parent(parent))
        return _Subprocess(popen)

    def start(self, argv, log_path):
        return self._thread.submit(self._spawn, argv, log_path).result()

    def close(self):
        self._thread.shutdown(wait=False)
