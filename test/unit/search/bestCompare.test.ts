// `best` for examples/palm540b.shard read against the layout it was asked for: each candidate's
// figures beside the layout's own (a whole request: prefill + 64 decode steps, chip-seconds per
// prompt and generated token), what it changes, the file's own mesh and workload reused in its
// text, and meshes that are permutations with the same figures and tiers merged into one row.

import { describe, expect, it } from 'vitest';
import { costLayout } from '../../../server/src/engine/cost/index';
import { best } from '../../../server/src/engine/search/best';
import { relativeChange } from '../../../server/src/engine/search/bestCompare';
import { renderBestText } from '../../../server/src/engine/search/bestRender';
import { analyzed, readRepoFile } from './helpers';

const { analysis, layout } = analyzed(readRepoFile('examples/palm540b.shard'));

describe('best against the layout as declared', () => {
  const low = layout('low_latency');
  const result = best(analysis, low, { top: 4 });

  it('costs the layout itself by the request measures', () => {
    const cost = costLayout(low);
    // Prefill of one 2048-token prompt, then 64 steps of batch 64; tokens 1·2048 + 64·64 = 6144.
    expect(result.current!.latency_s).toBeCloseTo(cost.prefill.latency.value + cost.decode.latency.value, 12);
    expect(result.current!.cost_chip_s_per_token).toBeCloseTo((64 * result.current!.latency_s) / 6144, 15);
  });

  it('finds the layout itself among the candidates, with no change and ±0%', () => {
    const same = result.candidates.find((c) => c.mesh === '4x4x4' && c.prefill.ffn === 'ws2d' && c.prefill.attention === 'heads' && c.decode.ffn === 'ws2d' && c.decode.attention === 'batch');
    expect(same).toBeDefined();
    expect(same!.changes).toEqual([]);
    expect(relativeChange(same!.latency_s, result.current!.latency_s)).toBe('±0%');
    expect(same!.text).toContain('# the configuration of low_latency itself');
  });

  it('names each change, and says how each row compares in the text table', () => {
    const ws1d = result.candidates.find((c) => c.mesh === '4x4x4' && c.prefill.ffn === 'ws1d' && c.decode.ffn === 'ws2d' && c.decode.attention === 'batch');
    expect(ws1d!.changes).toEqual(['prefill ffn ws2d → ws1d']);
    expect(ws1d!.text).toContain('# changes from low_latency: prefill ffn ws2d → ws1d');
    const text = renderBestText(result);
    expect(text).toContain('latency/cost vs low_latency');
    const pct = Math.round((ws1d!.latency_s / result.current!.latency_s - 1) * 100);
    expect(text).toContain(`${pct < 0 ? `−${-pct}` : `+${pct}`}% latency`);
  });

  it('refers to the file\'s mesh pod64 and workload table2 instead of declaring new ones', () => {
    for (const c of result.candidates.filter((x) => x.mesh === '4x4x4')) {
      expect(c.text).toMatch(/^ {2}mesh = pod64$/m);
      expect(c.text).not.toMatch(/^mesh /m);
      expect(c.text).toMatch(/^ {2}workload = table2$/m);
    }
  });

  it('writes `table2 { batch = N }` for another batch, and a new mesh for another shape', () => {
    const r = best(analysis, low, { top: 2, batches: [128], chips: [32] });
    for (const c of r.candidates) {
      expect(c.text).toMatch(/^ {2}workload = table2 \{ batch = 128 \}$/m);
      expect(c.text).toMatch(new RegExp(`^mesh tpu_v4_${c.mesh}(_\\d+)? = tpu_v4 \\{`, 'm'));
      expect(c.changes[0]).toBe(`mesh 4x4x4 → ${c.mesh} (64 → 32 chips)`);
    }
  });
});

describe('permutations of a mesh', () => {
  it('are one candidate when blocks, figures and tiers agree, and never two rows', () => {
    const r = best(analysis, layout('low_latency'), { top: 12, objective: 'cost', chips: [32, 64, 128] });
    const merged = r.candidates.filter((c) => c.sameAs.length > 0);
    expect(merged.length).toBeGreaterThan(0);
    for (const c of merged) for (const m of c.sameAs) expect(m.split('x').map(Number).sort()).toEqual([...c.shape].sort());
    const key = (c: (typeof r.candidates)[number]) => [c.chips, [...c.shape].sort().join('x'), c.weights, c.workload.prefill.batch, c.workload.decode.batch, c.prefill.ffn, c.prefill.attention, c.decode.ffn, c.decode.attention, c.latency_s.toPrecision(9)].join('|');
    expect(new Set(r.candidates.map(key)).size).toBe(r.candidates.length);
  });
});

describe('relativeChange', () => {
  it('rounds to whole percent with a true minus sign', () => {
    expect(relativeChange(0.9, 1)).toBe('−10%');
    expect(relativeChange(1.034, 1)).toBe('+3%');
    expect(relativeChange(1.004, 1)).toBe('±0%');
  });
});
