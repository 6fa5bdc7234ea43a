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


"""The deploy artifacts tool, without downloading anything."""

import gzip

from tools import deploy_artifacts


def _module(tmp_path, name, depends):
    path = tmp_path / 'kernel' / ('%s.ko' % name)
    path.parent.mkdir(exist_ok=True)
    path.write_bytes(b'\x7fELF...\0license=GPL\0depends=%s\0vermagic=6.1\0'
                     % depends.encode())
    return str(path)


def test_modules_load_after_their_dependencies(tmp_path):
    _module(tmp_path, 'virtio_net', 'net_failover,virtio,virtio_ring')
    _module(tmp_path, 'net_failover', 'failover')
    _module(tmp_path, 'failover', '')
    _module(tmp_path, 'virtio', 'virtio_ring')
    _module(tmp_path, 'virtio_ring', '')
    _module(tmp_path, 'virtio_pci', 'virtio,virtio_ring')
    order = [name for name, _path in deploy_artifacts.load_order(
        str(tmp_path), ('virtio_pci', 'virtio_net', 'e1000'))]
    # e1000 is not built as a module: skipped, not an error.
    assert order == ['virtio_ring', 'virtio', 'virtio_pci', 'failover',
                     'net_failover', 'virtio_net']


def _cpio_members(archive):
    members, offset = {}, 0
    while True:
        header = archive[offset:offset + 110]
        assert header[:6] == b'070701'
        fields = [int(header[6 + 8 * i:14 + 8 * i], 16) for i in range(13)]
        mode, size, namesize = fields[1], fields[6], fields[11]
        offset += 110
        name = archive[offset:offset + namesize - 1].decode()
        offset += namesize + (-(110 + namesize) % 4)
        data = archive[offset:offset + size]
        offset += size + (-size % 4)
        if name == 'TRAILER!!!':
            return members
        members[name] = (mode, data)


def test_initramfs_init_loads_modules_prints_banner_and_gives_a_shell(
        tmp_path):
    path = _module(tmp_path, 'virtio_net', '')
    image = deploy_artifacts.build_initramfs(b'BUSYBOX',
                                             [('virtio_net', path)])
    members = _cpio_members(gzip.decompress(image))
    assert members['bin/busybox'] == (0o100755, b'BUSYBOX')
    assert members['etc/modules.order'][1] == b'virtio_net\n'
    assert members['lib/modules/virtio_net.ko'][1].startswith(b'\x7fELF')
    mode, init = members['init']
    init = init.decode()
    assert mode == 0o100755 and init.startswith('#!/bin/busybox sh\n')
    assert 'insmod /lib/modules/$module.ko' in init
    assert 'udhcpc -i "$name"' in init
    assert ('echo "%s: kernel $(uname -r)" >/dev/ttyS0'
            % deploy_artifacts.BANNER_PREFIX) in init
    assert init.rstrip().endswith(
        "exec setsid sh -c 'exec sh </dev/ttyS0 >/dev/ttyS0 2>&1'")


def test_a_complete_cache_is_reused(tmp_path, monkeypatch):
    for name in deploy_artifacts.FILES[:2]:
        (tmp_path / name).write_bytes(b'x')
    (tmp_path / 'manifest.json').write_text('{"kernel_release": "6.1"}')

    def download(*args):
        raise AssertionError('downloaded again')

    monkeypatch.setattr(deploy_artifacts, '_download', download)
    assert deploy_artifacts.build(str(tmp_path)) == {'kernel_release': '6.1'}
