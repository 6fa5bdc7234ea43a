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

"""Where a conductor keeps the files of the consoles it serves.

Each conductor has its own directory beside ironic's socat pid files
(``[console]terminal_pid_dir``, else ``[DEFAULT]tempdir``), named after its
``[DEFAULT]host``, so that conductors sharing a host never touch each
other's files. Per node it holds:

* ``<node>.settings``: what the bridge needs, the password included,
  written by the conductor (see
  :mod:`msftocs_driver.common.console_settings`);
* ``<node>.token``: the token of the serial session the node's bridge
  holds, written by the bridge while it holds one.

Both are private (0600) and the directory is 0700.
"""

import os
import re
import stat

from ironic.common import exception
from oslo_log import log

from msftocs_driver.common import console_settings
from msftocs_driver.common import private_files
from msftocs_driver.conf import CONF
from msftocs_driver.i18n import _

LOG = log.getLogger(__name__)

_SETTINGS_SUFFIX = '.settings'
_TOKEN_SUFFIX = '.token'
_UNSAFE = re.compile(r'[^A-Za-z0-9_.-]')


def directory():
    """Path of this conductor's console directory (not created)."""
    pid_dir = CONF.console.terminal_pid_dir or CONF.tempdir
    return os.path.join(pid_dir, 'msftocs-console-%s'
                        % _UNSAFE.sub('_', CONF.host))


def ensure_directory():
    """Create this conductor's console directory, or check it.

    :returns: its path.
    :raises: ConsoleError if it cannot be created, or exists but is not a
        directory of the conductor's user that only that user can enter.
    """
    path = directory()
    try:
        os.makedirs(path, mode=0o700, exist_ok=True)
        info = os.lstat(path)
    except OSError as exc:
        raise exception.ConsoleError(
            _('Cannot create the console directory %(path)s: %(err)s')
            % {'path': path, 'err': exc.strerror})
    if (not stat.S_ISDIR(info.st_mode) or info.st_uid != os.geteuid()
            or info.st_mode & 0o077):
        raise exception.ConsoleError(
            _('The console directory %s must be a directory (not a link) '
              'of the conductor\'s user with mode 0700.') % path)
    return path


def settings_path(node_uuid):
    """Path of the settings file of a node's console."""
    return os.path.join(directory(), node_uuid + _SETTINGS_SUFFIX)


def token_path(node_uuid):
    """Path of the file holding the token of a node's bridge session."""
    return os.path.join(directory(), node_uuid + _TOKEN_SUFFIX)


def read_token(node_uuid):
    """The token the node's bridge remembered, None if there is none."""
    path = token_path(node_uuid)
    if not os.path.lexists(path):
        return None
    try:
        return private_files.read(path, 'session token file').decode(
            'ascii').strip() or None
    except (private_files.PrivateFileError, UnicodeDecodeError) as exc:
        LOG.warning('Ignoring the session token file of node %(node)s: '
                    '%(err)s', {'node': node_uuid, 'err': exc})
        return None


def forget_token(node_uuid):
    """Remove the remembered token of a node's bridge session."""
    private_files.unlink_quietly(token_path(node_uuid))


def served_nodes():
    """UUIDs of the nodes whose console this conductor serves.

    :returns: a sorted list; empty when the directory does not exist.
    """
    try:
        names = os.listdir(directory())
    except OSError:
        return []
    return sorted(name[:-len(_SETTINGS_SUFFIX)] for name in names
                  if name.endswith(_SETTINGS_SUFFIX))


def read_settings(node_uuid):
    """The settings of a node's console, None if unreadable or absent."""
    try:
        return console_settings.read(settings_path(node_uuid))
    except private_files.PrivateFileError:
        return None


def sessions_on_chassis(base_url):
    """Nodes of a chassis whose bridge holds a serial session now.

    :param base_url: the chassis manager's (normalised) base URL.
    :returns: a list of ``(node_uuid, blade_id)``.
    """
    held = []
    for node_uuid in served_nodes():
        if not os.path.lexists(token_path(node_uuid)):
            continue
        settings = read_settings(node_uuid)
        if settings and settings['base_url'] == base_url:
            held.append((node_uuid, settings['blade_id']))
    return held
