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

"""Emulators, TLS material and timing helpers shared by the benchmarks."""

import concurrent.futures
import contextlib
import datetime
import ipaddress
import os
import secrets
import statistics
import time

from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import serialization
from cryptography import x509
from cryptography.x509.oid import NameOID

from msftocs_driver.emulator import runner

#: User name every benchmark emulator accepts.
USERNAME = 'admin'


def new_password():
    """A random password for one benchmark run.

    :returns: a URL-safe random string.
    """
    return secrets.token_urlsafe(16)


def make_tls_material(directory):
    """Write a self-signed certificate for 127.0.0.1 and its key.

    The certificate is its own CA, so clients verify the emulator with the
    certificate file as their CA bundle: full verification, as in
    production.

    :param directory: where to write ``cert.pem`` and ``key.pem``.
    :returns: ``(cert_path, key_path)``.
    """
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME,
                                         'msftocs-bench')])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder()
            .subject_name(name).issuer_name(name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address('127.0.0.1'))]),
                critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None),
                           critical=True)
            .sign(key, hashes.SHA256()))
    cert_path = os.path.join(directory, 'cert.pem')
    key_path = os.path.join(directory, 'key.pem')
    with open(cert_path, 'wb') as stream:
        stream.write(cert.public_bytes(serialization.Encoding.PEM))
    with open(os.open(key_path, os.O_WRONLY | os.O_CREAT, 0o600),
              'wb') as stream:
        stream.write(key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption()))
    return cert_path, key_path


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
