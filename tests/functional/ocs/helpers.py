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


"""Helpers of the client's functional tests: emulators, TLS files, waits."""

import datetime
import ipaddress
import os
import time

from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import serialization
from cryptography import x509
from cryptography.x509.oid import NameOID

from msftocs_driver.emulator import runner
from msftocs_driver.ocs import client as ocs_client
from msftocs_driver.ocs import constants

USERNAME = 'admin'
PASSWORD = 'Fn-t3st pa55+word'

#: name -> (auth, TLS)
MODES = {
    'basic': ('basic', False),
    'ntlm': ('ntlm', False),
    'tls': ('basic', True),
    'tls-ntlm': ('ntlm', True),
}


def _name(common_name):
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _write_key(path, key):
    with open(path, 'wb') as out:
        out.write(key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption()))
    os.chmod(path, 0o600)


def _write_cert(path, cert):
    with open(path, 'wb') as out:
        out.write(cert.public_bytes(serialization.Encoding.PEM))


def make_tls_files(directory):
    """Create a CA and a server certificate for 127.0.0.1.

    :returns: dict with the paths ``ca``, ``cert`` and ``key``.
    """
    now = datetime.datetime.now(datetime.timezone.utc)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(_name('msftocs test CA'))
        .issuer_name(_name('msftocs test CA'))
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0),
                       critical=True)
        .add_extension(x509.KeyUsage(
            digital_signature=True, key_cert_sign=True, crl_sign=True,
            content_commitment=False, key_encipherment=False,
            data_encipherment=False, key_agreement=False,
            encipher_only=False, decipher_only=False), critical=True)
        .sign(ca_key, hashes.SHA256()))
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name('127.0.0.1'))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([
            x509.IPAddress(ipaddress.ip_address('127.0.0.1'))]),
            critical=False)
        .add_extension(x509.ExtendedKeyUsage(
            [x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
            ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256()))
    paths = {name: os.path.join(directory, name + '.pem')
             for name in ('ca', 'cert', 'key')}
    _write_cert(paths['ca'], ca_cert)
    _write_cert(paths['cert'], cert)
    _write_key(paths['key'], key)
    return paths


class Endpoint:
    """A running emulator and how to build clients for it."""

    def __init__(self, process, auth, verify):
        self.process = process
        self.auth = auth
        self.verify = verify

    def client(self, **kwargs):
        kwargs.setdefault('auth', self.auth)
        kwargs.setdefault('verify', self.verify)
        kwargs.setdefault('read_timeout', 30)
        kwargs.setdefault('retry_interval', 0.05)
        password = kwargs.pop('password', PASSWORD)
        return ocs_client.ChassisManagerClient(self.process.url, USERNAME,
                                               password, **kwargs)


def start_endpoint(mode, tls_files, **kwargs):
    auth, tls = MODES[mode]
    if tls:
        kwargs.update(tls_cert=tls_files['cert'], tls_key=tls_files['key'])
    process = runner.EmulatorProcess(auth=auth, username=USERNAME,
                                     password=PASSWORD, **kwargs)
    process.start()
    return Endpoint(process, auth, tls_files['ca'] if tls else True)


def wait_until_decompressed(cm, blade_id, timeout=15.0):
    """Poll GetPowerState until the blade's BMC is ready."""
    deadline = time.monotonic() + timeout
    while True:
        info = cm.get_power_state(blade_id)
        if info.state is constants.PowerState.ON and \
                not info.decompression_seconds:
            return info
        if time.monotonic() > deadline:
            raise AssertionError('blade %s still %s' % (blade_id, info))
        time.sleep(0.1)
