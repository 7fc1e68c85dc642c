// The one cost path (operation table → plan → numeric pass → figures built from its numbers)
// against the oracle: the explained path as it was written before the operation table
// (test/unit/cost/oracle), an independent reading of the same rules. Every built-in ffn/attention
// pair, on torus, switch and mixed meshes, serial and parallel, with and without overlap, in both
// phases: every op's figures (values, and the formulas the hovers show), each block's totals, the
// layer's totals, overlap groups and activation peak, and the pass totals rebuilt from the ops.

import { describe, expect, it } from 'vitest';
import { analyze, sourceFromText } from '../../../server/src/engine/index';
import { costLayout } from '../../../server/src/engine/cost/layout';
import { addTotals, emptyTotals } from '../../../server/src/engine/cost/totals';
import { withSingleToken } from '../../../server/src/engine/cost/sizes';
import type { OpCost, PassCost } from '../../../server/src/engine/cost/types';
import type { PhaseSpec, ResolvedLayout } from '../../../server/src/engine/check/resolved';
import { costBlock, costLayer } from './oracle/layer';
import { sumOps } from './oracle/totals';

const PAIRS = [['ws1d', 'heads'], ['ws1d', 'batch'], ['ws2d', 'heads'], ['ws2d', 'batch'], ['wg_x', 'heads'], ['wg_x', 'batch'], ['wg_xy', 'heads'], ['wg_xy', 'batch'], ['wg_xyz', 'batch']];
const MESHES = ['tpu_v4 { x = 4, y = 4, z = 4 }', 'tpu_v4 { x = 4, y = 2, z = 2, topology_y = switch }', 'tpu_v4 { x = 2, y = 4, z = 8, collective_latency = 2 us }', 'h100 { x = 8 }', 'h100 { x = 4, y = 2, link_bw_y = 50 GB/s }', 'h100 { x = 2, y = 8 }'];
const MODELS = [
  'palm_62b',
  'palm_62b { block = serial, weights = int8 }',
  'llama { layers = 4, E = 4096, F = 14336, H = 32, K = 8, Q = 128, V = 128256, ffn = swiglu, tied_embeddings = false }',
  'mha { layers = 2, E = 2048, F = 8192, H = 32, Q = 64, V = 32000, ffn = gelu, block = parallel }',
];

function source(): string {
  const lines = ['hardware slowed = tpu_v4 { op_overhead = 3 us }'];
  MESHES.forEach((m, i) => lines.push(`mesh m${i} = ${m.replace('tpu_v4 {', i === 1 ? 'slowed {' : 'tpu_v4 {')}`));
  lines.push(`model ${MODELS[2]}`, `model ${MODELS[3]}`);
  let n = 0;
  for (const [ffn, attention] of PAIRS) {
    MESHES.forEach((_, mi) => {
      for (const model of ['palm_62b', 'palm_62b { block = serial, weights = int8 }', 'llama', 'mha']) {
        for (const overlap of ['none', 'collective_einsum']) {
          // Both kernels: unfused is the paper's reading, op by op; fused reads each attention
          // chain as one op (oracle/fusedAttention.ts).
          for (const kernel of ['unfused', 'fused']) {
            lines.push(`layout l${n++} { model = ${model}, mesh = m${mi}, workload { batch = 64, prompt = 256, generate = 32 }, ffn = ${ffn}, attention = ${attention}, overlap = ${overlap}, attention_kernel = ${kernel} }`);
          }
        }
      }
    });
  }
  return lines.join('\n');
}

const FIGURES = ['flops', 'bytes', 'commBytes', 'computeTime', 'memoryTime', 'commTime', 'time'] as const;
const SUMS = ['time', 'flops', 'commBytes', 'computeTime', 'memoryTime', 'commTime'] as const;

/** Every disagreement found, as text (one assertion at the end: thousands of `expect`s are slow). */
const mismatches: string[] = [];
/** Fused attention ops compared (so the fused layouts are not compared vacuously). */
let fusedAttentionOps = 0;

function same(a: unknown, b: unknown, what: string): void {
  const x = JSON.stringify(a);
  const y = JSON.stringify(b);
  if (x !== y) mismatches.push(`${what}: ${x} vs ${y}`);
}

function close(a: number, b: number, what: string): void {
  if (!(Math.abs(a - b) <= 1e-12 * Math.max(1, Math.abs(b)))) mismatches.push(`${what}: ${a} vs ${b}`);
}

function sameOps(ours: OpCost[], oracle: OpCost[], where: string): void {
  same(ours.map((o) => o.id), oracle.map((o) => o.id), `${where} op ids`);
  if (ours.length !== oracle.length) return;
  ours.forEach((o, i) => {
    const r = oracle[i];
    const at = `${where} ${o.id}`;
    if (o.role === 'attention' && o.fused) fusedAttentionOps++;
    same([o.role, o.name, o.op, o.axes, o.type, o.fused, o.bound, o.uses, o.resultBytes], [r.role, r.name, r.op, r.axes, r.type, r.fused, r.bound, r.uses, r.resultBytes], at);
    for (const k of FIGURES) {
      close(o[k].value, r[k].value, `${at} ${k}`);
      same(o[k].formula, r[k].formula, `${at} ${k} formula`);
      same(Object.keys(o[k].inputs), Object.keys(r[k].inputs), `${at} ${k} inputs`);
    }
  });
}

function checkPass(layout: ResolvedLayout, spec: PhaseSpec, p: PassCost, where: string): void {
  const oracle = costLayer(spec, p.sizes, layout.mesh, layout.model, layout.overlap, layout.attentionKernel === 'fused');
  const layer = p.layer;
  sameOps(layer.ops, oracle.ops, `${where} layer`);
  sameOps(layer.blocks.ffn.ops, oracle.blocks.ffn.ops, `${where} ffn block`);
  if (oracle.blocks.attention) sameOps(layer.blocks.attention!.ops, oracle.blocks.attention.ops, `${where} attention block`);
  for (const k of SUMS) {
    close(layer[k], oracle[k], `${where} layer ${k}`);
    close(layer.blocks.ffn[k], oracle.blocks.ffn[k], `${where} ffn ${k}`);
  }
  close(layer.activationBytes, oracle.activationBytes, `${where} activations`);
  same(layer.overlapGroups.map((g) => [g.einsum, g.collectives]), oracle.overlapGroups.map((g) => [g.einsum, g.collectives]), `${where} overlap groups`);
  if (spec.unembed) {
    const u = costBlock('unembed', spec.unembed, withSingleToken(p.sizes), layout.mesh, layout.model, layout.overlap, 'unembed.in');
    sameOps(p.unembed!.ops, u.cost.ops, `${where} unembed`);
    close(p.unembed!.time, u.cost.time, `${where} unembed time`);
  }
  // The pass totals, rebuilt from the oracle's ops.
  const ref = emptyTotals();
  ref.time += p.embed.time.value;
  ref.memoryTime += p.embed.memoryTime.value;
  ref.byBound.memory += p.embed.time.value;
  addTotals(ref, sumOps(oracle.ops, layout.overlap).totals, layout.model.layers);
  if (p.unembed) addTotals(ref, p.unembed);
  if (p.cacheConversion) addTotals(ref, p.cacheConversion, layout.model.layers);
  for (const k of SUMS) close(p.totals[k], ref[k], `${where} pass ${k}`);
  for (const k of ['compute', 'memory', 'comm'] as const) close(p.totals.byBound[k], ref.byBound[k], `${where} pass ${k}-bound`);
  close(p.latency.value, ref.time, `${where} latency`);
}

describe('the one cost path = the oracle', () => {
  const analysis = analyze(sourceFromText(source()), { cost: false });
  it('covers many layouts', () => expect(analysis.layouts.length).toBeGreaterThan(100));
  it('every op, block, layer and pass agrees', () => {
    for (const layout of analysis.layouts) {
      const cost = costLayout(layout);
      checkPass(layout, layout.prefill, cost.prefill.pass, `${layout.name} prefill`);
      checkPass(layout, layout.decode, cost.decode.pass, `${layout.name} decode`);
      checkPass(layout, layout.decode, cost.decode.lastStep!, `${layout.name} last step`);
    }
    expect(mismatches.slice(0, 20)).toEqual([]);
    expect(fusedAttentionOps).toBeGreaterThan(0);
  });
  it('would see a disagreement', () => {
    const before = mismatches.length;
    close(1, 1 + 1e-9, 'planted');
    same('a', 'b', 'planted');
    expect(mismatches.length - before).toBe(2);
    mismatches.length = before;
  });
});
