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

"""Options of the ``[msftocs]`` group in ironic.conf.

The group is named after the hardware type on purpose: ironic's
``driver_utils.get_verify_ca`` looks up ``CONF[node.driver].verify_ca``.
"""

from oslo_config import cfg

from msftocs_driver.i18n import _
from msftocs_driver.ocs import auth as ocs_auth

GROUP = 'msftocs'

#: What each authentication scheme of the client library means.
_AUTH_DESCRIPTIONS = {
    'auto': _('Learn the scheme from the chassis manager\'s first '
              'challenge: NTLM when it offers Negotiate or NTLM, else basic. '
              'No password is sent before the challenge is seen.'),
    'basic': _('HTTP basic authentication (credentials UTF-8 encoded).'),
    'ntlm': _('NTLM, answering the Negotiate challenge of a stock chassis '
              'manager.'),
}

opts = [
    cfg.StrOpt('verify_ca',
               help=_('Default TLS verification for chassis managers reached '
                      'over https, used when a node has no '
                      'msftocs_verify_ca. Either a boolean ("True" verifies '
                      'against the system CA bundle, "False" disables '
                      'verification) or the path of a CA bundle file or '
                      'directory. Chassis managers usually present a '
                      'self-signed certificate: give its CA rather than '
                      'turning verification off.')),
    cfg.StrOpt('auth_type',
               default='auto',
               choices=[(name, _AUTH_DESCRIPTIONS[name])
                        for name in ocs_auth.AUTH_TYPES],
               help=_('Default authentication scheme for nodes without '
                      'msftocs_auth_type. A stock chassis manager only '
                      'accepts Windows authentication (ntlm), which auto '
                      'finds by itself.')),
    cfg.FloatOpt('connect_timeout',
                 default=10.0,
                 min=0.1,
                 help=_('Seconds to wait for a TCP (and TLS) connection to a '
                        'chassis manager. Keep it short so that a dead '
                        'chassis manager frees conductor workers quickly.')),
    cfg.FloatOpt('read_timeout',
                 default=60.0,
                 min=1.0,
                 help=_('Seconds to wait for a reply once a request was sent. '
                        'Every blade command crosses the chassis manager\'s '
                        'single serial bus, and the chassis-wide calls visit '
                        'every blade in turn, so replies can take tens of '
                        'seconds on a busy chassis.')),
    cfg.IntOpt('retries',
               default=2,
               min=0,
               help=_('How many times a request is retried after a transient '
                      'failure. Reads are retried after connection errors, '
                      'read timeouts and HTTP 5xx replies; state-changing '
                      'calls only when the request provably never reached '
                      'the chassis manager.')),
    cfg.FloatOpt('retry_interval',
                 default=0.5,
                 min=0.0,
                 help=_('Seconds before the first retry; each further retry '
                        'waits twice as long.')),
    cfg.IntOpt('max_connections',
               default=4,
               min=1,
               help=_('Concurrent requests (and kept-alive connections) per '
                      'chassis manager. The chassis manager serialises blade '
                      'commands on one bus, so a few connections are '
                      'enough.')),
    cfg.IntOpt('client_cache_size',
               default=100,
               min=0,
               help=_('How many chassis-manager clients (one per endpoint '
                      'and credentials) a conductor keeps open. The least '
                      'recently used one is closed when the cache is full; '
                      '0 disables caching and opens a connection per '
                      'call.')),
    cfg.FloatOpt('client_idle_timeout',
                 default=600.0,
                 min=0.0,
                 help=_('Seconds after which a chassis-manager client that '
                        'nobody used is closed (with its kept-alive '
                        'connections) and forgotten; checked whenever a '
                        'client is lent. 0 keeps clients until the cache is '
                        'full.')),
    cfg.FloatOpt('power_state_cache_ttl',
                 default=20.0,
                 min=0.0,
                 help=_('Seconds, from the start of the request, during '
                        'which one GetAllBladesState reply answers the power '
                        'state reads made under a shared lock (power sync, '
                        'API reads) for every blade of its chassis, so that '
                        'a power-sync pass costs one request per chassis. '
                        'The default covers a whole pass over hundreds of '
                        'nodes (a 48-blade reply alone takes about 1 second '
                        'of chassis bus time) and stays well below '
                        '[conductor]sync_power_state_interval, so that every '
                        'pass reads afresh; a change made outside ironic is '
                        'seen at most this much later. Reads under an '
                        'exclusive lock (power actions, their checks and '
                        'waits) never use it, and any write to a blade drops '
                        'what is cached about it. 0 makes one request per '
                        'node.')),
    cfg.IntOpt('prefetch_workers',
               default=8,
               min=0,
               help=_('Threads a conductor may use to read other chassis '
                      'ahead of its power-sync pass: when a pass first '
                      'misses the power-state batch of a chassis, the '
                      'chassis-wide reads of the other chassis it read in '
                      'the last two [conductor]sync_power_state_interval '
                      'periods are started at once, at most this many at a '
                      'time, so that their replies are ready when the pass '
                      'reaches them. Each chassis still gets at most one '
                      'chassis-wide read in flight and at most '
                      '[msftocs]max_connections requests. The threads exist '
                      'only while they have work; they also renew the '
                      'node-health readings of [msftocs]health_read_ahead. '
                      '0 disables both: each pass then reads what it '
                      'needs itself.')),
    cfg.FloatOpt('health_cache_ttl',
                 default=20.0,
                 min=0.0,
                 help=_('Seconds, from the start of the request, during '
                        'which one GetAllBladesPowerReading reply answers '
                        'the node-health reads made under a shared lock '
                        '(power sync with [conductor]'
                        'enable_health_monitoring) for every blade of its '
                        'chassis, so that health costs one request per '
                        'chassis and pass. Writes to a blade drop what is '
                        'cached about it. 0 makes one GetBladePowerReading '
                        'per node.')),
    cfg.BoolOpt('health_read_ahead',
                default=True,
                help=_('Read the power readings behind node health one '
                       'pass ahead: once a GetAllBladesPowerReading reply '
                       'is older than [msftocs]health_cache_ttl, the next '
                       'pass still answers from it and renews it in the '
                       'background, right after that pass read the '
                       'chassis\' power state, for the pass after. The '
                       'second sweep of each chassis\' serial bus then no '
                       'longer delays the pass. The health a pass records '
                       'then comes from the previous pass\'s power reading '
                       '(never older than two '
                       '[conductor]sync_power_state_interval periods, and '
                       'never from before a write to the blade) and from '
                       'its own power state, so a BMC that stops answering '
                       'is still Critical at once. Uses the '
                       '[msftocs]prefetch_workers threads; False, or 0 '
                       'threads, reads the power readings within the pass '
                       'that needs them.')),
    cfg.FloatOpt('health_sensor_interval',
                 default=0.0,
                 min=0.0,
                 help=_('Seconds between two reads of a blade\'s sensor and '
                        'DIMM statuses (GetBladeHealth with sensors) for its '
                        'node health. The chassis manager has no '
                        'chassis-wide form of this read: each costs one '
                        'request per blade and one exchange per sensor on '
                        'the chassis\' serial bus. 0 (the default) leaves '
                        'them out: health then comes from the power reading '
                        'alone.')),
    cfg.FloatOpt('power_poll_interval',
                 default=1.0,
                 min=0.1,
                 help=_('Seconds between polls of the chassis manager while '
                        'waiting for a blade\'s firmware to decompress after '
                        'its power switch was turned on.')),
    cfg.IntOpt('console_session_timeout',
               default=300,
               min=0,
               max=3600,
               help=_('Inactivity timeout, in seconds, requested for a blade '
                      'serial session; the chassis manager closes a session '
                      'idle for longer. The console bridge keeps its own '
                      'session alive, so this only bounds how long a '
                      'session left behind by a killed bridge blocks the '
                      'blade\'s console. 0 means the chassis manager '
                      'default (300 s).')),
    cfg.FloatOpt('console_poll_interval',
                 default=0.2,
                 min=0.05,
                 help=_('Seconds between reads of blade console output. The '
                        'chassis manager has no long poll; shorter intervals '
                        'make the console snappier and the bus busier.')),
    cfg.BoolOpt('console_force_takeover',
                default=False,
                help=_('Whether starting a console on a blade whose serial '
                       'session is held by another client force-stops that '
                       'session. When False, console start fails with a '
                       'clear error instead.')),
    cfg.IntOpt('console_handover_interval',
               default=30,
               min=0,
               help=_('Seconds between checks, on each conductor, for '
                      'consoles it serves that another conductor took over '
                      '(or that were disabled through another conductor); '
                      'their socat listener and bridges are stopped, which '
                      'ironic does not do. 0 disables the check.')),
]


def register_opts(conf):
    """Register the ``[msftocs]`` options.

    :param conf: an ``oslo_config.cfg.ConfigOpts`` instance.
    """
    conf.register_opts(opts, group=GROUP)
