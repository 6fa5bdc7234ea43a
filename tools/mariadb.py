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

"""A throw-away MariaDB server that a test owns, on a unix socket only.

:class:`MariaDB` initialises a data directory of its own with
``mariadb-install-db``, starts ``mariadbd`` with networking disabled (the
only way in is a unix socket in the work directory), creates one database
and one account for it, and stops the server by its process id. Started by
root, the server runs as the unprivileged ``mysql`` account (or
``nobody``) and owns nothing outside its work directory.
"""

import contextlib
import os
import pwd
import secrets
import shutil
import signal
import subprocess
import tempfile
import time

import pymysql

#: Where Debian puts the server and the bootstrap script.
_SEARCH_PATH = os.pathsep.join(
    [os.environ.get('PATH', ''), '/usr/sbin', '/usr/bin'])
#: Accounts an instance started by root runs as, in order of preference.
_SERVICE_ACCOUNTS = ('mysql', 'nobody')


class MariaDBError(Exception):
    """The server could not be set up, started or stopped."""


def _find(*names):
    for name in names:
        path = shutil.which(name, path=_SEARCH_PATH)
        if path:
            return path
    raise MariaDBError('%s is not installed (Debian package mariadb-server)'
                       % ' or '.join(names))


def _service_account():
    """The account to run as: the caller's own, or an unprivileged one."""
    if os.geteuid() != 0:
        return None
    for name in _SERVICE_ACCOUNTS:
        with contextlib.suppress(KeyError):
            return pwd.getpwnam(name)
    raise MariaDBError('running as root, and none of the accounts %s exists '
                       'to run mariadbd unprivileged' % (_SERVICE_ACCOUNTS,))


class MariaDB(object):
    """One MariaDB server, its database and the account that uses it.

    :param database: name of the database to create.
    :param user: the account that gets every privilege on it.
    :param keep_workdir: leave the work directory (data, logs) behind.
    """

    def __init__(self, database='ironic', user='ironic', keep_workdir=False):
        self.database = database
        self.user = user
        self.password = secrets.token_urlsafe(16)
        self.keep_workdir = keep_workdir
        self.workdir = None
        self.process = None

    @property
    def socket_path(self):
        """The server's unix socket."""
        return os.path.join(self.workdir, 'mysqld.sock')

    @property
    def url(self):
        """The SQLAlchemy URL of the database, for ``[database]connection``.

        It carries the account's password: keep it in 0600 files only.
        """
        return ('mysql+pymysql://%s:%s@localhost/%s?unix_socket=%s'
                '&charset=utf8mb4' % (self.user, self.password,
                                      self.database, self.socket_path))

    @property
    def pid(self):
        """Process id of ``mariadbd``, or None."""
        return self.process.pid if self.process else None

    def start(self, timeout=60):
        """Initialise the data directory, start the server, create the db.

        :param timeout: seconds to wait for the server to accept clients.
        :raises MariaDBError: with the end of the server's error log.
        """
        self.workdir = tempfile.mkdtemp(prefix='msftocs-mariadb-')
        try:
            self._start(timeout)
        except BaseException:
            self.stop()
            raise

    def _start(self, timeout):
        account = _service_account()
        datadir = os.path.join(self.workdir, 'data')
        args = ['--no-defaults', '--datadir=' + datadir]
        if account is not None:
            os.chown(self.workdir, account.pw_uid, account.pw_gid)
            args.append('--user=' + account.pw_name)
        try:
            subprocess.run(
                [_find('mariadb-install-db', 'mysql_install_db')] + args +
                ['--auth-root-authentication-method=normal',
                 '--skip-test-db'],
                check=True, capture_output=True, text=True, timeout=120,
                stdin=subprocess.DEVNULL)
        except subprocess.SubprocessError as exc:
            raise MariaDBError('mariadb-install-db failed: %s\n%s' % (
                exc, getattr(exc, 'stderr', '')))
        with open(os.path.join(self.workdir, 'stdout.log'), 'wb') as out:
            self.process = subprocess.Popen(
                [_find('mariadbd', 'mysqld')] + args + [
                    '--socket=' + self.socket_path, '--skip-networking',
                    '--pid-file=' + os.path.join(self.workdir, 'mysqld.pid'),
                    '--log-error=' + self.error_log_path,
                    '--skip-log-bin', '--innodb-buffer-pool-size=64M',
                    '--max-connections=500'],
                stdin=subprocess.DEVNULL, stdout=out, stderr=out,
                start_new_session=True)
        self._wait_until_ready(timeout)
        self._create_database()

    @property
    def error_log_path(self):
        """The server's own log."""
        return os.path.join(self.workdir, 'error.log')

    def _connect_root(self):
        return pymysql.connect(unix_socket=self.socket_path, user='root',
                               password='', connect_timeout=5)

    def _wait_until_ready(self, timeout):
        deadline = time.monotonic() + timeout
        while True:
            if self.process.poll() is not None:
                raise MariaDBError('mariadbd exited with status %s\n%s' % (
                    self.process.returncode, self.log_tail()))
            try:
                self._connect_root().close()
                return
            except pymysql.err.OperationalError:
                if time.monotonic() > deadline:
                    raise MariaDBError('mariadbd did not accept clients '
                                       'within %s s\n%s' % (timeout,
                                                            self.log_tail()))
            time.sleep(0.2)

    def _create_database(self):
        conn = self._connect_root()
        try:
            with conn.cursor() as cursor:
                cursor.execute('CREATE DATABASE `%s` CHARACTER SET utf8mb4'
                               % self.database)
                cursor.execute("CREATE USER %s@'localhost' IDENTIFIED BY %s",
                               (self.user, self.password))
                cursor.execute("GRANT ALL PRIVILEGES ON `%s`.* TO %%s@"
                               "'localhost'" % self.database, (self.user,))
            conn.commit()
        finally:
            conn.close()

    def log_tail(self, lines=20):
        """The last lines of the server's error log."""
        try:
            with open(self.error_log_path, errors='replace') as log:
                return ''.join(log.readlines()[-lines:])
        except OSError:
            return '(no error log)'

    def stop(self, timeout=30):
        """Stop the server by its process id and remove the work directory.

        SIGTERM (a clean shutdown) first, SIGKILL after ``timeout`` seconds.

        :raises MariaDBError: if the server did not exit.
        """
        process, self.process = self.process, None
        try:
            if process is not None and process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(timeout)
                except subprocess.TimeoutExpired:
                    process.kill()
                    try:
                        process.wait(5)
                    except subprocess.TimeoutExpired:
                        raise MariaDBError('mariadbd (pid %d) survived '
                                           'SIGKILL' % process.pid)
        finally:
            if self.workdir and not self.keep_workdir:
                shutil.rmtree(self.workdir, ignore_errors=True)

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc_info):
        self.stop()
