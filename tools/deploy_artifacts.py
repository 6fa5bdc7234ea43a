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

"""Build the kernel and ramdisk the deploy ring boots, from Debian packages.

``python -m tools.deploy_artifacts [--cache DIR]`` downloads
``linux-image-cloud-amd64`` (the kernel package it depends on) and
``busybox-static`` with ``apt-get download``, unpacks them with
``dpkg-deb -x`` and writes into the cache directory (outside the
repository; ``$MSFTOCS_DEPLOY_CACHE`` or ``~/.cache/msftocs-driver/deploy``):

- ``vmlinuz``: the Debian cloud kernel;
- ``initramfs.gz``: a busybox initramfs whose ``/init`` loads the virtio
  network modules (the cloud kernel builds them as modules and has no
  e1000), brings up the NIC, prints :data:`BANNER_PREFIX` and the kernel
  version to ttyS0 and gives a shell there;
- ``manifest.json``: the package versions and kernel release.

A complete cache is reused. Nothing binary is ever written to the
repository.
"""

import argparse
import gzip
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

KERNEL_META = 'linux-image-cloud-amd64'
BUSYBOX = 'busybox-static'
#: What the guest prints on ttyS0 when its shell is ready.
BANNER_PREFIX = 'MSFTOCS DEPLOYED RAMDISK READY'
#: Network modules to load, each after its dependencies.
NET_MODULES = ('virtio_pci', 'virtio_net', 'e1000')
FILES = ('vmlinuz', 'initramfs.gz', 'manifest.json')

_INIT = """#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
for module in $(cat /etc/modules.order); do
    insmod /lib/modules/$module.ko
done
ip link set lo up
for nic in /sys/class/net/*; do
    name=${nic##*/}
    [ "$name" = lo ] && continue
    ip link set "$name" up
    udhcpc -i "$name" -s /etc/udhcpc.script -q -n -t 3 -T 1 >/dev/null 2>&1
done
echo "%(banner)s: kernel $(uname -r)" >/dev/ttyS0
exec setsid sh -c 'exec sh </dev/ttyS0 >/dev/ttyS0 2>&1'
"""

_UDHCPC = """#!/bin/sh
[ "$1" = bound ] || exit 0
ip addr add "$ip/${mask:-24}" dev "$interface"
[ -n "$router" ] && ip route add default via "${router%% *}"
exit 0
"""


def default_cache():
    """The cache directory: ``$MSFTOCS_DEPLOY_CACHE`` or under ~/.cache."""
    return os.environ.get('MSFTOCS_DEPLOY_CACHE') or os.path.join(
        os.path.expanduser('~'), '.cache', 'msftocs-driver', 'deploy')


def _run(argv, cwd=None):
    result = subprocess.run(argv, cwd=cwd, capture_output=True, text=True)
    if result.returncode:
        raise RuntimeError('%s failed: %s' % (' '.join(argv),
                                              result.stderr.strip()))
    return result.stdout


def kernel_package():
    """The versioned kernel package the cloud metapackage depends on."""
    try:
        out = _run(['apt-cache', 'depends', KERNEL_META])
    except RuntimeError as exc:
        raise RuntimeError('%s (are the package lists there? apt-get '
                           'update)' % exc)
    match = re.search(r'Depends: (linux-image-\S+-cloud-amd64\S*)', out)
    if not match:
        raise RuntimeError('%s names no kernel package' % KERNEL_META)
    return match.group(1)


def _download(package, workdir):
    """apt-get download and dpkg-deb -x one package; return its root."""
    _run(['apt-get', 'download', '-q', package], cwd=workdir)
    (deb,) = [name for name in os.listdir(workdir)
              if name.startswith(package + '_') and name.endswith('.deb')]
    root = os.path.join(workdir, package + '.root')
    _run(['dpkg-deb', '-x', os.path.join(workdir, deb), root])
    version = _run(['dpkg-deb', '-f', os.path.join(workdir, deb),
                    'Version']).strip()
    return root, version


def _module_depends(path):
    """The ``depends=`` list of a kernel module's modinfo section."""
    with open(path, 'rb') as module:
        match = re.search(rb'\0depends=([^\0]*)\0', module.read())
    if not match or not match.group(1):
        return []
    return match.group(1).decode().split(',')


def load_order(modules_dir, wanted):
    """Modules to insmod, dependencies first, as paths under the tree.

    :param modules_dir: ``lib/modules/RELEASE``.
    :param wanted: module names; the ones the kernel lacks are skipped.
    :returns: a list of ``(name, path)``.
    """
    paths = {}
    for dirpath, _dirs, names in os.walk(modules_dir):
        for name in names:
            if name.endswith('.ko'):
                paths[name[:-3].replace('-', '_')] = os.path.join(
                    dirpath, name)
    order = []

    def visit(name):
        if name in (n for n, _p in order) or name not in paths:
            return
        for dependency in _module_depends(paths[name]):
            visit(dependency.replace('-', '_'))
        order.append((name, paths[name]))

    for name in wanted:
        visit(name)
    return order


def _cpio_newc(entries):
    """An uncompressed newc cpio archive of ``(path, mode, data)``."""
    out = io.BytesIO()
    for ino, (path, mode, data) in enumerate(
            list(entries) + [('TRAILER!!!', 0, b'')], start=1):
        name = path.encode() + b'\0'
        header = '070701' + ''.join('%08X' % value for value in (
            ino, mode, 0, 0, 1, 0, len(data), 0, 0, 0, 0, len(name), 0))
        out.write(header.encode() + name)
        out.write(b'\0' * (-(110 + len(name)) % 4))
        out.write(data)
        out.write(b'\0' * (-len(data) % 4))
    return out.getvalue()


def build_initramfs(busybox, modules):
    """The gzipped initramfs bytes.

    :param busybox: the static busybox binary's bytes.
    :param modules: ``(name, path)`` in load order.
    """
    entries = [(d, 0o40755, b'') for d in (
        'bin', 'dev', 'etc', 'proc', 'sys', 'tmp', 'lib', 'lib/modules')]
    entries += [('bin/busybox', 0o100755, busybox),
                ('init', 0o100755,
                 (_INIT % {'banner': BANNER_PREFIX}).encode()),
                ('etc/udhcpc.script', 0o100755, _UDHCPC.encode()),
                ('etc/modules.order', 0o100644,
                 ''.join(n + '\n' for n, _p in modules).encode())]
    for name, path in modules:
        with open(path, 'rb') as module:
            entries.append(('lib/modules/%s.ko' % name, 0o100644,
                            module.read()))
    return gzip.compress(_cpio_newc(entries), mtime=0)


def cached(cache):
    """The manifest of a complete cache, or None."""
    if not all(os.path.exists(os.path.join(cache, f)) for f in FILES):
        return None
    with open(os.path.join(cache, 'manifest.json'), encoding='utf-8') as f:
        return json.load(f)


def build(cache):
    """Build the artifacts into ``cache`` unless they are there already.

    :returns: the manifest (``kernel``, ``initramfs``, ``kernel_release``,
        ``packages``).
    """
    manifest = cached(cache)
    if manifest:
        return manifest
    os.makedirs(cache, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix='deploy-artifacts-') as work:
        os.chmod(work, 0o755)  # apt's _apt user writes the download
        package = kernel_package()
        kernel_root, kernel_version = _download(package, work)
        busybox_root, busybox_version = _download(BUSYBOX, work)
        (release,) = os.listdir(os.path.join(kernel_root, 'lib', 'modules'))
        modules = load_order(
            os.path.join(kernel_root, 'lib', 'modules', release), NET_MODULES)
        with open(os.path.join(busybox_root, 'bin', 'busybox'), 'rb') as f:
            initramfs = build_initramfs(f.read(), modules)
        shutil.copyfile(
            os.path.join(kernel_root, 'boot', 'vmlinuz-' + release),
            os.path.join(cache, 'vmlinuz'))
    with open(os.path.join(cache, 'initramfs.gz'), 'wb') as f:
        f.write(initramfs)
    manifest = {
        'kernel': os.path.join(cache, 'vmlinuz'),
        'initramfs': os.path.join(cache, 'initramfs.gz'),
        'kernel_release': release,
        'modules': [name for name, _path in modules],
        'packages': {package: kernel_version, BUSYBOX: busybox_version},
    }
    with open(os.path.join(cache, 'manifest.json'), 'w',
              encoding='utf-8') as f:
        json.dump(manifest, f, indent=2)
    return manifest


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog='deploy_artifacts', description=__doc__.split('\n')[0])
    parser.add_argument('--cache', default=default_cache(),
                        help='output directory (default %(default)s)')
    args = parser.parse_args(argv)
    try:
        manifest = build(args.cache)
    except (OSError, RuntimeError, ValueError) as exc:
        print('deploy_artifacts: %s' % exc, file=sys.stderr)
        return 1
    print(json.dumps(manifest, indent=2))
    return 0


if __name__ == '__main__':
    sys.exit(main())
