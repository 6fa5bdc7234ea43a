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

"""Sensor data of a blade in the format of ironic's IPMI sensor data."""


def sensors_data(reading, health):
    """Shape a power reading and BMC sensors like ironic's IPMI sensors.

    :param reading: the blade's
        :class:`~msftocs_driver.ocs.models.PowerReading`.
    :param health: its :class:`~msftocs_driver.ocs.models.BladeHealth`,
        read with sensors.
    :returns: ``{sensor_type: {sensor_id: {'Sensor Reading': ...}}}``.
    """
    data = {'Power': {'Blade Power': {
        'Sensor ID': 'Blade Power',
        'Sensor Reading': '%s Watts' % reading.watts,
        'Status': 'ok',
    }}}
    for sensor in health.sensors:
        if not sensor.reading:
            # Like ipmitool's: a sensor without a reading is left out (the
            # consumers of the notification parse the reading).
            continue
        name = sensor.description or 'Sensor'
        sensor_id = '%s (%#x)' % (name, sensor.number)
        entity = ' '.join(x for x in (sensor.entity, sensor.entity_instance)
                          if x)
        data.setdefault(sensor.sensor_type or 'Unknown', {})[sensor_id] = {
            'Sensor ID': sensor_id,
            'Entity ID': entity or None,
            'Sensor Reading': sensor.reading,
            'Status': sensor.status,
        }
    return data
