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

"""Sphinx configuration of the msftocs-driver documentation."""

# -- General configuration ----------------------------------------------------

extensions = [
    'openstackdocstheme',
    'oslo_config.sphinxext',
    'oslo_config.sphinxconfiggen',
]

# The sample configuration file is generated at build time from the options
# the package registers, so it cannot drift from the code.
config_generator_config_file = (
    '../../tools/config/msftocs-driver-config-generator.conf')
sample_config_basename = '_static/msftocs_driver'

source_suffix = {'.rst': 'restructuredtext'}
master_doc = 'index'

project = 'msftocs-driver'
copyright = 'msftocs-driver developers'

add_function_parentheses = True
add_module_names = True
pygments_style = 'native'

# -- openstackdocstheme -------------------------------------------------------

openstackdocs_repo_name = 'msftocs-driver'
openstackdocs_use_storyboard = False
openstackdocs_auto_name = False
openstackdocs_pdf_link = False

# -- Options for HTML output --------------------------------------------------

html_theme = 'openstackdocs'
html_static_path = ['_static']
