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


"""Blade serial console sessions (reference 8.1, 8.2 and 8.3).

v2.5: one session per blade, at most 12 per chassis; the session token is
the only ownership check. Start and Send refresh the inactivity timer,
Receive does not. The serial APIs leave statusDescription empty for an
out-of-range blade id.

v2.0 (the chassis' :class:`~.versions.CmProfile` says which): one session
in the whole chassis, so a Start on any blade while it is open answers
SerialSessionActive, as do Send, Receive and Stop naming another blade;
``sessionTimeoutInSecs`` has no upper bound; Send writes its bytes one at
a time (75 ms each) and refuses an empty buffer; an idle Receive waits for
the 100 ms serial read timeout and answers Timeout; Stop with forceKill
stops whichever blade holds the session, and without one answers
NoActiveSerialSession. The serial APIs never run ApiGreenSignalling.
"""

import hmac

from msftocs_driver.emulator.operations import common
from msftocs_driver.emulator.operations.common import operation
from msftocs_driver.emulator.operations.common import Role
from msftocs_driver.ocs import constants

CODE = constants.CompletionCode
#: Start attempts with powerOnWait (the CM's SerialSessionPowerOnRetry).
POWER_ON_RETRIES = 10
#: Wait between them when no seconds are left to wait out (the CM's
#: SerialSessionPowerOnWait).
POWER_ON_WAIT = 5
#: A BMC that does not answer while the CM holds a session, e.g. the blade
#: was pulled: Send and Receive fail (reference 8.2).
_BMC_ERROR = (CODE.Failure, CODE.Failure.name)


def _blade_id(params):
    """The blade id as the serial APIs see it: ``(byte)bladeId``.

    Ids of 256 and more wrap around (a CM v2.5 bug, reference 9): 257 is
    blade 1.
    """
    return params.int('bladeId') & 0xFF


def _out_of_range():
    return CODE.ParameterOutOfRange, ''


def _start_failure(code, description=''):
    return 'StartSerialResponse', common.envelope(code, description) + [
        ('serialSessionToken', None)]


def _power_on_and_wait(chassis, blade_id):
    """powerOnWait: switch the blade on and wait out the decompression."""
    chassis.switch_power_on(blade_id)
    for attempt in range(POWER_ON_RETRIES + 1):
        with chassis.lock:
            blade = chassis.blade(blade_id)
            now = chassis.clock()
            if not blade.decompressing(now):
                return None
            remaining = blade.decompression_remaining(now)
        if attempt < POWER_ON_RETRIES:
            chassis.sleep(remaining or POWER_ON_WAIT)
    return common.decompressing(remaining)


@operation('StartBladeSerialSession', Role.admin)
def start_blade_serial_session(chassis, params):
    blade_id = _blade_id(params)
    timeout = params.int('sessionTimeoutInSecs')
    power_on_wait = params.bool('powerOnWait')
    if not chassis.valid_id(blade_id):
        return _start_failure(*_out_of_range())
    longest = chassis.profile.max_session_timeout
    if timeout < 0 or (longest is not None and timeout > longest):
        return _start_failure(CODE.ParameterOutOfRange,
                              'Session Timeout out of range')
    if power_on_wait:
        failure = _power_on_and_wait(chassis, blade_id)
    else:
        with chassis.lock:
            failure = common.check_power(chassis.blade(blade_id),
                                         chassis.clock())
    if failure:
        return _start_failure(*failure)
    with chassis.bmc_bus(), chassis.lock:
        blade = chassis.blade(blade_id)
        if blade.session is not None:
            return _start_failure(CODE.SerialSessionActive)
        if chassis.session_count >= chassis.profile.max_sessions:
            if chassis.profile.chassis_wide_session:
                return _start_failure(CODE.SerialSessionActive)
            return _start_failure(CODE.MaxSerialSessionReached)
        if not blade.bmc_reachable(chassis.clock()):
            return _start_failure(CODE.Failure)
        token = chassis.open_session(blade, timeout)
    return 'StartSerialResponse', common.envelope(common.SUCCESS) + [
        ('serialSessionToken', token)]


def _check(chassis, blade_id, token, force=False, touch=False):
    """Checks of Send, Receive and Stop, in the CM's order.

    Blade id range, Blade_EN and decompression, then (unless ``force``)
    the session and its token.

    :param touch: refresh the session's activity time when the token is
        right (Send does; Receive does not).
    :returns: ``(code, description)`` of the failure, or None.
    """
    if not chassis.valid_id(blade_id):
        return _out_of_range()
    with chassis.lock:
        blade = chassis.blade(blade_id)
        now = chassis.clock()
        failure = common.check_power(blade, now)
        if failure or force:
            return failure
        if blade.session is None:
            if (chassis.profile.chassis_wide_session
                    and chassis.session_holder() is not None):
                # The session metadata names another blade (v2.0).
                return CODE.SerialSessionActive, CODE.SerialSessionActive.name
            return CODE.NoActiveSerialSession, CODE.NoActiveSerialSession.name
        if not hmac.compare_digest((token or '').encode(),
                                   blade.session.token.encode()):
            return CODE.SerialSessionActive, CODE.SerialSessionActive.name
        if touch:
            blade.session.last_activity = now
    return None


@operation('SendBladeSerialData', Role.admin)
def send_blade_serial_data(chassis, params):
    blade_id = _blade_id(params)
    token = params.string('sessionToken')
    data = params.base64('data')
    # A right token counts as activity, even with no data.
    failure = _check(chassis, blade_id, token, touch=True)
    if not failure and len(data) > constants.MAX_SERIAL_SEND_BYTES:
        failure = common.OUT_OF_RANGE
    if not failure and not data and chassis.profile.empty_send_fails:
        failure = _BMC_ERROR
    if failure:
        return 'ChassisResponse', common.envelope(*failure)
    pace = chassis.profile.send_byte_seconds
    pieces = [data[i:i + 1] for i in range(len(data))] if pace else [data]
    for index, piece in enumerate(pieces):
        if index:
            chassis.sleep(pace)
        with chassis.bmc_bus(), chassis.lock:
            blade = chassis.blade(blade_id)
            if blade.session is None:  # stopped meanwhile: BMC code 0x9A
                return 'ChassisResponse', common.envelope(
                    CODE.NoActiveSerialSession,
                    CODE.NoActiveSerialSession.name)
            if not blade.bmc_reachable(chassis.clock()):
                return 'ChassisResponse', common.envelope(*_BMC_ERROR)
            blade.console.host_input(piece, blade.host_on)
    if pace and pieces:
        chassis.sleep(pace)  # the last byte's SerialConsoleDelay
    return 'ChassisResponse', common.envelope(common.SUCCESS,
                                              common.SUCCESS.name)


def _receive_reply(code, description, data=b''):
    # A failed Receive still carries an empty <data/> (ChassisManager.cs
    # v2.5 initialises it), not i:nil.
    return 'SerialDataResponse', common.envelope(code, description) + [
        ('data', data)]


def _take_output(chassis, blade_id):
    """Read the blade's console buffer.

    :returns: ``(failure or None, data)``.
    """
    with chassis.bmc_bus(), chassis.lock:
        blade = chassis.blade(blade_id)
        if not blade.bmc_reachable(chassis.clock()):
            return _BMC_ERROR, b''
        console = blade.console
        if console.overflowed and chassis.profile.overflow_code:
            # Output was lost; the session stays open (reference 8.1).
            console.overflowed = False
            return (CODE.BmcRxSerialBufferOverflow,
                    CODE.BmcRxSerialBufferOverflow.name), b''
        console.overflowed = False
        return None, console.read(constants.SERIAL_RECEIVE_CHUNK)


@operation('ReceiveBladeSerialData', Role.admin)
def receive_blade_serial_data(chassis, params):
    blade_id = _blade_id(params)
    failure = _check(chassis, blade_id, params.string('sessionToken'))
    if failure:
        return _receive_reply(*failure)
    failure, data = _take_output(chassis, blade_id)
    idle_wait = chassis.profile.idle_receive_seconds
    if not failure and not data and idle_wait:
        # v2.0: the serial read waits out its timeout, then Timeout.
        chassis.sleep(idle_wait)
        failure, data = _take_output(chassis, blade_id)
        if not failure and not data:
            failure = CODE.Timeout, CODE.Timeout.name
    if failure:
        return _receive_reply(*failure)
    # v2.5 with nothing buffered: Success and an empty <data/>, assuming
    # the BMC answers with a zero-length payload (inference, reference 8.1).
    return _receive_reply(common.SUCCESS, common.SUCCESS.name, data)


@operation('StopBladeSerialSession', Role.admin)
def stop_blade_serial_session(chassis, params):
    blade_id = _blade_id(params)
    token = params.string('sessionToken')
    force = params.bool('forceKill')
    # forceKill skips the session checks and always stops (on the BMC
    # too): on v2.5, Success even when the CM had no session.
    failure = _check(chassis, blade_id, token, force=force)
    if failure:
        return 'ChassisResponse', common.envelope(*failure)
    with chassis.bmc_bus(), chassis.lock:
        target = chassis.blade(blade_id)
        if force and chassis.profile.force_stop_any_blade:
            # v2.0: the blade holding the mux, whichever; none is an error.
            target = chassis.session_holder()
            if target is None:
                return 'ChassisResponse', common.envelope(
                    CODE.NoActiveSerialSession,
                    CODE.NoActiveSerialSession.name)
        # A BMC error on stop is only logged by the CM: still Success.
        target.session = None
    return 'ChassisResponse', common.envelope(common.SUCCESS,
                                              common.SUCCESS.name)
