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

"""requirements.txt lists exactly the distributions the package imports."""

import ast
from importlib import metadata
import pathlib
import re
import sys
import unittest

_ROOT = pathlib.Path(__file__).resolve().parents[2]
_PACKAGE = 'msftocs_driver'


def _normalise(name):
    return re.sub(r'[-_.]+', '-', name).lower()


def imported_top_level_modules():
    """Top-level modules imported anywhere in the package, stdlib aside."""
    found = set()
    for path in (_ROOT / _PACKAGE).rglob('*.py'):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and not node.level:
                names = [node.module]
            else:
                continue
            found.update(name.partition('.')[0] for name in names)
    return {name for name in found
            if name != _PACKAGE and name not in sys.stdlib_module_names}


def required_distributions():
    """The distribution names requirements.txt lists, normalised."""
    names = set()
    for line in (_ROOT / 'requirements.txt').read_text().splitlines():
        line = line.partition('#')[0].strip()
        if line:
            names.add(_normalise(re.match(r'[A-Za-z0-9._-]+', line)[0]))
    return names


class RequirementsTest(unittest.TestCase):

    def test_requirements_are_what_the_package_imports(self):
        providers = metadata.packages_distributions()
        imported = set()
        for module in imported_top_level_modules():
            self.assertIn(module, providers,
                          'no installed distribution provides %s' % module)
            imported.update(_normalise(d) for d in providers[module])
        required = required_distributions()
        self.assertEqual(set(), imported - required,
                         'imported at run time, missing from '
                         'requirements.txt')
        self.assertEqual(set(), required - imported,
                         'in requirements.txt, never imported')
