// Tile assignment: which index range of each dim every chip holds, by the documented order
// (chips numbered first mesh axis major; a dim over several axes split with the first mesh axis
// major). Every expected range below is worked out by hand from the sizes in the comments.

import { describe, expect, it } from 'vitest';
import { chipLabel, tileMap, tilesOfType, ValueRefError, type TileMap } from '../../../server/src/engine/sharding/index';
import { makeSizes } from '../../../server/src/engine/cost/sizes';
import { analyzed } from '../search/helpers';

// PaLM 540B (prelude `palm_540b`): E = 18432, F = 73728, Q = 256, K = 1.
function palm(mesh: string, ffnPrefill: string, ffnDecode: string, batch = 64, attention = 'batch'): string {
  return `mesh m = tpu_v4 { ${mesh} }
layout l {
  model = palm_540b
  mesh = m
  workload { batch = ${batch}, prompt = 2048, generate = 64 }
  prefill { ffn = ${ffnPrefill}, attention = ${attention} }
  decode  { ffn = ${ffnDecode}, attention = ${attention} }
}
`;
}

// The checker's findings about memory and divisibility do not matter to where tiles go.
const ok = (text: string) => analyzed(text, 'test.shard', ['out-of-memory', 'not-divisible']).layout('l');
const cube = ok(palm('x = 4, y = 4, z = 4', 'wg_xyz', 'ws2d', 512));
const flat = ok(palm('x = 2, y = 4, z = 8', 'wg_x', 'ws1d'));
const flat2d = ok(palm('x = 2, y = 4, z = 8', 'ws2d', 'ws2d'));

/** The chip at coordinates (x, y, z). */
function at(map: TileMap, ...coords: number[]) {
  const c = map.chips.find((ch) => ch.coords.every((v, i) => v === coords[i]))!;
  return { ...c, range: (letter: string) => { const r = c.ranges.find((x) => x.letter === letter)!; return [r.start, r.end]; } };
}

describe('tile assignment on 4×4×4', () => {
  it('w_in : E_x F_yz (2D weight-stationary): E by x, F by y·4 + z', () => {
    const map = tileMap(cube, 'decode', 'ffn.w_in');
    expect(map.type).toBe('E_x F_yz');
    expect(map.chips).toHaveLength(64);
    // E: 18432 / 4 = 4608 per chip; F: 73728 / 16 = 4608 per chip.
    const c = at(map, 1, 2, 3);
    expect(c.chip).toBe(1 * 16 + 2 * 4 + 3);
    expect(c.range('E')).toEqual([4608, 9216]);
    expect(c.range('F')).toEqual([11 * 4608, 12 * 4608]); // shard 2·4 + 3 = 11
    const d = at(map, 3, 0, 1);
    expect(d.range('E')).toEqual([13824, 18432]);
    expect(d.range('F')).toEqual([4608, 9216]); // shard 0·4 + 1 = 1
    // Every chip holds its own tile: 64 tiles, no copies.
    expect(map.tiles).toHaveLength(64);
    expect(map.copies).toBe(1);
    expect(map.tiles.every((t) => t.chips.length === 1)).toBe(true);
    expect(chipLabel(map, c)).toEqual(['E 4608:9216', 'F 50688:55296']);
  });

  it('a partial sum: b : BLF_yz (partialsum-x) — the 4 chips along x hold the 4 partial sums of one F range', () => {
    const map = tileMap(cube, 'decode', 'ffn.b');
    expect(map.partialsum).toEqual(['x']);
    expect(map.partials).toBe(4);
    expect(map.copies).toBe(1);
    expect(map.tiles).toHaveLength(16);
    for (let x = 0; x < 4; x++) {
      const c = at(map, x, 2, 3);
      expect(c.range('F')).toEqual([50688, 55296]);
      expect(c.partial).toBe(x);
    }
    const group = map.tiles[at(map, 0, 2, 3).tile];
    expect(group.chips).toEqual([11, 27, 43, 59]); // x·16 + 11
    // The third of 4 partial sums: the sum over the third quarter of E (18432 / 4 = 4608).
    expect(chipLabel(map, at(map, 2, 2, 3))).toEqual(['F 50688:55296', 'Σ E 9216:13824']);
  });

  it('replicated copies: a : BLE_x is copied over y and z', () => {
    const map = tileMap(cube, 'decode', 'ffn.a');
    expect(map.replicatedOver).toEqual(['y', 'z']);
    expect(map.copies).toBe(16);
    expect(map.tiles).toHaveLength(4);
    const c = at(map, 1, 2, 3);
    expect(c.range('E')).toEqual([4608, 9216]);
    expect(c.copy).toBe(2 * 4 + 3);
    expect(map.tiles[1].chips).toEqual(Array.from({ length: 16 }, (_, i) => 16 + i));
    // B (512 sequences) and L (1 token in decode) are whole on every chip.
    expect(c.range('B')).toEqual([0, 512]);
    expect(c.range('L')).toEqual([0, 1]);
  });

  it('weight-gathered prefill (wg_xyz): the stored weight is sharded, the gathered one whole on every chip', () => {
    const stored = tileMap(cube, 'prefill', 'ffn.w_in');
    expect(at(stored, 1, 2, 3).range('F')).toEqual([50688, 55296]);
    const gathered = tileMap(cube, 'prefill', 'ffn.wi');
    expect(gathered.type).toBe('EF');
    expect(gathered.tiles).toHaveLength(1);
    expect(gathered.copies).toBe(64);
    expect(at(gathered, 1, 2, 3).range('F')).toEqual([0, 73728]);
    expect(chipLabel(gathered, at(gathered, 1, 2, 3))).toEqual(['whole', 'copy 28/64']);
    // The input B_xyzLE: 512 sequences, 8 per chip; chip 27 holds 216:224; L = T = prompt.
    const h = tileMap(cube, 'prefill', 'ffn.h');
    expect(at(h, 1, 2, 3).range('B')).toEqual([216, 224]);
    expect(at(h, 1, 2, 3).range('L')).toEqual([0, 2048]);
  });

  it('a cache: kc : B_xyz T K Q holds one sequence per chip and the whole cache length', () => {
    const map = tileMap(cube, 'decode', 'attention.kc');
    expect(map.op).toBe('cache');
    // batch 512 over 64 chips: 8 each; T = prompt + generate = 2112.
    expect(at(map, 0, 1, 1).range('B')).toEqual([40, 48]); // chip 5
    expect(at(map, 0, 1, 1).range('T')).toEqual([0, 2112]);
    expect(map.sizesNote).toContain('T = 2112');
  });

  it('pads a shard past the end of a dim that does not divide', () => {
    // The checker refuses such a layout (not-divisible); the assignment still says what padding means.
    const axes = [{ name: 'x', size: 4 }, { name: 'y', size: 4 }, { name: 'z', size: 4 }];
    const sizes = makeSizes('decode', 'last', 60, 1, 100, false, { E: 8, F: 8, H: 1, K: 1, Q: 8, V: 8 });
    const map = { ...tilesOfType({ dims: [{ letter: 'B', axes: ['z', 'x', 'y'] }, { letter: 'E', axes: [] }], partialsum: [] }, axes, sizes) } as TileMap;
    // 60 sequences over 64 shards: ⌈60/64⌉ = 1 each; shards 60–63 are empty. Axes in mesh order, x major.
    expect(map.dims[0]).toMatchObject({ letter: 'B', axes: ['x', 'y', 'z'], shards: 64, extent: 1 });
    expect(at(map, 3, 3, 3).range('B')).toEqual([60, 60]);
    expect(chipLabel(map, at(map, 3, 3, 3))).toEqual(['B pad']);
    expect(at(map, 3, 2, 3).range('B')).toEqual([59, 60]); // 3·16 + 2·4 + 3 = 59
    expect(at(map, 3, 3, 2).range('B')).toEqual([60, 60]); // shard 62: empty, clamped to the end
    expect(at(map, 0, 1, 2).range('B')).toEqual([6, 7]);
  });
});

describe('collectives', () => {
  it('groups the chips that exchange data: those that differ only on the collective axes', () => {
    // a = all_gather(n, yz): 4 groups (one per x) of 16 chips; x = 1 is chips 16–31.
    const a = tileMap(cube, 'decode', 'ffn.a').collective!;
    expect(a.op).toBe('all_gather');
    expect(a.axes).toEqual(['y', 'z']);
    expect(a.groups).toHaveLength(4);
    expect(a.groups[1]).toEqual(Array.from({ length: 16 }, (_, i) => 16 + i));
    // c = reduce_scatter(b, x): 16 groups of the 4 chips along x; (·, 2, 3) is chips x·16 + 11.
    const c = tileMap(cube, 'decode', 'ffn.c').collective!;
    expect(c.groups).toHaveLength(16);
    expect(c.groups.find((g) => g.includes(11))).toEqual([11, 27, 43, 59]);
    expect(tileMap(cube, 'decode', 'ffn.w_in').collective).toBeNull();
  });
});

describe('tile assignment on 2×4×8', () => {
  it('1D weight-stationary: w_in : E F_xyz splits F 64 ways, x major', () => {
    const map = tileMap(flat, 'decode', 'ffn.w_in');
    expect(map.dims.map((d) => d.shards)).toEqual([1, 64]);
    // F: 73728 / 64 = 1152 per chip; chip (1, 2, 3) is shard 1·32 + 2·8 + 3 = 51.
    const c = at(map, 1, 2, 3);
    expect(c.chip).toBe(51);
    expect(c.range('F')).toEqual([51 * 1152, 52 * 1152]);
    expect(c.range('E')).toEqual([0, 18432]);
    expect(chipLabel(map, c)).toEqual(['F 58752:59904']);
  });

  it('2D weight-stationary: w_in : E_x F_yz, 2 × 32 tiles', () => {
    const map = tileMap(flat2d, 'decode', 'ffn.w_in');
    // E: 18432 / 2 = 9216; F: 73728 / 32 = 2304; chip (1, 3, 7) is F shard 3·8 + 7 = 31.
    const c = at(map, 1, 3, 7);
    expect(c.chip).toBe(63);
    expect(c.range('E')).toEqual([9216, 18432]);
    expect(c.range('F')).toEqual([71424, 73728]);
    expect(at(map, 0, 1, 0).range('F')).toEqual([8 * 2304, 9 * 2304]);
  });

  it('X-weight-gathered (wg_x): the weight gathered over x is copied twice, still F_yz', () => {
    const map = tileMap(flat, 'prefill', 'ffn.wi');
    expect(map.type).toBe('EF_yz');
    expect(map.replicatedOver).toEqual(['x']);
    expect(map.copies).toBe(2);
    expect(at(map, 0, 2, 5).range('F')).toEqual([21 * 2304, 22 * 2304]);
    expect(map.tiles[21].chips).toEqual([21, 53]); // x = 0 and x = 1
  });
});

describe('value names', () => {
  it('names the values there are when one is unknown', () => {
    try {
      tileMap(cube, 'decode', 'ffn.w_nope');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ValueRefError);
      expect((e as Error).message).toContain("no value 'w_nope'");
      expect((e as ValueRefError).available).toContain('ffn.w_in');
      expect((e as ValueRefError).available).toContain('attention.kc');
    }
    expect(() => tileMap(cube, 'decode', 'mlp.w_in')).toThrow(/ROLE.NAME/);
  });
});

describe('collectives: who exchanges what, over which links', () => {
  it('reduce_scatter(b, x): rings of the 4 chips along x, each ending with its F shard of 64', () => {
    const c = tileMap(cube, 'decode', 'ffn.c').collective!;
    expect(c.operand).toBe('b');
    expect(c.operandType).toBe('BLF_yz (partialsum-x)');
    // Chip (·, 2, 3) is x·16 + 2·4 + 3: the group of chip 27 in ring order along x.
    const g = c.groups.findIndex((x) => x.includes(27));
    expect(c.groups[g]).toEqual([11, 27, 43, 59]);
    expect(c.groupNames[g]).toBe('(0…3, 2, 3)');
    // tpu_v4's x wraps around: a bidirectional ring of 4.
    expect(c.steps).toEqual([{ axis: 'x', size: 4, link: 'ring', bw: cube.mesh.axes[0].link_bw, tier: null }]);
    // F = 73728 over xyz (64 shards): 1152 per chip after the scatter.
    expect(c.moves).toContain('reduce-scatter along x');
    expect(c.moves).toContain('the 4 chips of a group hold partial sums (over x)');
    expect(c.moves).toContain('F shard (1152 of 73728)');
  });

  it('all_gather(n, yz): 4 groups of 16 chips, one per x, y ring then z ring; E from 288 to 4608 a chip', () => {
    const c = tileMap(cube, 'decode', 'ffn.a').collective!;
    expect(c.groupNames).toEqual(['(0, 0…3, 0…3)', '(1, 0…3, 0…3)', '(2, 0…3, 0…3)', '(3, 0…3, 0…3)']);
    expect(c.steps.map((s) => [s.axis, s.size, s.link])).toEqual([['y', 4, 'ring'], ['z', 4, 'ring']]);
    // n : BLE_xyz holds 18432 / 64 = 288 of E; a : BLE_x holds 18432 / 4 = 4608.
    expect(c.moves).toContain('each chip sends its E shard (288 of 18432) to the other 15 chips of its group');
    expect(c.moves).toContain('then each holds E shard (4608 of 18432)');
  });
});

describe('partial sums: what each chip sums', () => {
  it('b = einsum(a, w_in) : BLF_yz (partialsum-x): chip (x, ·, ·) holds the sum over its E quarter', () => {
    const map = tileMap(cube, 'decode', 'ffn.b');
    expect(map.partialOf).toEqual({ letters: ['E'], operands: ['a', 'w_in'] });
    // a : BLE_x and w_in : E_x F_yz split E = 18432 in 4 over x: 4608 each.
    for (let x = 0; x < 4; x++) expect(at(map, x, 2, 3).partialOf).toEqual([{ letter: 'E', shard: x, start: x * 4608, end: (x + 1) * 4608 }]);
    expect(chipLabel(map, at(map, 2, 2, 3))).toEqual(['F 50688:55296', 'Σ E 9216:13824']);
    // Not a partial sum: nothing to say.
    expect(tileMap(cube, 'decode', 'ffn.w_in').partialOf).toBeNull();
  });
});

describe('GPU meshes: nodes and network tiers', () => {
  const gpu = (mesh: string) =>
    ok(`mesh m = h100 { ${mesh} }
layout l {
  model = llama3_70b
  mesh = m
  workload { batch = 64, prompt = 2048, generate = 64 }
  ffn = ws2d
  prefill { batch = 1, attention = heads }
  decode  { attention = batch }
}
`);

  it('8 × 8 H100s: x fills a node (NVLink), y runs across 8 nodes over the network', () => {
    const map = tileMap(gpu('x = 8, y = 8'), 'decode', 'ffn.w_in');
    // h100: scaleup_domain 8, NVLink 450 GB/s per GPU each way, one 50 GB/s NIC per GPU.
    expect(map.mesh.tiers).toEqual({ domain: 8, nodes: 8, perNode: 8, inside: ['x'], across: ['y'], scaleUpBw: 450e9, scaleOutBw: 50e9 });
    // Chip (x = 3, y = 5) is 3·8 + 5 = 29, in the node of y = 5.
    expect(at(map, 3, 5, 0).chip).toBe(29);
    expect(at(map, 3, 5, 0).node).toBe(5);
    expect(new Set(map.chips.filter((c) => c.node === 5).map((c) => c.coords[1]))).toEqual(new Set([5]));
    // The gather over yz runs over y only (z = 1): one phase through the network's switch.
    const c = tileMap(gpu('x = 8, y = 8'), 'decode', 'ffn.a').collective!;
    expect(c.axes).toEqual(['y']);
    expect(c.steps).toEqual([{ axis: 'y', size: 8, link: 'switch', bw: 50e9, tier: 'scale-out' }]);
  });

  it('4 × 4 H100s: y spans two nodes, 2 of its chips in each; its collective is NVLink then network', () => {
    const layout = gpu('x = 4, y = 4');
    const map = tileMap(layout, 'decode', 'ffn.a');
    expect(map.mesh.tiers).toMatchObject({ nodes: 2, perNode: 8, inside: ['x', 'y (2 of 4)'], across: ['y (2 blocks of 2)'] });
    // Node = ⌊y / 2⌋: chips (x, 0…1) in node 0, (x, 2…3) in node 1.
    expect(at(map, 3, 1, 0).node).toBe(0);
    expect(at(map, 0, 2, 0).node).toBe(1);
    expect(map.collective!.steps.map((s) => [s.axis, s.size, s.tier])).toEqual([['y:scale-up', 2, 'scale-up'], ['y:scale-out', 2, 'scale-out']]);
  });

  it('a TPU mesh has no tiers: every chip in node 0', () => {
    const map = tileMap(cube, 'decode', 'ffn.w_in');
    expect(map.mesh.tiers).toBeNull();
    expect(map.chips.every((c) => c.node === 0)).toBe(true);
  });
});
