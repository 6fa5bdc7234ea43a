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


"""Process and port helpers for the development tools on this machine."""

import os
import shutil
import socket
import sys


class ToolMissing(Exception):
    """A command the tools need is not installed."""


def find_tool(name):
    """Find a console script, preferring the running interpreter's venv.

    :param name: the executable name, e.g. ``baremetal``.
    :returns: its absolute path.
    :raises ToolMissing: when it is not installed.
    """
    beside = os.path.join(os.path.dirname(sys.executable), name)
    path = beside if os.access(beside, os.X_OK) else shutil.which(name)
    if not path:
        raise ToolMissing('%s is not installed (it comes with the '
                          'test requirements)' % name)
    return path


def free_port():
    """Return a TCP port on 127.0.0.1 that is free right now."""
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def free_port_range(count):
    """Return ``start:end`` (end exclusive) for ``[console]port_range``.

    The range starts at a port that is free now; Ironic itself skips any
    port of the range that is taken when it allocates one.

    :param count: how many ports the range holds.
    """
    start = free_port()
    start = min(start, 65536 - count)
    return '%d:%d' % (start, start + count)


def command_line(pid):
    """The command line of a process, or None when it is gone.

    :param pid: the process id.
    """
    try:
        with open('/proc/%d/cmdline' % pid, 'rb') as cmdline:
            argv = cmdline.read().rstrip(b'\0').replace(b'\0', b' ')
    except OSError:
        return None
    return argv.decode(errors='replace')


def group_members(pgid):
    """List the live (not zombie) processes of a process group.

    :param pgid: the process group id.
    :returns: a list of ``(pid, command line)``.
    """
    members = []
    for entry in os.listdir('/proc'):
        if not entry.isdigit():
            continue
        try:
            with open('/proc/%s/stat' % entry) as stat_file:
                stat = stat_file.read()
        except OSError:
            continue
        # The state and the group follow the parenthesised command name.
        fields = stat[stat.rindex(')') + 2:].split()
        if int(fields[2]) == pgid and fields[0] != 'Z':
            members.append((int(entry), command_line(int(entry)) or ''))
    return members
