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


"""Client library for the REST API of a Microsoft OCS chassis manager.

A standalone library: it depends on requests, requests-ntlm, pyspnego and
defusedxml only, logs through the standard :mod:`logging` module and never
imports Ironic or oslo. Its public names are exported here::

    from msftocs_driver import ocs

    with ocs.ChassisManagerClient('https://cm01:8000', 'admin', password,
                                  auth='ntlm') as client:
        print(client.get_blade_state(3))

See the library page of the documentation for a longer session.
"""

import logging

from msftocs_driver.ocs.client import ChassisManagerClient
from msftocs_driver.ocs.constants import BladeBootType
from msftocs_driver.ocs.constants import BladeType
from msftocs_driver.ocs.constants import CompletionCode
from msftocs_driver.ocs.constants import LedState
from msftocs_driver.ocs.constants import PowerState
from msftocs_driver.ocs.exceptions import AuthenticationError
from msftocs_driver.ocs.exceptions import BladeTimeoutError
from msftocs_driver.ocs.exceptions import CommandNotValidForBladeError
from msftocs_driver.ocs.exceptions import CompletionCodeError
from msftocs_driver.ocs.exceptions import ConnectionError
from msftocs_driver.ocs.exceptions import DevicePoweredOffError
from msftocs_driver.ocs.exceptions import FirmwareDecompressingError
from msftocs_driver.ocs.exceptions import HTTPError
from msftocs_driver.ocs.exceptions import MaxSerialSessionReachedError
from msftocs_driver.ocs.exceptions import NoActiveSerialSessionError
from msftocs_driver.ocs.exceptions import OCSError
from msftocs_driver.ocs.exceptions import ParameterOutOfRangeError
from msftocs_driver.ocs.exceptions import ReadTimeoutError
from msftocs_driver.ocs.exceptions import ResponseError
from msftocs_driver.ocs.exceptions import SerialSessionActiveError
from msftocs_driver.ocs.exceptions import TimeLimitError
from msftocs_driver.ocs.exceptions import TLSError
from msftocs_driver.ocs.models import BladeHealth
from msftocs_driver.ocs.models import BladeInfo
from msftocs_driver.ocs.models import BladeOutcome
from msftocs_driver.ocs.models import BladeShell
from msftocs_driver.ocs.models import ChassisBladeInfo
from msftocs_driver.ocs.models import ChassisHealth
from msftocs_driver.ocs.models import ChassisInfo
from msftocs_driver.ocs.models import MemoryInfo
from msftocs_driver.ocs.models import NicInfo
from msftocs_driver.ocs.models import PcieInfo
from msftocs_driver.ocs.models import PowerLimit
from msftocs_driver.ocs.models import PowerReading
from msftocs_driver.ocs.models import PowerStateInfo
from msftocs_driver.ocs.models import ProcessorInfo
from msftocs_driver.ocs.models import SensorInfo
from msftocs_driver.ocs.serial import SerialSession
from msftocs_driver.ocs.version import CMVersion

__all__ = [
    # The client and the console session.
    'ChassisManagerClient', 'SerialSession',
    # Enumerations of the chassis manager's values.
    'BladeBootType', 'BladeType', 'CompletionCode', 'LedState',
    'PowerState',
    # Errors: every one derives from OCSError.
    'OCSError', 'ConnectionError', 'TLSError', 'ReadTimeoutError',
    'TimeLimitError',
    'AuthenticationError', 'HTTPError', 'ResponseError',
    'CompletionCodeError', 'DevicePoweredOffError',
    'FirmwareDecompressingError', 'ParameterOutOfRangeError',
    'CommandNotValidForBladeError', 'BladeTimeoutError',
    'SerialSessionActiveError', 'NoActiveSerialSessionError',
    'MaxSerialSessionReachedError',
    # Results.
    'BladeHealth', 'BladeInfo', 'BladeOutcome', 'BladeShell',
    'ChassisBladeInfo', 'ChassisHealth', 'ChassisInfo', 'MemoryInfo',
    'NicInfo', 'PcieInfo', 'PowerLimit', 'PowerReading', 'PowerStateInfo',
    'ProcessorInfo', 'SensorInfo', 'CMVersion',
]

logging.getLogger(__name__).addHandler(logging.NullHandler())
