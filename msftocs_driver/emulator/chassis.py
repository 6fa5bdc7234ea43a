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


"""The emulated chassis: its blades, the shared BMC bus and the clock.

All model state is guarded by one lock, :attr:`Chassis.lock`, held only
briefly. Blade BMC traffic additionally goes through :meth:`Chassis.bmc_bus`:
on a real chassis every IPMI exchange of every blade shares one serial
line and one worker thread (reference 10), so BMC calls are serialised
chassis-wide and each costs ``bus_cost`` seconds. Blade_EN switch calls use
another line and skip it.

The chassis also holds the CM version's :class:`~.versions.CmProfile`
(``profile``), which the control API can change, and the v2.0 CM's
``ApiGreenSignalling`` (:meth:`Chassis.green_signal`) with its counter of
killed sessions.
"""

import contextlib
import secrets
import threading
import time

from msftocs_driver.emulator import blade as blade_mod
from msftocs_driver.emulator import console
from msftocs_driver.emulator import versions
from msftocs_driver.ocs import constants

#: Inactivity timeout of a session started with sessionTimeoutInSecs=0.
DEFAULT_SERIAL_TIMEOUT = 300
#: statusDescription of an API refused by ApiGreenSignalling: the text
#: the v2.x GetChassisInfo source writes; that the ValidateRequest path
#: writes the same is an inference.
SESSION_BUSY = 'Device busy.Another serial session active.'


def new_session_token():
    """8 random non-zero bytes as uppercase hex with dashes (23 chars)."""
    return '-'.join('%02X' % (secrets.randbelow(255) + 1) for _ in range(8))


class Chassis(object):
    """In-memory state of one chassis.

    :param config: a :class:`~msftocs_driver.emulator.config.ChassisConfig`.
    :param clock: monotonic clock returning seconds (injectable for tests).
    :param sleep: sleep function (injectable for tests).
    :param backend: where the blades come from; the state model
        (:class:`~.blade.ModelBackend`) by default.
    """

    def __init__(self, config, clock=time.monotonic, sleep=time.sleep,
                 backend=None):
        self.config = config
        self.population = config.blades
        self.clock = clock
        self.sleep = sleep
        self.lock = threading.RLock()
        self._bus = threading.Lock()
        self.bus_cost = config.bus_cost
        self.started = clock()
        self.backend = backend or blade_mod.ModelBackend()
        self._blades = []
        self.reset()

    def reset(self):
        """Return to the initial state.

        Every blade, the chassis LED, the configured CM version and the
        kill counter.
        """
        with self.lock:
            self.backend.discard(self._blades)
            self._blades = [self.backend.make_blade(i, self.config.slot(i))
                            for i in range(1, self.population + 1)]
            self.chassis_led_on = False
            self.profile = versions.profile(self.config.cm_version)
            self.kill_serial_session = self.config.kill_serial_session
            #: Serial sessions force-stopped by ApiGreenSignalling.
            self.sessions_killed = 0
            for blade in self._blades:
                if blade.host_on:
                    blade.console.host_booted()

    def close(self):
        """Release the blades and the backend (a VM backend stops its VMs)."""
        with self.lock:
            self.backend.discard(self._blades)
            self._blades = []
        self.backend.close()

    def valid_id(self, blade_id):
        """Whether ``blade_id`` is a slot of this chassis."""
        return 1 <= blade_id <= self.population

    def blade(self, blade_id):
        """Return a blade with its due transitions applied.

        The caller must hold :attr:`lock` and pass a valid id.
        """
        blade = self._blades[blade_id - 1]
        blade.settle(self.clock())
        return blade

    @contextlib.contextmanager
    def bmc_bus(self):
        """Hold the chassis-wide BMC bus for one IPMI exchange."""
        with self._bus:
            if self.bus_cost:
                self.sleep(self.bus_cost)
            yield

    @property
    def decompression_seconds(self):
        """Decompression time after a switch-on.

        The configured one, else the CM version's default.
        """
        if self.config.decompression_seconds is not None:
            return self.config.decompression_seconds
        return self.profile.decompression_seconds

    def set_cm(self, version=None, kill_serial_session=None):
        """Change the emulated CM version or KillSerialConsoleSession.

        :raises: ValueError for an unknown version.
        """
        with self.lock:
            if version is not None:
                self.profile = versions.profile(version)
            if kill_serial_session is not None:
                self.kill_serial_session = kill_serial_session

    def cm_dict(self):
        """The CM version settings and counters, for the control API."""
        with self.lock:
            return {'version': self.profile.version,
                    'service_version': self.profile.service_version,
                    'kill_serial_session': self.kill_serial_session,
                    'serial_sessions_killed': self.sessions_killed}

    def session_holder(self):
        """The blade holding a serial session, or None (v2.0: at most one).

        The caller holds :attr:`lock`.
        """
        for blade in self._blades:
            if blade.session is not None:
                return blade
        return None

    def green_signal(self):
        """ApiGreenSignalling of a v2.0 CM (reference 8.3).

        Without a serial session in the chassis the API proceeds. With one,
        and KillSerialConsoleSession on, the session is force-stopped
        (whichever blade holds it) and the API proceeds; with it off, the
        API is refused. A v2.5 CM has no such check.

        :returns: ``(code, description)`` of a refusal, or None.
        """
        if not self.profile.green_signalling:
            return None
        with self.lock:
            holder = self.session_holder()
            if holder is None:
                return None
            if not self.kill_serial_session:
                return constants.CompletionCode.SerialSessionActive, (
                    SESSION_BUSY)
            holder.session = None
            self.sessions_killed += 1
        return None

    def switch_power_on(self, blade_id):
        """SetPowerOn: turn Blade_EN on (no-op if already on)."""
        with self.lock:
            self.blade(blade_id).switch_power_on(
                self.clock(), self.decompression_seconds)

    def switch_power_off(self, blade_id):
        """SetPowerOff: kill the blade's serial session, cut Blade_EN."""
        with self.lock:
            self.blade(blade_id).switch_power_off()
        if self.config.power_off_wait:
            # WaitTimeAfterBladeHardPowerOffInMsecs (reference 6.1).
            self.sleep(self.config.power_off_wait)

    @property
    def session_count(self):
        """Number of open blade serial sessions."""
        return sum(1 for blade in self._blades if blade.session is not None)

    def open_session(self, blade, timeout):
        """Open a serial session on a blade and flush its BMC buffer.

        The caller holds :attr:`lock` and has checked the limits.

        :param timeout: inactivity timeout; 0 means the CM default.
        :returns: the new session token.
        """
        token = new_session_token()
        blade.console.flush()
        blade.session = console.SerialSession(
            token=token, timeout=timeout or DEFAULT_SERIAL_TIMEOUT,
            last_activity=self.clock())
        return token

    def expire_sessions(self):
        """Force-stop the sessions idle longer than their timeout.

        The CM runs this from a background thread about every 10 s.

        :returns: the ids of the blades whose session was stopped.
        """
        expired = []
        with self.lock:
            now = self.clock()
            for blade in self._blades:
                if blade.session is not None and blade.session.expired(now):
                    blade.session = None
                    expired.append(blade.blade_id)
        return expired

    def update_blade(self, blade_id, changes):
        """Apply a control-API change to one blade.

        :param changes: validated values for ``present``, ``type``,
            ``switch_on``, ``host_on`` and ``decompression_seconds``.
        """
        with self.lock:
            blade = self.blade(blade_id)
            if 'decompression_seconds' in changes:
                blade.decompression_seconds = changes['decompression_seconds']
            if changes.get('present') is False:
                blade.leave_slot()
            elif changes.get('present') is True:
                blade.present = True
            if 'type' in changes:
                blade.blade_type = constants.BladeType(changes['type'])
                # Re-classified at the CM's next poll; at once here.
                blade.cached_type = constants.BladeType.Unknown
            if changes.get('switch_on') is True:
                blade.switch_power_on(self.clock(),
                                      self.decompression_seconds)
            elif changes.get('switch_on') is False:
                blade.switch_power_off()
            if 'host_on' in changes and blade.present and blade.switch_on:
                blade.set_host_power(changes['host_on'])

    def blade_dict(self, blade_id):
        """One blade as the control API shows it."""
        with self.lock:
            return self.blade(blade_id).to_dict(self.clock())

    def to_dict(self):
        """The chassis as ``GET /_emulator/state`` shows it."""
        with self.lock:
            now = self.clock()
            blades = {str(i): self.blade(i).to_dict(now)
                      for i in range(1, self.population + 1)}
            return {'blades': blades, 'chassis_led_on': self.chassis_led_on,
                    'sessions': self.session_count, 'cm': self.cm_dict()}
