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


"""Blade serial console sessions, CM v2.5 behaviour (reference 8.1, 8.2).

One session per blade, at most 12 per chassis; the session token is the
only ownership check. Start and Send refresh the inactivity timer, Receive
does not. The serial APIs leave statusDescription empty for an
out-of-range blade id.
"""

import hmac

from msftocs_driver.emulator.operations import common
from msftocs_driver.emulator.operations.common import operation
from msftocs_driver.emulator.operations.common import Role
from msftocs_driver.ocs import constants

CODE = constants.CompletionCode
#: Start attempts with powerOnWait (the CM's SerialSessionPowerOnRetry).
POWER_ON_RETRIES = 10
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
            remaining = blade.decompression_remaining(chassis.clock())
        if not remaining:
            return None
        if attempt < POWER_ON_RETRIES:
            chassis.sleep(remaining)
    return common.decompressing(remaining)


@operation('StartBladeSerialSession', Role.admin)
def start_blade_serial_session(chassis, params):
    blade_id = _blade_id(params)
    timeout = params.int('sessionTimeoutInSecs')
    power_on_wait = params.bool('powerOnWait')
    if not chassis.valid_id(blade_id):
        return _start_failure(*_out_of_range())
    if not 0 <= timeout <= constants.MAX_SERIAL_SESSION_TIMEOUT:
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
        if chassis.session_count >= constants.MAX_SERIAL_SESSIONS:
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
    if failure:
        return 'ChassisResponse', common.envelope(*failure)
    with chassis.bmc_bus(), chassis.lock:
        blade = chassis.blade(blade_id)
        if blade.session is None:  # stopped meanwhile: BMC code 0x9A
            return 'ChassisResponse', common.envelope(
                CODE.NoActiveSerialSession, CODE.NoActiveSerialSession.name)
        if not blade.bmc_reachable(chassis.clock()):
            return 'ChassisResponse', common.envelope(*_BMC_ERROR)
        blade.console.host_input(data, blade.host_on)
    return 'ChassisResponse', common.envelope(common.SUCCESS,
                                              common.SUCCESS.name)


@operation('ReceiveBladeSerialData', Role.admin)
def receive_blade_serial_data(chassis, params):
    blade_id = _blade_id(params)
    failure = _check(chassis, blade_id, params.string('sessionToken'))
    if failure:
        return 'SerialDataResponse', common.envelope(*failure) + [
            ('data', None)]
    with chassis.bmc_bus(), chassis.lock:
        blade = chassis.blade(blade_id)
        if not blade.bmc_reachable(chassis.clock()):
            return 'SerialDataResponse', common.envelope(*_BMC_ERROR) + [
                ('data', None)]
        console = blade.console
        if console.overflowed:
            # Output was lost; the session stays open (reference 8.1).
            console.overflowed = False
            return 'SerialDataResponse', common.envelope(
                CODE.BmcRxSerialBufferOverflow,
                CODE.BmcRxSerialBufferOverflow.name) + [('data', None)]
        data = console.read(constants.SERIAL_RECEIVE_CHUNK)
    # With nothing buffered: Success and an empty <data/>, assuming the BMC
    # answers with a zero-length payload (inference, reference 8.1).
    return 'SerialDataResponse', common.envelope(
        common.SUCCESS, common.SUCCESS.name) + [('data', data)]


@operation('StopBladeSerialSession', Role.admin)
def stop_blade_serial_session(chassis, params):
    blade_id = _blade_id(params)
    token = params.string('sessionToken')
    # forceKill skips the session checks and always stops (on the BMC
    # too): Success even when the CM had no session.
    failure = _check(chassis, blade_id, token,
                     force=params.bool('forceKill'))
    if failure:
        return 'ChassisResponse', common.envelope(*failure)
    with chassis.bmc_bus(), chassis.lock:
        # A BMC error on stop is only logged by the CM: still Success.
        chassis.blade(blade_id).session = None
    return 'ChassisResponse', common.envelope(common.SUCCESS,
                                              common.SUCCESS.name)
