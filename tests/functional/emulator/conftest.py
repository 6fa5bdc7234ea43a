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


"""Fixtures of the emulator functional tests: processes and certificates."""

import datetime
import ipaddress

from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import serialization
from cryptography import x509
from cryptography.x509.oid import NameOID
import pytest

from msftocs_driver.emulator import runner

PASSWORD = 'func-secret'


def _name(common_name):
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _write_key(path, key):
    path.write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))


def make_ca(directory, name):
    """A self-signed CA: returns ``(key, certificate, pem path)``."""
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder()
            .subject_name(_name(name)).issuer_name(_name(name))
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0),
                           critical=True)
            .sign(key, hashes.SHA256()))
    path = directory / ('%s.pem' % name)
    path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return key, cert, str(path)


@pytest.fixture(scope='session')
def tls(tmp_path_factory):
    """CA, server certificate for 127.0.0.1 and an unrelated CA."""
    directory = tmp_path_factory.mktemp('tls')
    ca_key, ca_cert, ca_path = make_ca(directory, 'emulator-test-ca')
    _, _, other_ca_path = make_ca(directory, 'other-ca')
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder()
            .subject_name(_name('127.0.0.1')).issuer_name(ca_cert.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address('127.0.0.1'))]),
                critical=False)
            .sign(ca_key, hashes.SHA256()))
    cert_path, key_path = directory / 'server.pem', directory / 'server.key'
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    _write_key(key_path, key)
    return {'ca': ca_path, 'other_ca': other_ca_path,
            'cert': str(cert_path), 'key': str(key_path)}


@pytest.fixture(scope='module')
def basic_emulator():
    """A 24-blade emulator with Basic authentication and 1 s decompression."""
    with runner.EmulatorProcess(password=PASSWORD,
                                decompression_seconds=1) as process:
        yield process


@pytest.fixture
def emulator(basic_emulator):
    basic_emulator.reset()
    return basic_emulator
