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

"""How long a synchronous vendor passthru may take: less than its RPC call.

The API waits for a synchronous passthru through an RPC call to the
conductor, bounded by ``[DEFAULT]rpc_response_timeout`` (oslo.messaging)
or by ``[json_rpc]timeout`` (JSON-RPC). A passthru still talking to the
chassis manager after the caller gave up does work nobody reads, so every
synchronous passthru runs within :func:`synchronous_budget`, a margin below
that timeout, retries included.
"""

from oslo_config import cfg

from msftocs_driver.conf import CONF

#: oslo.messaging's default ``rpc_response_timeout``, used when the option
#: is not registered (no oslo.messaging transport in this process).
DEFAULT_RPC_TIMEOUT = 60
#: Share of the RPC timeout kept for the conductor's own work (locking,
#: database, the reply's way back), and its least value in seconds.
_MARGIN_SHARE = 0.2
_MIN_MARGIN = 5.0
#: A budget never goes below this, whatever the RPC timeout.
MIN_BUDGET = 1.0


def rpc_timeout():
    """Return the timeout, in seconds, of the RPC call the API makes.

    :returns: ``[json_rpc]timeout`` with the JSON-RPC transport (when set),
        else ``[DEFAULT]rpc_response_timeout``.
    """
    if _option('rpc_transport') == 'json-rpc':
        timeout = _option('timeout', 'json_rpc')
        if timeout:
            return float(timeout)
    return float(_option('rpc_response_timeout') or DEFAULT_RPC_TIMEOUT)


def _option(name, group=None):
    """An option's value, or None where this process did not register it."""
    try:
        return (CONF[group] if group else CONF)[name]
    except (cfg.NoSuchOptError, cfg.NoSuchGroupError, KeyError):
        return None


def synchronous_budget():
    """Return the seconds a synchronous passthru may spend on CM calls.

    :returns: the RPC timeout less a margin of 20 % (at least 5 seconds),
        and never less than :data:`MIN_BUDGET`.
    """
    timeout = rpc_timeout()
    margin = max(_MIN_MARGIN, timeout * _MARGIN_SHARE)
    return max(MIN_BUDGET, timeout - margin)
