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


"""Typed, immutable results of chassis-manager operations.

The field values are what the chassis manager reported, converted to Python
types; enumerations use :mod:`msftocs_driver.ocs.constants`.
"""

import dataclasses
import typing


@dataclasses.dataclass(frozen=True)
class PowerStateInfo:
    """State of a blade's Blade_EN switch (GetPowerState).

    :ivar state: ``ON``, ``OFF``, ``OnFwDecompress`` or ``NA``.
    :ivar decompression_seconds: seconds of firmware decompression left.
    :ivar description: the chassis manager's ``statusDescription``.
    """

    blade_id: int
    state: typing.Any
    decompression_seconds: int
    description: str


@dataclasses.dataclass(frozen=True)
class NicInfo:
    """One NIC of a blade; ``mac_address`` is ``None`` when not present.

    The MAC address is kept as the chassis manager sends it (uppercase hex
    with colons).
    """

    device_id: int
    mac_address: typing.Optional[str]


@dataclasses.dataclass(frozen=True)
class BladeInfo:
    """Inventory of a blade (GetBladeInfo).

    ``blade_type`` is ``None`` when the chassis manager left it empty.
    """

    blade_id: int
    blade_type: typing.Any
    serial_number: typing.Optional[str]
    asset_tag: typing.Optional[str]
    firmware_version: typing.Optional[str]
    hardware_version: typing.Optional[str]
    nics: typing.Tuple[NicInfo, ...]


@dataclasses.dataclass(frozen=True)
class ProcessorInfo:
    """One processor of a blade (GetBladeHealth)."""

    proc_id: int
    proc_type: typing.Optional[str]
    state: typing.Optional[str]
    frequency_mhz: int


@dataclasses.dataclass(frozen=True)
class MemoryInfo:
    """One DIMM slot of a blade (GetBladeHealth); sizes in MB."""

    dimm: int
    dimm_type: typing.Optional[str]
    status: typing.Optional[str]
    speed_mhz: int
    size_mb: int
    voltage: typing.Optional[str]


@dataclasses.dataclass(frozen=True)
class PcieInfo:
    """One PCIe slot of a blade (GetBladeHealth)."""

    number: int
    vendor_id: typing.Optional[str]
    device_id: typing.Optional[str]
    subsystem_id: typing.Optional[str]
    status: typing.Optional[str]


@dataclasses.dataclass(frozen=True)
class SensorInfo:
    """One BMC sensor of a blade (GetBladeHealth with sensors)."""

    number: int
    sensor_type: typing.Optional[str]
    status: typing.Optional[str]
    entity: typing.Optional[str]
    entity_instance: typing.Optional[str]
    reading: typing.Optional[str]
    description: typing.Optional[str]


@dataclasses.dataclass(frozen=True)
class BladeHealth:
    """Health and hardware inventory of a blade (GetBladeHealth).

    ``blade_state`` is the state of the Blade_EN switch.
    """

    blade_id: int
    serial_number: typing.Optional[str]
    asset_tag: typing.Optional[str]
    hardware_version: typing.Optional[str]
    product_type: typing.Optional[str]
    blade_type: typing.Any
    blade_state: typing.Any
    processors: typing.Tuple[ProcessorInfo, ...]
    memory: typing.Tuple[MemoryInfo, ...]
    pcie: typing.Tuple[PcieInfo, ...]
    sensors: typing.Tuple[SensorInfo, ...]


@dataclasses.dataclass(frozen=True)
class ChassisBladeInfo:
    """One blade as listed by GetChassisInfo."""

    blade_id: int
    guid: typing.Optional[str]
    name: typing.Optional[str]
    power_state: typing.Any
    mac_addresses: typing.Tuple[str, ...]


@dataclasses.dataclass(frozen=True)
class ChassisInfo:
    """Chassis controller inventory and blade list (GetChassisInfo)."""

    serial_number: typing.Optional[str]
    asset_tag: typing.Optional[str]
    firmware_version: typing.Optional[str]
    hardware_version: typing.Optional[str]
    software_version: typing.Optional[str]
    system_uptime: typing.Optional[str]
    blades: typing.Tuple[ChassisBladeInfo, ...]


@dataclasses.dataclass(frozen=True)
class BladeShell:
    """Type and Blade_EN state of one slot (GetChassisHealth)."""

    blade_id: int
    blade_type: typing.Any
    state: typing.Any


@dataclasses.dataclass(frozen=True)
class ChassisHealth:
    """Blade part of GetChassisHealth: one entry per slot of the chassis."""

    blades: typing.Tuple[BladeShell, ...]


@dataclasses.dataclass(frozen=True)
class PowerReading:
    """Present power draw of a blade, in watts."""

    blade_id: int
    watts: float


@dataclasses.dataclass(frozen=True)
class PowerLimit:
    """Power limit of a blade, in watts.

    ``active`` is ``None`` when the chassis manager does not report it
    (API level v2.0).
    """

    blade_id: int
    watts: float
    active: typing.Optional[bool]


@dataclasses.dataclass(frozen=True)
class BladeOutcome:
    """The result for one blade of a chassis-wide (``GetAll*``) operation.

    Exactly one of ``value`` and ``error`` is meaningful: ``error`` is the
    :class:`~msftocs_driver.ocs.exceptions.CompletionCodeError` the
    single-blade operation would have raised, or ``None``.
    """

    blade_id: int
    value: typing.Any
    error: typing.Any = None

    def result(self):
        """Return the value, or raise the blade's error.

        :returns: the per-blade value.
        :raises: the :class:`CompletionCodeError` subclass reported for
            this blade.
        """
        if self.error is not None:
            raise self.error
        return self.value
