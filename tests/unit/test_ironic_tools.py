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

"""Tests of the tools that run the standalone Ironic and its CLI."""

import subprocess
from unittest import mock

from tools import baremetal_cli
from tools import ironic_recipe


def test_display_command_masks_every_password():
    shown = baremetal_cli.display_command(
        ['node', 'create', '--driver-info', 'msftocs_password=s3cret',
         '--driver-info', 'msftocs_username=OCS1\\ironic',
         '--name', 'blade one'])
    assert 's3cret' not in shown
    assert 'msftocs_password=******' in shown
    assert 'msftocs_username=OCS1\\ironic' in shown
    assert shown.startswith('baremetal node create ')
    assert shown.endswith("'blade one'")


def test_command_result_shows_the_masked_line_and_parses_json():
    result = baremetal_cli.CommandResult(
        ['node', 'show', '-f', 'json', 'x', 'password=p'], 0, '{"a": 1}', '')
    assert result.json == {'a': 1}
    assert result.display == 'baremetal node show -f json x password=******'


def test_run_drops_the_callers_cloud():
    environ = {'OS_CLOUD': 'production', 'OS_PASSWORD': 'theirs',
               'PATH': '/usr/bin'}
    done = subprocess.CompletedProcess([], 3, 'out', 'err')
    with mock.patch.dict('os.environ', environ, clear=True), \
            mock.patch.object(baremetal_cli.sysutils, 'find_tool',
                              autospec=True,
                              return_value='/venv/bin/baremetal'), \
            mock.patch.object(subprocess, 'run', autospec=True,
                              return_value=done) as run:
        result = baremetal_cli.run('http://127.0.0.1:6385', ('node', 'list'))
    argv, = run.call_args.args
    env = run.call_args.kwargs['env']
    assert argv == ['/venv/bin/baremetal', 'node', 'list']
    assert env == {'PATH': '/usr/bin', 'OS_ENDPOINT': 'http://127.0.0.1:6385',
                   'OS_AUTH_TYPE': 'none',
                   'OS_BAREMETAL_API_VERSION': 'latest'}
    assert result == baremetal_cli.CommandResult(['node', 'list'], 3, 'out',
                                                 'err')


def test_standalone_config_moves_the_recipe_and_sets_over_it(tmp_path):
    config = ironic_recipe.standalone_config(
        str(tmp_path), {('api', 'port'): 16385, ('msftocs', 'new'): 'yes',
                        ('extra', 'option'): 1})
    text = '\n'.join('%s=%s' % item for section in config.sections()
                     for item in config.items(section))
    assert ironic_recipe.RECIPE_ROOT not in text
    assert config.get('DEFAULT', 'tempdir') == str(tmp_path / 'tmp')
    assert config.get('api', 'port') == '16385'
    assert config.get('msftocs', 'new') == 'yes'
    assert config.get('extra', 'option') == '1'
    # The recipe's own options survive, with their case.
    assert config.get('DEFAULT', 'enabled_hardware_types') == 'msftocs'
