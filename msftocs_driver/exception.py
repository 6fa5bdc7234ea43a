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

"""Ironic exceptions raised by the msftocs interfaces."""

from ironic.common import exception

from msftocs_driver.i18n import _


class MsftOcsError(exception.DriverOperationError):
    """A chassis-manager operation failed for a node."""

    _msg_fmt = _("OCS chassis manager operation failed for node %(node)s: "
                 "%(error)s")


class MsftOcsConnectionError(MsftOcsError):
    """The chassis manager of a node could not be reached."""

    _msg_fmt = _("Cannot reach the OCS chassis manager of node %(node)s: "
                 "%(error)s")


class MsftOcsNoReplyError(MsftOcsConnectionError):
    """The chassis manager got the request but its reply was lost.

    The request may have been executed.
    """

    _msg_fmt = _("No reply from the OCS chassis manager of node %(node)s: "
                 "%(error)s")


class MsftOcsAuthenticationError(MsftOcsError):
    """The chassis manager refused the node's credentials."""

    _msg_fmt = _("The OCS chassis manager refused the credentials of node "
                 "%(node)s: %(error)s")
