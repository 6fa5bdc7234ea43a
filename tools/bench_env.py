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

"""Emulators and timing helpers shared by the benchmarks."""

import concurrent.futures
import contextlib
import secrets
import statistics
import time

from msftocs_driver.emulator import runner

#: User name every benchmark emulator accepts.
USERNAME = 'admin'


def new_password():
    """A random password for one benchmark run.

    :returns: a URL-safe random string.
    """
    return secrets.token_urlsafe(16)


@contextlib.contextmanager
def emulators(count, **kwargs):
    """Run ``count`` emulator processes, started in parallel.

    :param count: how many emulators (one per chassis).
    :param kwargs: arguments of :class:`EmulatorProcess`.
    :returns: a context manager yielding the list of started emulators;
        all of them are stopped by PID on exit.
    """
    procs = [runner.EmulatorProcess(**kwargs) for _ in range(count)]
    started = []
    try:
        with concurrent.futures.ThreadPoolExecutor(min(count, 8)) as pool:
            futures = {pool.submit(proc.start): proc for proc in procs}
            errors = []
            for future in concurrent.futures.as_completed(futures):
                try:
                    future.result()
                    started.append(futures[future])
                except Exception as exc:
                    errors.append(exc)
            if errors:
                raise errors[0]
        yield procs
    finally:
        for proc in started:
            proc.stop()


def driver_info(emulator, blade_id, password, auth='basic', verify_ca=None):
    """The driver_info of a node that is one blade of an emulator.

    :param emulator: a started :class:`EmulatorProcess`.
    :param blade_id: the blade id.
    :param password: the emulator's password.
    :param auth: ``basic`` or ``ntlm``.
    :param verify_ca: CA bundle path for https, or None.
    :returns: a driver_info dict.
    """
    info = {'msftocs_base_url': emulator.url.rstrip('/'),
            'msftocs_blade_id': blade_id,
            'msftocs_username': USERNAME,
            'msftocs_password': password,
            'msftocs_auth_type': auth}
    if verify_ca:
        info['msftocs_verify_ca'] = verify_ca
    return info


def median_ms(samples):
    """Median of samples given in seconds, in milliseconds.

    :param samples: durations in seconds.
    :returns: the median in ms, rounded to 3 decimals.
    """
    return round(statistics.median(samples) * 1000.0, 3)


def timed(func, *args, **kwargs):
    """Run a callable once and time it.

    :returns: the elapsed time in seconds.
    """
    start = time.perf_counter()
    func(*args, **kwargs)
    return time.perf_counter() - start


def interleaved(functions, samples, warmup=20):
    """Time several callables in alternation and return their samples.

    Alternating (A, B, A, B, ...) exposes every candidate to the same
    background noise, and the medians of many samples cancel most of what
    remains; the order within a round also alternates so that neither
    candidate always runs on a warm cache right after the other.

    :param functions: a dict of name to zero-argument callable.
    :param samples: rounds to time.
    :param warmup: untimed rounds first (connections, caches, imports).
    :returns: a dict of name to the list of durations in seconds.
    """
    names = list(functions)
    for _ in range(warmup):
        for name in names:
            functions[name]()
    results = {name: [] for name in names}
    for round_number in range(samples):
        order = names if round_number % 2 == 0 else list(reversed(names))
        for name in order:
            results[name].append(timed(functions[name]))
    return results
