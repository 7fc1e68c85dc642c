// Pope Fig. 3: per-chip communication volume of one FFN layer by layout and tokens per batch,
// the min-volume switch points, and the 2D and weight-gathered optima (golden data G1–G4).
// A gelu model costed with `attention = none`; volumes are the comm_bytes of collective ops.

import { describe, expect, it } from 'vitest';
import { collectiveVolume, costShard, golden, rel } from './helpers/shard';

const G = golden();
const FIG3 = G.fig3_ffn_comm_volume;
const LAYOUTS = ['ws2d', 'wg_x', 'wg_xy', 'wg_xyz'] as const;

/** The Fig. 3 setup: a gelu model with the figure's E and F; B·L = tokens with B = 64. */
function fig3Source(ffn: string, tokens: number, mesh: { X: number; Y: number; Z: number } = FIG3.setup, E = FIG3.setup.E, F = FIG3.setup.F): string {
  const batch = Math.min(64, tokens);
  return `
model fig3 { layers = 1, E = ${E}, F = ${F}, H = 128, Q = 128, V = 32768, ffn = gelu, weights = bf16 }
mesh m = tpu_v4 { x = ${mesh.X}, y = ${mesh.Y}, z = ${mesh.Z} }
layout l {
  model = fig3
  mesh = m
  workload { batch = ${batch}, prompt = ${tokens / batch}, generate = 1 }
  ffn = ${ffn}
  attention = none
}`;
}

function volume(ffn: string, tokens: number, mesh?: { X: number; Y: number; Z: number }, E?: number, F?: number): number {
  const { cost } = costShard(fig3Source(ffn, tokens, mesh, E, F));
  return collectiveVolume(cost.prefill.pass.layer.ops);
}

describe('Pope Fig. 3 volumes (G1)', () => {
  for (const row of FIG3.rows) {
    for (const ffn of LAYOUTS) {
      it(`${ffn} at ${row.tokens} tokens`, () => {
        expect(FIG3.unit).toBe('GB');
        const expected = row[ffn] * G.conventions.GB;
        expect(rel(volume(ffn, row.tokens), expected)).toBeLessThanOrEqual(FIG3.tolerance_rel);
      });
    }
  }

  it('ws1d volume is 2·B·L·E·bytes, whatever the chip count', () => {
    const { E, bytes } = FIG3.setup;
    for (const mesh of [{ X: 2, Y: 2, Z: 2 }, { X: 4, Y: 4, Z: 4 }, { X: 4, Y: 4, Z: 8 }]) {
      expect(volume('ws1d', 16384, mesh)).toBe(2 * 16384 * E * bytes);
    }
  });

  it('the slopes are the bytes per token of the figure', () => {
    const slopes = LAYOUTS.map((f) => (volume(f, 65536) - volume(f, 16384)) / (65536 - 16384));
    const { E, F, X, Y, bytes } = FIG3.setup;
    // ws2d 2(E/X + F/YZ), wg_x 2E/X, wg_xy 2E/XY, wg_xyz 0, times bytes per element.
    expect(slopes).toEqual([2 * (E / X + F / (Y * FIG3.setup.Z)) * bytes, (2 * E / X) * bytes, (2 * E / (X * Y)) * bytes, 0]);
    expect(F).toBe(4 * E);
  });
});

describe('min-volume switch points (G2)', () => {
  // Volumes are linear in tokens, so the first token count (a multiple of B = 64) at which the
  // next layout moves no more than the current one is found by bisection.
  function switchPoint(from: string, to: string): number {
    let lo = 1; // in units of 64 tokens: `to` is worse at lo·64
    let hi = 1 << 16; // and no worse at hi·64
    expect(volume(to, lo * 64)).toBeGreaterThan(volume(from, lo * 64));
    expect(volume(to, hi * 64)).toBeLessThanOrEqual(volume(from, hi * 64));
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (volume(to, mid * 64) <= volume(from, mid * 64)) hi = mid;
      else lo = mid;
    }
    return hi * 64;
  }
  const points = FIG3.min_volume_switch_points_tokens;
  it('ws2d → wg_x', () => expect(switchPoint('ws2d', 'wg_x')).toBe(points.ws2d_to_wg_x));
  it('wg_x → wg_xy', () => expect(switchPoint('wg_x', 'wg_xy')).toBe(points.wg_x_to_wg_xy));
  it('wg_xy → wg_xyz', () => expect(switchPoint('wg_xy', 'wg_xyz')).toBe(points.wg_xy_to_wg_xyz));
  it('the min-volume layout at each Fig. 3 row follows the switch points', () => {
    for (const row of FIG3.rows) {
      const vols = LAYOUTS.map((f) => volume(f, row.tokens));
      const best = Math.min(...vols);
      const expected = row.tokens < points.ws2d_to_wg_x ? 'ws2d' : row.tokens < points.wg_x_to_wg_xy ? 'wg_x' : row.tokens < points.wg_xy_to_wg_xyz ? 'wg_xy' : 'wg_xyz';
      expect(vols[LAYOUTS.indexOf(expected)]).toBe(best);
    }
  });
});

/** Every X·Y·Z = n with power-of-two sizes. */
function factorizations(n: number): { X: number; Y: number; Z: number }[] {
  const out: { X: number; Y: number; Z: number }[] = [];
  for (let X = 1; X <= n; X *= 2) for (let Y = 1; X * Y <= n; Y *= 2) out.push({ X, Y, Z: n / (X * Y) });
  return out;
}

describe('2D weight-stationary optimum (G3)', () => {
  const { E, F, bytes } = FIG3.setup;
  const tokens = 2048;
  for (const n of [64, 256]) {
    it(`on ${n} chips the best split is X = sqrt(n·E/F) with volume 8·B·L·E/sqrt(n)`, () => {
      let best = { X: 0, vol: Infinity };
      for (const m of factorizations(n)) {
        const v = volume('ws2d', tokens, m);
        if (v < best.vol) best = { X: m.X, vol: v };
      }
      expect(best.X).toBe(Math.sqrt((n * E) / F));
      expect(best.vol).toBe(((8 * tokens * E) / Math.sqrt(n)) * bytes);
    });
  }
  it('at n = 64 the 2D volume is 4/sqrt(n) of 1D; they break even at n = 16', () => {
    const v2d = volume('ws2d', tokens, { X: 4, Y: 4, Z: 4 });
    const v1d = volume('ws1d', tokens, { X: 4, Y: 4, Z: 4 });
    expect(v2d / v1d).toBe(4 / Math.sqrt(64));
    expect(volume('ws2d', tokens, { X: 2, Y: 2, Z: 4 })).toBe(volume('ws1d', tokens, { X: 2, Y: 2, Z: 4 }));
  });
});

describe('weight-gathered optimum (G4)', () => {
  const { E, F, bytes } = FIG3.setup;
  const n = 64;
  // N* = sqrt(B·L·n/F): pick B·L so that N* is each layout's N. (wg_xyz, N = n, moves no
  // activations at all, so the two-term formula does not describe it; Fig. 3 plots it flat.)
  for (const [ffn, N] of [['wg_x', 4], ['wg_xy', 16]] as const) {
    it(`${ffn} (N = ${N}) is optimal at B·L = N²·F/n with volume 4E·sqrt(B·L·F)/sqrt(n)`, () => {
      const tokens = (N * N * F) / n;
      expect(Math.sqrt((tokens * n) / F)).toBe(N);
      const { cost, layout } = costShard(fig3Source(ffn, tokens));
      const ops = cost.prefill.pass.layer.ops;
      const isWeight = (id: string) => layout.prefill.ffn.byName.get(id.slice(id.indexOf('.') + 1))?.op === 'weight';
      const total = collectiveVolume(ops);
      expect(total).toBe(((4 * E * Math.sqrt(tokens * F)) / Math.sqrt(n)) * bytes);
      // At N*, the weight term equals the activation term.
      const weightGathers = ops.filter((o) => o.op === 'all_gather' && isWeight(o.uses[0]));
      expect(weightGathers).toHaveLength(2);
      expect(collectiveVolume(weightGathers)).toBe(total / 2);
      for (const other of ['wg_x', 'wg_xy', 'wg_xyz']) expect(volume(other, tokens)).toBeGreaterThanOrEqual(total);
    });
  }
});
