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


"""The waits of the stalling faults (``drip``, ``hang``).

A stall waits in short slices with the application's sleep function, so
that both the emulator's stop (the sleep returns true) and a clear of the
faults end it promptly.
"""

from msftocs_driver.emulator import faults

#: Longest single wait of a stall, so that a clear ends it promptly.
STALL_SLICE = 0.25


class Stall(object):
    """Waits of a stalled reply, cut short by a stop or a clear.

    :param sleep: the application's sleep function; a true return value
        means the server is stopping.
    :param cleared: the injector's :meth:`.faults.FaultInjector.cleared_event`.
    """

    def __init__(self, sleep, cleared):
        self._sleep = sleep
        self._cleared = cleared
        self.stopped = False

    def wait(self, seconds):
        """Wait up to ``seconds``, in slices of :data:`STALL_SLICE`.

        :returns: True if the whole wait elapsed, False if the server is
            stopping or the faults were cleared.
        """
        waited = 0.0
        while waited < seconds:
            if self.stopped or self._cleared.is_set():
                return False
            step = min(STALL_SLICE, seconds - waited)
            if self._sleep(step):
                self.stopped = True
                return False
            waited += step
        return not (self.stopped or self._cleared.is_set())


def hang(stall, seconds):
    """Answer nothing for ``seconds``, then close without a reply.

    :raises: faults.ConnectionDrop, always.
    """
    stall.wait(seconds)
    raise faults.ConnectionDrop()


def drip(body, seconds, stall):
    """Yield ``body`` one byte at a time, ``seconds`` apart.

    The first byte goes at once (with the headers). After a clear the rest
    goes in one piece; after a stop the connection closes.
    """
    for index in range(len(body)):
        if index and not stall.wait(seconds):
            if stall.stopped:
                raise faults.ConnectionDrop()
            yield body[index:]
            return
        yield body[index:index + 1]
