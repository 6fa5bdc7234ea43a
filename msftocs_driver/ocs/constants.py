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

"""Names and values the chassis manager puts on the wire.

These enumerations are the only code shared by the client library and the
emulator: both speak the same vocabulary, but each implements its own
behaviour from the API reference, so that they cannot silently agree on a
mistake. Member names are exactly the names the chassis manager (a WCF
service) writes into its XML replies and accepts in query strings.
"""

import enum

#: Default XML namespace of every chassis-manager reply.
CONTRACTS_NS = ('http://schemas.datacontract.org/2004/07/'
                'Microsoft.GFS.WCS.Contracts')
#: Namespace of ``xsi`` attributes such as ``i:nil``.
XSI_NS = 'http://www.w3.org/2001/XMLSchema-instance'
#: Namespace of serialised ``List<string>`` items.
ARRAYS_NS = 'http://schemas.microsoft.com/2003/10/Serialization/Arrays'

#: Lowest and highest blade id of the largest chassis (48 slots).
MIN_BLADE_ID = 1
MAX_BLADE_ID = 48
#: Chassis populations a chassis manager can be configured with.
CHASSIS_POPULATIONS = (24, 48)
#: Blade power-limit range accepted by SetBladePowerLimit, in watts.
MIN_POWER_LIMIT_WATTS = 120
MAX_POWER_LIMIT_WATTS = 1000
#: Largest ``offTime`` of SetBladeActivePowerCycle, in seconds.
MAX_POWER_CYCLE_OFF_TIME = 255
#: Range of ``sessionTimeoutInSecs`` of StartBladeSerialSession (CM v2.5).
MAX_SERIAL_SESSION_TIMEOUT = 3600
#: Concurrent blade serial sessions a CM v2.5 allows per chassis.
MAX_SERIAL_SESSIONS = 12
#: Bytes one ReceiveBladeSerialData call returns at most.
SERIAL_RECEIVE_CHUNK = 1024
#: Bytes one SendBladeSerialData call accepts at most.
MAX_SERIAL_SEND_BYTES = 61440


class CompletionCode(enum.Enum):
    """``completionCode`` of every reply (``CompletionCode : byte``)."""

    Success = 0x00
    Failure = 0xFF
    Timeout = 0xA3
    Unknown = 0xA4
    ParameterOutOfRange = 0xA5
    SerialSessionActive = 0xA6
    UserAccountExists = 0xA7
    UserPasswordDoesNotMeetRequirement = 0xA8
    CommandNotValidForBlade = 0xA9
    UserNotFound = 0xB0
    DevicePoweredOff = 0xB1
    NoActiveSerialSession = 0xB2
    FanlessChassis = 0xB3
    WriteFruZeroStartingOffset = 0xB4
    WriteFruMaxFieldLengthReached = 0xB5
    WriteFruMaxRecordSizeReached = 0xB6
    WriteFruZeroWritesRemaining = 0xB7
    RequestDelayedDueToPendingDatasafeOperation = 0xB8
    RequestFailedDueToPendingDatasafeOperation = 0xB9
    CommandNotValidAtThisTime = 0xBF
    PSUFirmwareUpdateInProgress = 0xC0
    BmcRxSerialBufferOverflow = 0xC1
    MaxSerialSessionReached = 0xC2
    FirmwareDecompressing = 0xEE


class PowerState(enum.Enum):
    """``PowerState : byte``: blade state, Blade_EN switch state, PSU state.

    ``OnFwDecompress`` only appears for the Blade_EN switch while the blade's
    BMC firmware decompresses after the switch was turned on.
    """

    OFF = 0
    ON = 1
    OnFwDecompress = 2
    NA = 3


class BladeBootType(enum.Enum):
    """``BladeBootType : int``: the next-boot override of a blade."""

    Unknown = 0
    NoOverride = 1
    ForcePxe = 2
    ForceDefaultHdd = 3
    ForceIntoBiosSetup = 4
    ForceFloppyOrRemovable = 5


class LedState(enum.Enum):
    """``LedState : byte``: state of an attention LED."""

    OFF = 0
    ON = 1
    NA = 3


class BladeType(enum.Enum):
    """Blade type names reported in the string field ``bladeType``.

    ``GetBladeInfo`` leaves the field empty (``""``) for an empty or
    unreachable slot; ``GetChassisHealth`` reports ``Unknown`` instead.
    """

    Unknown = 'Unknown'
    Server = 'Server'
    Jbod = 'Jbod'
    IEB = 'IEB'
