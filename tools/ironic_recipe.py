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

"""The install guide's standalone Ironic recipe, moved into a work directory.

The guide shows ``etc/msftocs_driver/ironic-standalone.conf`` with
``literalinclude``. The tests run Ironic with that very file, its paths
moved from :data:`RECIPE_ROOT` into a throw-away work directory and their
own settings (free ports, intervals) set over it, so that the recipe the
guide shows is the one tested.
"""

import configparser
import os

#: The standalone Ironic recipe of the install guide, which the guide shows
#: with ``literalinclude``: Ironic runs with it as it is, moved into a work
#: directory and on free ports (:func:`standalone_config`).
RECIPE = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(
    __file__))), 'etc', 'msftocs_driver', 'ironic-standalone.conf')
#: The directory the recipe keeps everything in, and what must exist in it.
RECIPE_ROOT = '/var/lib/ironic-standalone'
RECIPE_SUBDIRS = ('tmp', 'state', 'httpboot', 'tftpboot', 'locks')


def standalone_config(workdir, settings):
    """The recipe moved to ``workdir``, with per-run settings on top.

    :param workdir: the directory that replaces :data:`RECIPE_ROOT`.
    :param settings: ``{(section, option): value}`` set over the recipe.
    :returns: a :class:`configparser.ConfigParser` ready to write.
    """
    # [DEFAULT] is an ordinary section of ironic.conf, not configparser's
    # defaults for every section.
    config = configparser.ConfigParser(interpolation=None,
                                       default_section='-')
    config.optionxform = str
    with open(RECIPE) as recipe:
        config.read_file(recipe)
    for section in config.sections():
        for option, value in config.items(section):
            config.set(section, option, value.replace(RECIPE_ROOT, workdir))
    for (section, option), value in settings.items():
        if not config.has_section(section):
            config.add_section(section)
        config.set(section, option, str(value))
    return config
