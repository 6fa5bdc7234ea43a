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


"""Tests of the error classes of the client library."""

import pytest

from msftocs_driver.ocs import constants
from msftocs_driver.ocs import exceptions

CC = constants.CompletionCode


@pytest.mark.parametrize('code,cls', [
    (CC.DevicePoweredOff, exceptions.DevicePoweredOffError),
    (CC.FirmwareDecompressing, exceptions.FirmwareDecompressingError),
    (CC.ParameterOutOfRange, exceptions.ParameterOutOfRangeError),
    (CC.CommandNotValidForBlade, exceptions.CommandNotValidForBladeError),
    (CC.Timeout, exceptions.BladeTimeoutError),
    (CC.SerialSessionActive, exceptions.SerialSessionActiveError),
    (CC.NoActiveSerialSession, exceptions.NoActiveSerialSessionError),
    (CC.MaxSerialSessionReached, exceptions.MaxSerialSessionReachedError),
    (CC.Failure, exceptions.CompletionCodeError),
    (CC.BmcRxSerialBufferOverflow, exceptions.CompletionCodeError),
])
def test_error_for_code(code, cls):
    assert exceptions.error_for_code(code) is cls
    assert issubclass(cls, exceptions.OCSError)


@pytest.mark.parametrize('description,seconds', [
    ('Decompression Time Remaining 21', 21),
    ('Blade On.  Firmware Decompression Time Remaining: 17', 17),
    ('FirmwareDecompressing', None),
    ('', None),
])
def test_decompression_seconds(description, seconds):
    error = exceptions.FirmwareDecompressingError(
        CC.FirmwareDecompressing, description, operation='SetBladeOn',
        blade_id=3)
    assert error.seconds_remaining == seconds
    assert error.blade_id == 3


def test_messages():
    error = exceptions.DevicePoweredOffError(
        CC.DevicePoweredOff, 'DevicePoweredOff', operation='SetBladeOn',
        blade_id=3)
    assert str(error) == 'SetBladeOn blade 3: completion code DevicePoweredOff'
    error = exceptions.CompletionCodeError(CC.Failure, 'Failure in fetching '
                                           'result',
                                           operation='GetAllBladesState')
    assert str(error) == ('GetAllBladesState: completion code Failure '
                          '(Failure in fetching result)')
    assert str(exceptions.OCSError('boom')) == 'boom'
    error = exceptions.HTTPError(404, 'Endpoint not found', operation='X')
    assert (error.status_code, error.body) == (404, 'Endpoint not found')
    assert str(error) == 'X: HTTP 404: Endpoint not found'
    assert str(exceptions.HTTPError(500)) == 'HTTP 500'
    assert issubclass(exceptions.ReadTimeoutError,
                      exceptions.ConnectionError)
