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

"""Command line and password of ``msftocs-console``.

The password is never accepted as an argument: it comes from a file that
only its owner can read, or from the environment, so that it never shows in
the process list. Run by socat for ironic, the program takes no argument
and reads everything from the settings file named by
``MSFTOCS_CONSOLE_SETTINGS``.
"""

import argparse

from msftocs_driver.common import console_settings
from msftocs_driver.common import private_files
from msftocs_driver.ocs import connector
from msftocs_driver.ocs import constants
from msftocs_driver.ocs import encoding

PROG = 'msftocs-console'
PASSWORD_ENV = 'MSFTOCS_PASSWORD'


class UsageError(Exception):
    """The program was invoked wrongly; the message says how."""


def _verify_ca(value):
    try:
        return encoding.parse_verify(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError('%s: %s' % (exc, value))


def _blade_id(value):
    number = int(value)
    if not constants.MIN_BLADE_ID <= number <= constants.MAX_BLADE_ID:
        raise argparse.ArgumentTypeError(
            'must be between %d and %d: %s' % (constants.MIN_BLADE_ID,
                                               constants.MAX_BLADE_ID, value))
    return number


def _positive_float(value):
    number = float(value)
    if number <= 0:
        raise argparse.ArgumentTypeError('must be greater than 0: %s' % value)
    return number


def _session_timeout(value):
    number = int(value)
    if not 0 <= number <= constants.MAX_SERIAL_SESSION_TIMEOUT:
        raise argparse.ArgumentTypeError(
            'must be between 0 and %d seconds: %s'
            % (constants.MAX_SERIAL_SESSION_TIMEOUT, value))
    return number


def build_parser():
    """Return the command-line parser of ``msftocs-console``."""
    parser = argparse.ArgumentParser(
        prog=PROG,
        # "--password x" must not pass for an abbreviation of
        # --password-file.
        allow_abbrev=False,
        description='Connect stdin/stdout to the serial console of a blade '
                    'of an Open CloudServer chassis manager. The password '
                    'comes from --password-file or the %s environment '
                    'variable, never from an argument.' % PASSWORD_ENV)
    parser.add_argument('--base-url', required=True,
                        help='chassis manager URL, e.g. https://cm1:8000')
    parser.add_argument('--blade-id', required=True, type=_blade_id,
                        help='blade number (1-48)')
    parser.add_argument('--username', required=True)
    parser.add_argument('--auth-type', choices=connector.AUTH_TYPES,
                        default='auto',
                        help='auto (learn the scheme from the chassis '
                             "manager's first challenge, the default), "
                             'basic or ntlm')
    parser.add_argument('--verify-ca', type=_verify_ca, default=True,
                        help='true, false, or a CA bundle path '
                             '(default: true)')
    parser.add_argument('--password-file',
                        help='file holding the password; must be a regular '
                             'file owned by the current user with mode 0600 '
                             'or stricter')
    parser.add_argument('--connect-timeout', type=_positive_float,
                        default=10.0)
    parser.add_argument('--read-timeout', type=_positive_float, default=60.0)
    parser.add_argument('--session-timeout', type=_session_timeout,
                        default=constants.MAX_SERIAL_SESSION_TIMEOUT,
                        help='chassis-manager inactivity timeout of the '
                             'serial session, 0-3600 s (0: CM default)')
    parser.add_argument('--poll-interval', type=_positive_float, default=0.2,
                        help='seconds between reads of console output')
    parser.add_argument('--force-takeover', action='store_true',
                        help='force-stop a serial session held by another '
                             'client instead of failing')
    return parser


def read_password_file(path):
    """Read a password from a file only its owner can read.

    The file must be a regular file (not a symbolic link), owned by the
    effective user, with no permission bits for group or others. One
    trailing newline is ignored, as ipmitool does for ``-f``.

    :param path: the file path.
    :returns: the password.
    :raises: UsageError if the file is unsafe, unreadable or empty.
    """
    try:
        data = private_files.read(path, 'password file')
    except private_files.PrivateFileError as exc:
        raise UsageError(str(exc))
    try:
        password = data.decode('utf-8')
    except UnicodeDecodeError:
        raise UsageError('the password file %s is not UTF-8 text' % path)
    if password.endswith('\n'):
        password = password[:-1].removesuffix('\r')
    if not password:
        raise UsageError('the password file %s is empty' % path)
    return password


def _setting(settings, name, convert):
    value = settings[name]
    try:
        return convert(value)
    except (argparse.ArgumentTypeError, TypeError, ValueError) as exc:
        # The message names the setting; only a password could be secret,
        # and it is never converted here.
        raise UsageError('invalid setting %s in the console settings file: '
                         '%s' % (name, exc))


def _choice(choices):
    def convert(value):
        if value not in choices:
            raise ValueError('expected one of %s' % ', '.join(choices))
        return value
    return convert


def _flag(value):
    if not isinstance(value, bool):
        raise ValueError('expected true or false')
    return value


def _text(value):
    if not isinstance(value, str) or not value:
        raise ValueError('expected a non-empty string')
    return value


def _verify_ca_setting(value):
    return value if isinstance(value, bool) else _verify_ca(_text(value))


def _optional_text(value):
    return None if value is None else _text(value)


def load_settings(path):
    """Read the options and the password from a console settings file.

    :param path: the file path (see
        :mod:`msftocs_driver.common.console_settings`).
    :returns: ``(args, password)``, ``args`` with the attributes the
        command line would give.
    :raises: UsageError if the file is unsafe, unreadable or invalid.
    """
    try:
        settings = console_settings.read(path)
    except private_files.PrivateFileError as exc:
        raise UsageError(str(exc))
    password = settings['password']
    if not isinstance(password, str) or not password:
        raise UsageError('invalid setting password in the console settings '
                         'file: expected a non-empty string')
    converters = {
        'base_url': _text, 'blade_id': lambda v: _blade_id(str(v)),
        'username': _text, 'auth_type': _choice(connector.AUTH_TYPES),
        'verify_ca': _verify_ca_setting,
        'connect_timeout': _positive_float, 'read_timeout': _positive_float,
        'session_timeout': lambda v: _session_timeout(str(v)),
        'poll_interval': _positive_float, 'force_takeover': _flag,
    }
    args = argparse.Namespace(password_file=None)
    for name, convert in converters.items():
        setattr(args, name, _setting(settings, name, convert))
    for name in ('token_file', 'cm_version', 'node_uuid'):
        setattr(args, name, _setting(settings, name, _optional_text)
                if name in settings else None)
    return args, password


def parse(argv, environ):
    """Return the options and the password of this run.

    With no argument and :data:`~console_settings.SETTINGS_ENV` set (how
    socat runs the bridge for ironic), everything comes from that settings
    file; otherwise from the command line, the password from
    ``--password-file`` or the environment. Both environment variables are
    removed once read so that nothing started later inherits them.

    :param argv: arguments without the program name.
    :param environ: the environment mapping (``os.environ``).
    :returns: ``(args, password)``.
    :raises: UsageError; SystemExit on a malformed command line.
    """
    settings_path = environ.pop(console_settings.SETTINGS_ENV, None)
    if settings_path and not argv:
        environ.pop(PASSWORD_ENV, None)
        return load_settings(settings_path)
    args = build_parser().parse_args(argv)
    args.token_file = args.cm_version = args.node_uuid = None
    return args, get_password(args, environ)


def get_password(args, environ):
    """Return the password from ``--password-file`` or the environment.

    The environment variable is removed once read so that nothing started
    later inherits it.

    :param args: parsed arguments.
    :param environ: the environment mapping (``os.environ``).
    :raises: UsageError if neither source provides a password.
    """
    from_env = environ.pop(PASSWORD_ENV, None)
    if args.password_file:
        return read_password_file(args.password_file)
    if from_env:
        return from_env
    raise UsageError('no password: give --password-file or set %s'
                     % PASSWORD_ENV)
