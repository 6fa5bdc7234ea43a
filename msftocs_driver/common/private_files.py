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

"""Files that only their owner can read: console settings and tokens.

The conductor hands the console bridge its settings (the password among
them) in such a file, and the bridge remembers the token of its serial
session in another, so that neither ever shows on a command line or in
an environment. Only the standard library is used: the bridge imports
this module at every connection.
"""

import os
import stat

_CREATE_FLAGS = (os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW
                 | os.O_CLOEXEC)
_READ_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC


class PrivateFileError(Exception):
    """A private file is unsafe or unreadable; the message says why."""


def unlink_quietly(path):
    """Remove a file; a missing file is fine.

    :param path: the file path.
    """
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


def write(path, data):
    """Write a file readable by its owner only.

    The file is created with mode 0600 and never exists with wider
    permissions (a descriptor opened while it had them could be read
    later); a file or link at its place is removed first, never followed.

    :param path: the file path.
    :param data: the content, bytes.
    :raises: OSError; the file is then removed.
    """
    try:
        unlink_quietly(path)
        fd = os.open(path, _CREATE_FLAGS, 0o600)
        with os.fdopen(fd, 'wb') as private:
            private.write(data)
    except OSError:
        try:
            unlink_quietly(path)
        except OSError:
            pass
        raise


def read(path, what='file'):
    """Read a file that only the current user can read.

    The file must be a regular file (not a symbolic link), owned by the
    effective user, with no permission bits for group or others. The checks
    are made on the open descriptor, so the file cannot be swapped between
    the check and the read.

    :param path: the file path.
    :param what: what the file is, for messages (e.g. ``password file``).
    :returns: the content, bytes.
    :raises: PrivateFileError if the file is unsafe or unreadable.
    """
    try:
        fd = os.open(path, _READ_FLAGS)
    except OSError as exc:
        raise PrivateFileError('cannot open the %s %s: %s'
                               % (what, path, exc.strerror))
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise PrivateFileError('the %s %s is not a regular file'
                                   % (what, path))
        if info.st_uid != os.geteuid():
            raise PrivateFileError('the %s %s is not owned by the current '
                                   'user' % (what, path))
        if info.st_mode & 0o077:
            raise PrivateFileError(
                'the %s %s can be read by other users (mode %04o); it must '
                'be 0600 or stricter'
                % (what, path, stat.S_IMODE(info.st_mode)))
        chunks = []
        while chunk := os.read(fd, 4096):
            chunks.append(chunk)
    except OSError as exc:
        raise PrivateFileError('cannot read the %s %s: %s'
                               % (what, path, exc.strerror))
    finally:
        os.close(fd)
    return b''.join(chunks)
