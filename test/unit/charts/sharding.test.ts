// The sharding and timeline charts: how the mesh is laid out as grids of chips, what each chip's
// label and tooltip say, and that the Gantt rows are the timeline's bars on its time axis.

import { describe, expect, it } from 'vitest';
import { makeSizes } from '../../../server/src/engine/cost/sizes';
import { buildLayerTimelineChart, buildShardingChart, exchangeLinks, layerRows, meshDrawing, shardingCaption, stepRows } from '../../../server/src/engine/sharding/charts';
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

describe('nodes and collectives in the drawing', () => {
  const nodes = analyzed(readRepoFile('examples/llama405b_h100_nodes.shard')).layout('ws2d_nodes8');
  const spanning = analyzed(`mesh m = h100 { x = 4, y = 4 }
layout l { model = llama3_70b, mesh = m, workload { batch = 64, prompt = 2048, generate = 64 }, ffn = ws2d, attention = batch }
`, 's.shard', ['out-of-memory']).layout('l');

  it('draws 8 nodes of 8 H100s as 8 framed slices of one row of 8 GPUs along x', () => {
    const map = tileMap(nodes, 'decode', 'ffn.w_in');
    const d = meshDrawing(map);
    expect([d.nodes, d.slices, d.rows, d.cols, d.colAxis]).toEqual([true, 8, 1, 8, 'x']);
    // Chip (x = 3, y = 5) = 29: node 5, column 3.
    expect(d.places[29]).toEqual({ slice: 5, row: 0, col: 3 });
    expect(d.sliceTitles[5]).toBe('node 5 · y = 5');
    expect(shardingCaption(map, d)).toContain('8 nodes (framed) of 8 chips: x inside over NVLink 450 GB/s, y across over the network 50 GB/s');
  });

  it('draws a spanning axis inside each node: 4 × 4 H100s are 2 nodes of 4 rows x by 2 columns y', () => {
    const d = meshDrawing(tileMap(spanning, 'decode', 'ffn.w_in'));
    expect([d.slices, d.rows, d.cols]).toEqual([2, 4, 2]);
    // Chip (x = 3, y = 3) = 3·4 + 3 = 15: node ⌊3/2⌋ = 1, row 3, column 3 mod 2 = 1.
    expect(d.places[15]).toEqual({ slice: 1, row: 3, col: 1 });
    expect(d.sliceTitles).toEqual(['node 0 · y = 0…1', 'node 1 · y = 2…3']);
  });

  it('links each chip to its next along the collective axes where they sit side by side', () => {
    // a = all_gather(n, yz) on 4×4×4: rows y and columns z of each slice x are the rings.
    const a = tileMap(lowLatency, 'decode', 'ffn.a');
    const links = exchangeLinks(a);
    expect(links[0]).toEqual(['down', 'right']); // (0,0,0) → (0,1,0) below, (0,0,1) right
    expect(links[3]).toEqual(['down']); // (0,0,3): last of its row
    expect(links[15]).toEqual([]); // (0,3,3)
    // c = reduce_scatter(b, x): its partners are in other slices, so nothing is linked in the drawing.
    expect(exchangeLinks(tileMap(lowLatency, 'decode', 'ffn.c')).every((l) => l.length === 0)).toBe(true);
    expect(exchangeLinks(tileMap(lowLatency, 'decode', 'ffn.w_in')).every((l) => l.length === 0)).toBe(true);
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
