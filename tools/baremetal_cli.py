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

"""The real ``baremetal`` command-line client, run for tests and the demo.

What a command printed (:class:`CommandResult`) and its command line with
every secret masked (:func:`display_command`), for showing in logs and
transcripts.
"""

import collections
import json
import os
import subprocess

from tools import sysutils

_SECRET_KEYS = ('password',)


class CommandResult(collections.namedtuple(
        'CommandResult', 'argv returncode stdout stderr')):
    """What one ``baremetal`` command (``argv``: its arguments) printed."""

    @property
    def display(self):
        """The command line with secrets masked, for showing."""
        return display_command(self.argv)

    @property
    def json(self):
        """The output parsed as JSON (for commands run with ``-f json``)."""
        return json.loads(self.stdout)


def display_command(argv):
    """Render a ``baremetal`` command line with every secret masked.

    :param argv: the arguments after ``baremetal``.
    :returns: a printable command line.
    """
    shown = []
    for arg in argv:
        key, sep, _value = arg.partition('=')
        if sep and any(s in key.lower() for s in _SECRET_KEYS):
            arg = key + '=******'
        shown.append(arg if arg and ' ' not in arg else repr(arg))
    return 'baremetal ' + ' '.join(shown)


def run(endpoint, args, timeout=120):
    """Run the real ``baremetal`` CLI against an Ironic without auth.

    The ``OS_*`` variables of the caller's environment are dropped, so that
    no cloud of the caller's is ever addressed.

    :param endpoint: the Ironic API URL.
    :param args: the arguments after ``baremetal``.
    :param timeout: seconds before the command is killed.
    :returns: a :class:`CommandResult`, whatever the exit status.
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith('OS_')}
    env.update(OS_ENDPOINT=endpoint, OS_AUTH_TYPE='none',
               OS_BAREMETAL_API_VERSION='latest')
    proc = subprocess.run([sysutils.find_tool('baremetal')] + list(args),
                          capture_output=True, text=True, env=env,
                          stdin=subprocess.DEVNULL, timeout=timeout)
    return CommandResult(list(args), proc.returncode, proc.stdout,
                         proc.stderr)
