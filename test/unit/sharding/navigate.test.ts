// Keyboard navigation of the Show Sharding drawing (sharding/navigate.ts): the moves follow the
// drawing (columns = last mesh axis, rows = the one before, slices = the rest) and stop at its
// edge; the announcement is the chip's coordinates and its tile as the tile table prints it.
// Expected chips and ranges are worked out by hand from the numbering rule (first axis major).

import { describe, expect, it } from 'vitest';
import { tileMap, type TileMap } from '../../../server/src/engine/sharding/index';
import { chipAnnouncement, exchangePartners, moveChip, type ChipMove } from '../../../server/src/engine/sharding/navigate';
import { renderChartsToSvg } from '../../../server/src/engine/charts/svg';
import { analyzed } from '../search/helpers';

function palm(mesh: string): string {
  return `mesh m = tpu_v4 { ${mesh} }
layout l {
  model = palm_540b
  mesh = m
  workload { batch = 64, prompt = 2048, generate = 64 }
  prefill { ffn = ws2d, attention = batch }
  decode  { ffn = ws2d, attention = batch }
}
`;
}
const ok = (text: string) => analyzed(text, 'test.shard', ['out-of-memory', 'not-divisible']).layout('l');
const cube = tileMap(ok(palm('x = 4, y = 4, z = 4')), 'decode', 'ffn.w_in');
const flat = tileMap(ok(palm('x = 2, y = 4, z = 8')), 'decode', 'ffn.w_in');

const walk = (map: TileMap, from: number, moves: ChipMove[]) => moves.reduce((c, m) => moveChip(map, c, m), from);

describe('moveChip', () => {
  it('on 4×4×4 moves z with left/right, y with up/down, x (the slices) with previous/next slice', () => {
    // Chip number x·16 + y·4 + z.
    expect(moveChip(cube, 0, 'right')).toBe(1); // (0,0,1)
    expect(walk(cube, 0, ['right', 'down'])).toBe(5); // (0,1,1)
    expect(walk(cube, 0, ['right', 'down', 'next-slice'])).toBe(21); // (1,1,1)
    expect(walk(cube, 21, ['previous-slice', 'up', 'left'])).toBe(0);
    expect(moveChip(cube, 27, 'first')).toBe(0);
    expect(moveChip(cube, 0, 'last')).toBe(63);
  });

  it('stops at the edge of the drawing instead of wrapping', () => {
    expect(moveChip(cube, 0, 'left')).toBe(0);
    expect(moveChip(cube, 0, 'up')).toBe(0);
    expect(moveChip(cube, 0, 'previous-slice')).toBe(0);
    expect(moveChip(cube, 3, 'right')).toBe(3); // (0,0,3): z = 3 is the last column
    expect(moveChip(cube, 12, 'down')).toBe(12); // (0,3,0)
    expect(moveChip(cube, 48, 'next-slice')).toBe(48); // (3,0,0)
  });

  it('on 2×4×8 walks the 8 columns of z and the 2 slices of x', () => {
    // Chip x·32 + y·8 + z: seven steps right from (0,0,0) reach (0,0,7) = 7, the eighth stays.
    expect(walk(flat, 0, Array<ChipMove>(7).fill('right'))).toBe(7);
    expect(walk(flat, 0, Array<ChipMove>(8).fill('right'))).toBe(7);
    expect(walk(flat, 7, ['down', 'down', 'next-slice'])).toBe(32 + 16 + 7);
  });
});

describe('chipAnnouncement', () => {
  it('gives the coordinates and the tile: w_in : E_x F_yz, E = 18432 in 4, F = 73728 in 16', () => {
    // (1,1,1) = chip 21: E [4608, 9216); F shard 1·4 + 1 = 5 of 4608, [23040, 27648).
    expect(chipAnnouncement(cube, 21)).toBe('chip 21 (x = 1, y = 1, z = 1): E 4608:9216 · F 23040:27648');
  });

  it('names a collective’s partners and says how many are in other slices', () => {
    // c = reduce_scatter(b, x): chip 27 = (1,2,3) exchanges with the other chips of (·,2,3):
    // x·16 + 11 = 11, 43, 59, each in another x slice.
    const c = tileMap(ok(palm('x = 4, y = 4, z = 4')), 'decode', 'ffn.c');
    expect(exchangePartners(c, 27)).toEqual([11, 43, 59]);
    expect(chipAnnouncement(c, 27)).toMatch(/^chip 27 \(x = 1, y = 2, z = 3\): .*; reduce_scatter with \(0,2,3\), \(2,2,3\), \(3,2,3\) \(3 in other slices\)$/);
  });
});

describe('the selected chip in the chart', () => {
  it('is outlined 3 px wide in the colour given, its partners dashed; without a selection, no outline', () => {
    const c = tileMap(ok(palm('x = 4, y = 4, z = 4')), 'decode', 'ffn.c');
    const svg = (opts: object) => renderChartsToSvg('sharding', c, { animation: false, ...opts })[0].svg;
    const ring = '#ff00aa';
    const drawn = svg({ selectedChip: { chip: 27, color: ring } });
    const outlines = [...drawn.matchAll(/<path[^>]*stroke="#ff00aa"[^>]*>/g)].map((m) => m[0]);
    expect(outlines.filter((p) => /stroke-width="3"/.test(p))).toHaveLength(1);
    expect(outlines.filter((p) => /stroke-dasharray/.test(p))).toHaveLength(3);
    expect(svg({})).not.toContain(ring);
  });
});
