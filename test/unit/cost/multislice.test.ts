// Multi-slice TPUs (prelude hardware.shard): a TPU v5e/v6e/v5p slice is one ICI torus up to a pod;
// slices talk over the data-centre network (DCN), 25 GB/s per host [scaling book, tpus.md] = 3.125
// GB/s per chip on v5e/v6e (8 chips a host), 6.25 GB/s on v5p (4 chips a host). Expectations are
// those figures and the switch formula of cost-model.md §4, written here.

import { describe, expect, it } from 'vitest';
import { costShard } from './helpers/shard';
import { collectiveAffine } from '../../../server/src/engine/cost/collectives';
import { GATHER } from '../../../server/src/engine/ops/collectives';
import type { MeshSpec } from '../../../server/src/engine/check/resolved';

const GB = 1e9;
const MODEL = 'model tiny { layers = 2, E = 1024, F = 4096, H = 16, K = 16, Q = 64, V = 1024 }';

function meshOf(mesh: string): MeshSpec {
  return costShard(`${MODEL}\nlayout l { model = tiny, mesh = ${mesh}, workload { batch = 64, prompt = 64, generate = 4 }, ffn = ws1d, attention = heads }`).layout.mesh;
}
const axis = (m: MeshSpec, name: string) => m.axes.find((a) => a.name === name)!;

describe('TPU slices joined by the data-centre network', () => {
  it('v5e: two 16×16 pods — x and y on ICI, z over DCN at 3.125 GB/s per chip', () => {
    const m = meshOf('tpu_v5e { x = 16, y = 16, z = 2 }');
    expect(axis(m, 'x')).toMatchObject({ tier: 'scale-up', link_bw: 50 * GB, topology: 'torus' });
    expect(axis(m, 'z')).toMatchObject({ tier: 'scale-out', link_bw: 3.125 * GB, topology: 'switch' });
    // all_gather over z, 2 slices: D·(2−1)/2 / 3.125 GB/s, no latency (DCN's is not published).
    const c = collectiveAffine(GATHER, ['z'], m);
    expect(c.a).toBe(0);
    expect(c.b).toBeCloseTo(1 / 2 / (3.125 * GB), 25);
  });

  it('v6e as v5e; v5p: a 4096-chip mesh is still one slice, DCN at 6.25 GB/s past 8960 chips', () => {
    expect(axis(meshOf('tpu_v6e { x = 16, y = 16, z = 4 }'), 'z').link_bw).toBe(3.125 * GB);
    // A model whose dims split 4096 ways, FFN alone.
    const wide = 'model wide { layers = 1, E = 4096, F = 4096, H = 1, K = 1, Q = 1, V = 4096 }';
    const one = costShard(`${wide}\nlayout l { model = wide, mesh = tpu_v5p { x = 16, y = 16, z = 16 }, workload { batch = 1, prompt = 1, generate = 1 }, ffn = ws1d, attention = none }`).layout.mesh;
    expect(one.axes.filter((a) => a.size > 1).every((a) => a.tier === 'scale-up')).toBe(true);
    expect(one.hardware).toMatchObject({ scaleup_domain: 8960, scaleout_bw: 6.25 * GB });
  });

  it('a KV transfer between two v5e slices goes over DCN: bytes / (min chips · 3.125 GB/s)', () => {
    const { cost } = costShard(`${MODEL}
layout split { model = tiny, workload { batch = 64, prompt = 64, generate = 4 }, ffn = ws1d, attention = heads,
  prefill { mesh = tpu_v5e { x = 4, y = 4 } }, decode { mesh = tpu_v5e { x = 4, y = 2 } } }`);
    const t = cost.kvTransfer!;
    // 2 (K, V) · 2 layers · 16 heads · 64 · 2 B per token, 64 sequences × 64 prompt tokens.
    const bytes = 2 * 2 * 16 * 64 * 2 * 64 * 64;
    expect(t.bytes.value).toBe(bytes);
    expect(t.link).toBe('scale-out network');
    expect(t.time.value).toBeCloseTo(bytes / (8 * 3.125 * GB), 12);
  });
});
