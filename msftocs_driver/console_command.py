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

"""The command socat runs for a node's console, and its settings file.

Ironic releases pass a console command to socat in different ways: some
``shlex.quote`` it whole (socat then looks for a program named after the
whole string), some split it at spaces, some escape socat's special
characters. The command is therefore the absolute path of the installed
``msftocs-console``, one word of plain path characters that all three
leave intact, and everything else goes through a private settings file
that the environment variable ``MSFTOCS_CONSOLE_SETTINGS`` names (every
supported release passes ``env_variables`` to socat).
"""

import os
import re
import shutil
import sys

from ironic.common import exception

from msftocs_driver.common import console_settings
from msftocs_driver.conf import CONF
from msftocs_driver.i18n import _

#: The program socat runs for each connection (a console script).
BRIDGE_PROGRAM = 'msftocs-console'
#: What a console command may be made of: one word of these characters is
#: the same quoted, split or escaped.
_PLAIN_PATH = re.compile(r'^[A-Za-z0-9_./-]+$')


def bridge_command():
    """The absolute path of the installed ``msftocs-console``.

    It is the whole console command: the settings travel in a file (see
    :func:`build_bridge_settings`). The console script installed beside
    the conductor's interpreter is preferred (the same installation),
    else the one on ``PATH``.

    :returns: the path.
    :raises: ConsoleError if the program is not installed or its path has
        characters that some ironic releases cannot pass to socat.
    """
    candidates = [os.path.join(os.path.dirname(sys.executable),
                               BRIDGE_PROGRAM),
                  shutil.which(BRIDGE_PROGRAM)]
    for candidate in candidates:
        if candidate and os.path.isfile(candidate) and os.access(
                candidate, os.X_OK):
            path = os.path.abspath(candidate)
            break
    else:
        raise exception.ConsoleError(
            _('The console bridge %(prog)s is not installed beside the '
              'conductor\'s Python (%(dir)s) nor on PATH; reinstall the '
              'msftocs driver.') % {'prog': BRIDGE_PROGRAM,
                                    'dir': os.path.dirname(sys.executable)})
    if not _PLAIN_PATH.match(path):
        raise exception.ConsoleError(
            _('The console bridge path %s has characters other than letters, '
              'digits and "_./-", which some ironic releases cannot pass to '
              'socat; install the msftocs driver under a plain path.')
            % path)
    return path


def write_settings_file(path, settings):
    """Write the settings the bridge reads, readable by this user only.

    Like ironic's ``make_persistent_password_file``, but the file is
    created with mode 0600 and never exists with wider permissions, and a
    link or file put at its place is removed rather than followed.

    :param path: the file path.
    :param settings: the settings dict (see :func:`build_bridge_settings`).
    :raises: PasswordFileFailedToCreate.
    """
    try:
        console_settings.write(path, settings)
    except OSError as exc:
        # Only the reason: the exception never carries the password.
        raise exception.PasswordFileFailedToCreate(error=exc.strerror)


def build_bridge_settings(info, token_file, cm_version=None):
    """Build what the bridge needs, for its settings file.

    :param info: parsed driver_info.
    :param token_file: where the bridge keeps its session token.
    :param cm_version: the chassis manager's version text, if known.
    :returns: a dict (it holds the password).
    """
    settings = {
        'node_uuid': info['node_uuid'],
        'base_url': info['base_url'],
        'blade_id': info['blade_id'],
        'username': info['username'],
        'password': info['password'],
        'auth_type': info['auth_type'],
        'verify_ca': info['verify_ca'],
        'connect_timeout': CONF.msftocs.connect_timeout,
        'read_timeout': CONF.msftocs.read_timeout,
        'session_timeout': CONF.msftocs.console_session_timeout,
        'poll_interval': CONF.msftocs.console_poll_interval,
        'force_takeover': CONF.msftocs.console_force_takeover,
        'token_file': token_file,
    }
    if cm_version:
        settings['cm_version'] = cm_version
    return settings
