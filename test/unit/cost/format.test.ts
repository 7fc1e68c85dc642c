// Human-unit formatting and formula substitution (report/format.ts, cost/explained.ts).

import { describe, expect, it } from 'vitest';
import { formatBytes, formatFlops, formatPercent, formatSeconds, formatValue, grouped, sig } from '../../../server/src/engine/report/format';
import { explained, input, substitute } from '../../../server/src/engine/cost/explained';
import { explainLayout } from '../../../server/src/engine/report/explain';
import { costShard, op } from './helpers/shard';

describe('format', () => {
  it('seconds', () => {
    expect(formatSeconds(0)).toBe('0 s');
    expect(formatSeconds(650e-6)).toBe('650 µs');
    expect(formatSeconds(0.0364)).toBe('36.4 ms');
    expect(formatSeconds(85.2)).toBe('85.2 s');
    expect(formatSeconds(3.2e-9)).toBe('3.2 ns');
  });
  it('bytes: binary units (one convention everywhere; test/unit/report/format.test.ts has the edges)', () => {
    expect(formatBytes(134217728)).toBe('128 MiB'); // 2^27 = 128 · 2^20
    expect(formatBytes(126.7e9)).toBe('118 GiB'); // 126.7e9 / 1,073,741,824 = 118.0
    expect(formatBytes(32 * 2 ** 30)).toBe('32 GiB');
    expect(formatBytes(590000)).toBe('576 KiB'); // 590000 / 1024 = 576.2
    expect(formatBytes(512)).toBe('512 B');
  });
  it('FLOPs, percent, counts', () => {
    expect(formatFlops(2.15e9)).toBe('2.15 GFLOP');
    expect(formatValue(275e12, 'FLOP/s')).toBe('275 TFLOP/s');
    expect(formatPercent(0.4321)).toBe('43.2%');
    expect(grouped(134217728)).toBe('134,217,728');
    expect(sig(1234567)).toBe('1,234,567');
  });
});

describe('substitute', () => {
  it('replaces whole symbols, longest first', () => {
    const e = explained(1, 's', 'D·(P−1)/P / BW + BW_x', { D: input(100, 'B'), P: input(4, ''), BW: input(9e10, 'B/s'), BW_x: input(1, 's') });
    expect(substitute(e, formatValue)).toBe('100 B·(4−1)/4 / 90 GB/s + 1 s');
  });
  it('formulas and inputs may be built lazily', () => {
    let built = 0;
    const e = explained(2, 'B', () => { built++; return 'a + a'; }, () => ({ a: input(1, 'B') }));
    expect(built).toBe(0);
    expect(substitute(e, formatValue)).toBe('1 B + 1 B');
    expect(substitute(e, formatValue)).toBe('1 B + 1 B');
    expect(built).toBe(1);
  });
});

describe('explanations with op_overhead', () => {
  it('the overhead appears as its own term', () => {
    const { cost } = costShard(`
hardware slow = tpu_v4 { op_overhead = 5 us, collective_latency = 1 us }
mesh pod = slow { x = 4, y = 4, z = 4 }
model m { layers = 1, E = 1024, F = 4096, H = 16, K = 1, Q = 64, V = 1024, ffn = gelu }
layout l { model = m, mesh = pod, workload { batch = 64, prompt = 128, generate = 8 }, ffn = ws2d, attention = none }`);
    const b = op(cost.prefill.pass.layer.ops, 'ffn.b');
    expect(b.time.formula).toBe('max(t_compute, t_memory) + op_overhead');
    expect(b.time.value).toBeCloseTo(Math.max(b.computeTime.value, b.memoryTime.value) + 5e-6, 15);
    const ex = explainLayout(cost, { phase: 'prefill', op: 'ffn.a' });
    const time = ex.sections[0].lines.find((l) => l.label.startsWith('time'))!;
    expect(time.substituted).toMatch(/µs \+ 5 µs$/);
    const t = ex.sections[0].lines.find((l) => l.label === 't_comm')!;
    // hops over y and z of a wrapped 4×4×4: 4/2 + 4/2.
    expect(t.substituted.startsWith('1 µs·4 + ')).toBe(true);
  });
});
