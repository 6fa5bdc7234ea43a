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

"""The power-sync chart of ``tox -e bench``: pass time against chassis count.

One line per way of reading (batch with prefetch, batch without prefetch,
one call per node) and the floor (one chassis-wide read plus the pass's
Ironic-only time), solid for the chassis-major queue order and dashed for
the interleaved one, drawn with matplotlib into a PNG file.
"""

_LABELS = (('prefetch', 'batch + prefetch'), ('batch', 'batch, no prefetch'),
           ('off', 'one call per node'),
           ('power only', 'batch + prefetch, health monitoring off'))


def draw(sync, path):
    """Draw the chart.

    :param sync: the ``results`` of the sync section.
    :param path: the PNG file to write.
    """
    import matplotlib
    matplotlib.use('Agg')
    from matplotlib import pyplot

    figure, axes = pyplot.subplots(figsize=(8, 5))
    for order, style in (('chassis-major', '-'), ('interleaved', '--')):
        for mode, label in _LABELS:
            points = sorted((p['chassis'], p['wall_s'])
                            for p in sync['passes']
                            if p['mode'] == mode and (
                                p['order'] == order or p['chassis'] == 1))
            if points:
                axes.plot(*zip(*points), style, marker='o',
                          label='%s (%s)' % (label, order))
        points = sorted((f['chassis'], f['floor_s']) for f in sync['floors']
                        if f['order'] == order or f['chassis'] == 1)
        if points:
            axes.plot(*zip(*points), style, color='black', marker='x',
                      label='floor (%s)' % order)
    axes.set_xlabel('chassis of 48 blades')
    axes.set_ylabel('power-sync pass, seconds')
    axes.set_title('Power-sync pass time (one run)')
    axes.set_xscale('log', base=2)
    axes.grid(True, alpha=0.3)
    axes.legend(fontsize='small')
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    pyplot.close(figure)
