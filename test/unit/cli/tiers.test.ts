// 64 H100s as 8 nodes of 8 (examples/llama405b_h100_nodes.shard), as a user runs the commands:
// `report`, `compare` and `sweep` agree at the layout's own chips, batch and shape (issue 12),
// `sweep` says that a phase keeps its own batch, and `best` pastes meshes that exist.

import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, shardlens } from './run';

const file = 'examples/llama405b_h100_nodes.shard';
const rel = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);

describe('64 H100s as 8 nodes of 8', () => {
  const report = JSON.parse(shardlens(['report', file, '--json']).stdout);

  for (const name of ['ws2d_nodes8', 'ws2d_nodes8_by_hand']) {
    it(`${name}: report, compare and sweep give the same prefill and decode step`, () => {
      const r = report.layouts.find((l: any) => l.name === name);
      const sweepRun = shardlens(['sweep', file, '--layout', name, '--batch', String(r.decode.workload.batch), '--json']);
      expect(sweepRun.code, sweepRun.stderr).toBe(0);
      const pt = JSON.parse(sweepRun.stdout).points[0];
      expect(pt.chips).toBe(r.chips);
      expect(pt.decode.mesh).toBe('8x8x1');
      expect(rel(pt.decode.latency_s, r.decode.step_s)).toBeLessThan(1e-3);
      expect(rel(pt.prefill.latency_s, r.prefill.latency_s)).toBeLessThan(1e-3);
      // compare prints the same decode step (to its 3 significant digits).
      const compare = shardlens(['compare', file, '--layout', name]);
      expect(compare.code, compare.stderr).toBe(0);
      const row = compare.stdout.split('\n').find((l) => l.startsWith(`${name} `))!;
      expect(row).toContain(`${(r.decode.step_s * 1e3).toPrecision(3)} ms`);
    });
  }

  it('sweep says the prefill keeps its own batch', () => {
    const r = shardlens(['sweep', file, '--layout', 'ws2d_nodes8', '--batch', '16,64']);
    expect(r.stdout).toContain('prefill keeps its own batch = 1 (declared in the layout)');
  });

  it('best --chips 64 pastes meshes whose tiers it names, and the pasted text costs the same', () => {
    const r = shardlens(['best', file, '--layout', 'ws2d_nodes8', '--chips', '64', '--dtypes', 'bf16', '--top', '3', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout);
    for (const c of result.candidates) {
      // A new mesh says which of its axes lie on NVLink and which on the network; a result on
      // the file's own mesh names it (`mesh = nodes8`), whose declaration says so already.
      expect(c.text).toMatch(/# tiers of h100 \(8 chips per scale-up domain\): |^ {2}mesh = nodes8$/m);
      const pasted = shardlens(['report', '-', '--json'], `${readFileSync(path.join(ROOT, file), 'utf8')}\n${c.text}`);
      const layout = JSON.parse(pasted.stdout).layouts.find((l: any) => l.name === `ws2d_nodes8_best${c.rank}`);
      expect(rel(layout.total_latency_s, c.latency_s)).toBeLessThan(1e-9);
    }
  });
});
