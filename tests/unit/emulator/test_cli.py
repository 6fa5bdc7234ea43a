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


"""Command-line parsing and application building."""

import pytest

from msftocs_driver.emulator import auth
from msftocs_driver.emulator import cli
from msftocs_driver.emulator import operations


def test_defaults(monkeypatch):
    monkeypatch.delenv(cli.PASSWORD_ENV, raising=False)
    args = cli.parse_args([])
    assert (args.host, args.port, args.auth, args.username) == (
        '127.0.0.1', 8000, 'basic', 'admin')
    app = cli.build_app(args)
    assert isinstance(app.authenticator, auth.BasicAuthenticator)
    assert app.chassis.population == 24
    assert app.role is operations.Role.admin
    assert app.forbidden_status == '400 Bad Request'


def test_password_from_environment_and_flags_win_over_file(
        monkeypatch, tmp_path, capsys):
    monkeypatch.setenv(cli.PASSWORD_ENV, 'from-env')
    path = tmp_path / 'c.json'
    path.write_text('{"blades": 48, "latency": 0.5}')
    args = cli.parse_args(['--config', str(path), '--latency', '0.1',
                           '--role', 'user', '--forbidden-status', '403'])
    app = cli.build_app(args)
    assert (app.chassis.population, app.latency) == (48, 0.1)
    assert (app.role, app.forbidden_status) == (operations.Role.user,
                                                '403 Forbidden')
    assert app.authenticator.check(
        {'HTTP_AUTHORIZATION': 'Basic YWRtaW46ZnJvbS1lbnY='}).ok
    assert 'warning' not in capsys.readouterr().err


def test_password_on_the_command_line_warns(capsys):
    cli.build_app(cli.parse_args(['--password', 'x']))
    assert 'process list' in capsys.readouterr().err


@pytest.mark.parametrize('argv', [
    ['--tls-cert', 'a.pem'], ['--latency', '-1'], ['--blades', '12'],
    ['--auth', 'kerberos']])
def test_bad_flags_exit(argv):
    with pytest.raises(SystemExit):
        cli.parse_args(argv)


def test_bad_configuration_is_reported(tmp_path, capsys):
    path = tmp_path / 'c.json'
    path.write_text('{"empty_slots": [99]}')
    assert cli.main(['--config', str(path), '--port', '0']) == 2
    assert 'empty_slots' in capsys.readouterr().err
