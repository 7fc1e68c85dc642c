// The sharding and timeline charts: how the mesh is laid out as grids of chips, what each chip's
// label and tooltip say, and that the Gantt rows are the timeline's bars on its time axis.

import { describe, expect, it } from 'vitest';
import { makeSizes } from '../../../server/src/engine/cost/sizes';
import { buildLayerTimelineChart, buildShardingChart, layerRows, meshDrawing, stepRows } from '../../../server/src/engine/sharding/charts';
import { tileMap, tilesOfType, timelineOf, type TileMap } from '../../../server/src/engine/sharding/index';
import { analyzed, readRepoFile } from '../search/helpers';

const palm = analyzed(readRepoFile('examples/palm540b.shard'));
const lowLatency = palm.layout('low_latency');

function onMesh(sizes: [string, number][]): TileMap {
  const axes = sizes.map(([name, size]) => ({ name, size }));
  const s = makeSizes('decode', 'last', 8, 1, 16, false, { E: 64, F: 256, H: 1, K: 1, Q: 8, V: 8 });
  const parts = tilesOfType({ dims: [{ letter: 'E', axes: [] }, { letter: 'F', axes: sizes.map(([n]) => n) }], partialsum: [] }, axes, s);
  return { ...parts, mesh: { name: 'm', axes, chips: parts.chips.length } } as TileMap;
}

describe('mesh drawing', () => {
  it('draws a 4×4×4 torus as 4 slices x of 4 rows y by 4 columns z', () => {
    const d = meshDrawing(tileMap(lowLatency, 'decode', 'ffn.w_in'));
    expect([d.slices, d.rows, d.cols]).toEqual([4, 4, 4]);
    expect(d.places[27]).toEqual({ slice: 1, row: 2, col: 3 }); // chip (1, 2, 3)
    expect(d.sliceTitles).toEqual(['x = 0', 'x = 1', 'x = 2', 'x = 3']);
  });

  it('draws 2×4×8 as 2 slices of 4 × 8, and leaves out axes of size 1', () => {
    const d = meshDrawing(onMesh([['x', 2], ['y', 4], ['z', 8]]));
    expect([d.slices, d.rows, d.cols]).toEqual([2, 4, 8]);
    expect(d.places[63]).toEqual({ slice: 1, row: 3, col: 7 });
    const line = meshDrawing(onMesh([['x', 8], ['y', 1], ['z', 1]]));
    expect([line.slices, line.rows, line.cols, line.colAxis]).toEqual([1, 1, 8, 'x']);
  });

  it('gives one data item per chip and a tooltip with every range', () => {
    const map = tileMap(lowLatency, 'decode', 'ffn.w_in');
    const option = buildShardingChart(map, {});
    const series = (option.series as { data: unknown[] }[])[0];
    expect(series.data).toHaveLength(64);
    const formatter = (option.tooltip as { formatter: (p: unknown) => string }).formatter;
    const tip = formatter({ dataIndex: 27 });
    expect(tip).toContain('chip 27 (x = 1, y = 2, z = 3)');
    expect(tip).toContain('E [4608, 9216) of 18432: shard 2/4 over x');
    expect(tip).toContain('F [50688, 55296) of 73728: shard 12/16 over yz');
  });
});

describe('timeline charts', () => {
  const t = timelineOf(lowLatency, palm.analysis.costOf(lowLatency), 'decode');

  it('has one row per bar, at its start and end on a µs axis', () => {
    const rows = layerRows(t);
    expect(rows.map((r) => r.label.split(' ')[0])).toEqual(t.layer.bars.map((b) => b.key));
    const option = buildLayerTimelineChart(t, {});
    const data = (option.series as { data: number[][] }[])[0].data;
    const last = t.layer.bars[t.layer.bars.length - 1];
    expect(data[data.length - 1][2]).toBeCloseTo(last.end_s * 1e6, 9);
    expect((option.xAxis as { name: string }).name).toBe('time (µs)');
  });

  it('draws the whole pass as its parts, the layers part `layers` layers long', () => {
    const rows = stepRows(t);
    expect(rows.map((r) => r.label)).toEqual(['embedding', '118 × layer', 'unembedding (ws2d_unembed, L = 1)']);
    expect(rows[1].end_s - rows[1].start_s).toBeCloseTo(118 * t.layer.time_s, 12);
  });
});
