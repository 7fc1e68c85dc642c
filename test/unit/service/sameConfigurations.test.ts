// A file of many layouts that share configurations (a sweep) is costed and searched once per
// configuration. The findings must be those of each layout on its own: the same codes, messages
// (with the layout's own name) and quick fixes (edits of the layout's own text) as when the layout
// is the only one in its file, and the better-layout hint that costing every alternative in full
// gives.

import { describe, expect, it } from 'vitest';
import { createShardService, sig, sourceFromText, type Diagnostic } from '../../../server/src/engine/index';
import { builtinVariants, costLayout, phaseLatency, BETTER_LAYOUT_FACTOR } from '../../../server/src/engine/cost/index';
import type { Phase, ResolvedLayout } from '../../../server/src/engine/check/resolved';
import type { Analysis } from '../../../server/src/engine/analysis';

const DECLARATIONS = `mesh pod64 = tpu_v4 { x = 4, y = 4, z = 4 }
mesh dgx = h100 { x = 8 }
model palm8b = palm_8b
model palm540b_int8 = palm_540b { weights = int8 }
workload chat { batch = 128, prompt = 2048, generate = 64 }
`;

/** One configuration written the ways a sweep writes it: blocks for both phases, or per phase. */
function layout(name: string, body: string[], perPhase: boolean, blocks = { ffn: 'ws2d', attention: 'batch' }): string {
  const phases = perPhase
    ? [`  prefill { ffn = ${blocks.ffn}, attention = ${blocks.attention} }`, `  decode { ffn = ${blocks.ffn}, attention = ${blocks.attention} }`]
    : [`  ffn = ${blocks.ffn}`, `  attention = ${blocks.attention}`];
  return [`layout ${name} {`, ...body.map((b) => `  ${b}`), ...phases, '}'].join('\n');
}

// PaLM 8B on 64 chips: its prefill spends more than half its time in collectives.
const COMMUNICATION_BOUND = ['model = palm8b', 'mesh = pod64', 'workload = chat'];
const OUT_OF_MEMORY = ['model = palm540b_int8', 'mesh = dgx', 'workload = chat'];
const LAYOUTS = [
  // The same configuration eight times, written two ways.
  ...Array.from({ length: 8 }, (_, i) => layout(`comm_${i}`, COMMUNICATION_BOUND, i % 2 === 1)),
  // Another configuration, repeated, that does not fit.
  ...Array.from({ length: 4 }, (_, i) => layout(`oom_${i}`, OUT_OF_MEMORY, i === 0)),
  // Configurations of their own: overlapped, another batch, other blocks, and the first again.
  layout('overlapped', [...COMMUNICATION_BOUND, 'overlap = collective_einsum'], false),
  layout('bigger', ['model = palm8b', 'mesh = pod64', 'workload = chat { batch = 256 }'], false),
  layout('heads', COMMUNICATION_BOUND, false, { ffn: 'ws1d', attention: 'heads' }),
  layout('comm_again', COMMUNICATION_BOUND, false),
];
const FILE = `${DECLARATIONS}\n${LAYOUTS.join('\n\n')}\n`;
const COST_CODES = new Set(['out-of-memory', 'comm-bound', 'memory-bound', 'better-layout']);

/** What a finding says, wherever its layout sits in its file. */
function said(d: Diagnostic) {
  return {
    code: d.code,
    severity: d.severity,
    layout: d.layout,
    phase: d.phase,
    message: d.message,
    // The fix's edit text, and the layout text it replaces (its offsets differ between files).
    fixes: (d.fixes ?? []).map((f) => ({ title: f.title, edits: f.edits.map((e) => ({ newText: e.newText, replaces: d.source.text.slice(e.span.start, e.span.end) })) })),
  };
}

function costFindings(analysis: Analysis, name: string) {
  return analysis.diagnostics.filter((d) => d.layout === name && COST_CODES.has(d.code)).map(said);
}

describe('a file of layouts that share configurations', () => {
  const service = createShardService();
  const analysis = service.analyze(sourceFromText(FILE, 'sweep.shard'));
  const names = analysis.layouts.map((l) => l.name);

  it('resolves every layout and finds each kind of cost finding', () => {
    expect(analysis.uncostable).toEqual([]);
    expect(names).toHaveLength(LAYOUTS.length);
    const codes = new Set(analysis.diagnostics.map((d) => d.code));
    for (const code of ['out-of-memory', 'comm-bound', 'better-layout']) expect(codes).toContain(code);
  });

  it('gives each layout the findings it has alone in a file', () => {
    for (const [i, name] of names.entries()) {
      // A fresh service, so nothing is shared with the sweep's analysis either.
      const alone = createShardService().analyze(sourceFromText(`${DECLARATIONS}\n${LAYOUTS[i]}\n`, `${name}.shard`));
      expect(costFindings(analysis, name), name).toEqual(costFindings(alone, name));
    }
  });

  it('gives each layout the better-layout hint that costing every alternative in full gives', () => {
    const resolve = (l: ResolvedLayout, blocks: Parameters<typeof analysis.resolver.variant>[1]) => analysis.resolver.variant(l, blocks);
    let hints = 0;
    for (const l of analysis.layouts) {
      const cost = costLayout(l);
      const variants = builtinVariants(l, resolve);
      for (const phase of ['prefill', 'decode'] as Phase[]) {
        // The definition: the fastest alternative that fits, if it beats the layout by the factor.
        let best: { ffn: string; attention: string; latency: number } | undefined;
        for (const v of variants(phase)) {
          const c = costLayout(v.layout);
          const t = phaseLatency(c[phase]);
          if (c.memory.fits && t > 0 && (!best || t < best.latency)) best = { ffn: v.ffn, attention: v.attention, latency: t };
        }
        const factor = best ? phaseLatency(cost[phase]) / best.latency : 0;
        const hint = analysis.diagnostics.find((d) => d.layout === l.name && d.phase === phase && d.code === 'better-layout');
        if (!best || factor < BETTER_LAYOUT_FACTOR) {
          expect(hint, `${l.name} ${phase}`).toBeUndefined();
          continue;
        }
        hints++;
        expect(hint?.message, `${l.name} ${phase}`).toContain(`(${best.ffn} + ${best.attention}) would cut ${phase} latency ${sig(factor, 2)}×`);
      }
    }
    expect(hints).toBeGreaterThan(8);
  });

  it('reports the same findings when the editor limits left most layouts to the report', () => {
    // The report costs and searches the layouts past the limit (those it did not cost).
    const limited = service.analyze(sourceFromText(FILE, 'limited.shard'), { maxCostedLayouts: 3, maxHintLayouts: 3 });
    const findings = (a: Analysis) => service.report(a).diagnostics.filter((d) => COST_CODES.has(d.code));
    expect(findings(limited)).toEqual(findings(analysis));
  });
});
