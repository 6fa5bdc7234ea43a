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


"""What differs between the chassis-manager versions the emulator models.

``2.5`` (the default) follows CM v2.5; ``2.0`` follows the v2.0 sources
(reference 8.3 and the facts tagged [v2.0]): one serial session per
chassis, which almost every blade API kills (``ApiGreenSignalling``), a
slower serial line, a longer firmware decompression and an older
``GetServiceVersion``. The handlers read the :class:`CmProfile` of the
chassis (``chassis.profile``) instead of comparing version strings.
"""

import dataclasses

from msftocs_driver.ocs import constants

V2_5 = '2.5'
V2_0 = '2.0'
#: Accepted values of ``--cm-version``, the default first.
VERSIONS = (V2_5, V2_0)
DEFAULT = V2_5


@dataclasses.dataclass(frozen=True)
class CmProfile(object):
    """The behaviour of one CM version.

    :ivar version: ``2.5`` or ``2.0``.
    :ivar service_version: what ``GetServiceVersion`` answers.
    :ivar decompression_seconds: default ``FirmwareDecompressionTime``.
    :ivar power_limit_active: whether ``GetBladePowerLimit`` carries
        ``isPowerLimitActive``.
    :ivar max_sessions: serial sessions open at once in the chassis.
    :ivar max_session_timeout: upper bound of ``sessionTimeoutInSecs``, or
        None for none.
    :ivar green_signalling: whether blade APIs run ``ApiGreenSignalling``
        (kill the chassis' serial session, or refuse with
        ``SerialSessionActive``).
    :ivar idle_receive_seconds: a Receive with nothing buffered waits this
        long and answers ``Timeout``; None: ``Success`` with no data at
        once.
    :ivar send_byte_seconds: Send writes the bytes one at a time, each
        taking this long; 0: the whole buffer at once.
    :ivar empty_send_fails: whether a Send without data is ``Failure``.
    :ivar overflow_code: whether a lost console output is reported with
        ``BmcRxSerialBufferOverflow`` (a v2.5-only code, reference 4.1).
    :ivar force_stop_any_blade: whether ``forceKill`` stops the session
        whatever blade holds it (and answers ``NoActiveSerialSession``
        without one) instead of acting on the given blade only.
    """

    version: str
    service_version: str
    decompression_seconds: float
    power_limit_active: bool
    max_sessions: int
    max_session_timeout: int
    green_signalling: bool
    idle_receive_seconds: float
    send_byte_seconds: float
    empty_send_fails: bool
    overflow_code: bool
    force_stop_any_blade: bool

    @property
    def chassis_wide_session(self):
        """Whether one session holds the whole chassis (the v2.0 mux)."""
        return self.max_sessions == 1


PROFILES = {
    V2_5: CmProfile(
        version=V2_5, service_version='2.5.0.0', decompression_seconds=28.0,
        power_limit_active=True,
        max_sessions=constants.MAX_SERIAL_SESSIONS,
        max_session_timeout=constants.MAX_SERIAL_SESSION_TIMEOUT,
        green_signalling=False, idle_receive_seconds=None,
        send_byte_seconds=0.0, empty_send_fails=False, overflow_code=True,
        force_stop_any_blade=False),
    V2_0: CmProfile(
        # AssemblyVersion 2.0.1.3; FirmwareDecompressionTime 35 in App.config
        # (reference 6.1, 6.3).
        version=V2_0, service_version='2.0.1.3', decompression_seconds=35.0,
        power_limit_active=False,
        # The serial mux connects one blade at a time (reference 8.3).
        max_sessions=1, max_session_timeout=None, green_signalling=True,
        # The 100 ms serial read timeout, then Timeout: the idle answer.
        idle_receive_seconds=0.1,
        # SerialConsoleDelay: 75 ms per byte (reference 8.3).
        send_byte_seconds=0.075,
        # SerialPortManager.cs checks request.Length > 3, so a Send with
        # no data is refused; that it surfaces as Failure is what the
        # driver has to cope with (issue statement; not run on hardware).
        empty_send_fails=True, overflow_code=False,
        force_stop_any_blade=True),
}


def profile(version):
    """The :class:`CmProfile` of ``version``.

    :raises: ValueError naming the accepted versions.
    """
    try:
        return PROFILES[version]
    except KeyError:
        raise ValueError('cm_version: must be one of %s, got %r'
                         % (', '.join(VERSIONS), version))
