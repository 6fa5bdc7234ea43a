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

"""Sphinx configuration of the msftocs-driver release notes."""

# -- General configuration ----------------------------------------------------

extensions = [
    'openstackdocstheme',
    'reno.sphinxext',
]

source_suffix = {'.rst': 'restructuredtext'}
master_doc = 'index'

project = 'msftocs-driver Release Notes'
copyright = 'msftocs-driver developers'

# Release notes carry no version of their own: each page lists the versions
# it covers.
version = ''
release = ''

pygments_style = 'native'

# -- openstackdocstheme -------------------------------------------------------

openstackdocs_repo_name = 'msftocs-driver'
openstackdocs_use_storyboard = False
openstackdocs_auto_name = False

# -- Options for HTML output --------------------------------------------------

html_theme = 'openstackdocs'
html_static_path = []
