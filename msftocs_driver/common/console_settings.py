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

"""The settings file the conductor hands to the console bridge.

socat runs ``msftocs-console`` with no argument at all: ironic releases
quote a console command in different ways (some quote it whole, some split
it, some escape it), and only a command of one plain word survives them
all. The bridge finds its settings instead through the environment
variable :data:`SETTINGS_ENV`, which names a private (0600) JSON file
holding what the command-line options would say, the password included.
Only the standard library is used: the bridge reads this at every
connection.
"""

import json

from msftocs_driver.common import private_files

#: Environment variable naming the settings file of a console.
SETTINGS_ENV = 'MSFTOCS_CONSOLE_SETTINGS'

#: Settings a file must hold: the bridge's options (``dest`` names).
REQUIRED = frozenset(('base_url', 'blade_id', 'username', 'password',
                      'auth_type', 'verify_ca', 'connect_timeout',
                      'read_timeout', 'session_timeout', 'poll_interval',
                      'force_takeover'))
#: Settings a file may also hold.
OPTIONAL = frozenset(('token_file', 'cm_version', 'node_uuid'))


def write(path, settings):
    """Write a settings file (mode 0600, never following a link).

    :param path: the file path.
    :param settings: a dict with the keys of :data:`REQUIRED` and maybe of
        :data:`OPTIONAL`.
    :raises: OSError.
    """
    private_files.write(path, json.dumps(settings, sort_keys=True)
                        .encode('utf-8'))


def read(path):
    """Read and check a settings file.

    :param path: the file path.
    :returns: the settings dict.
    :raises: PrivateFileError if the file is unsafe, unreadable or not
        a settings file (the message never shows a value).
    """
    data = private_files.read(path, 'console settings file')
    try:
        settings = json.loads(data.decode('utf-8'))
    except (UnicodeDecodeError, ValueError):
        raise private_files.PrivateFileError(
            'the console settings file %s is not JSON text' % path)
    if not isinstance(settings, dict):
        raise private_files.PrivateFileError(
            'the console settings file %s holds no JSON object' % path)
    missing = sorted(REQUIRED - set(settings))
    unknown = sorted(set(settings) - REQUIRED - OPTIONAL)
    if missing or unknown:
        raise private_files.PrivateFileError(
            'the console settings file %s lacks %s or has unknown %s'
            % (path, ', '.join(missing) or 'nothing',
               ', '.join(unknown) or 'nothing'))
    return settings
