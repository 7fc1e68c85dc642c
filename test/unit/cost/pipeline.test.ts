// Pipeline parallelism (docs/cost-model.md "Pipelines"): the layers split into S stages along a
// mesh axis, each stage on the mesh with that axis of size 1, the batch in m microbatches.
// Expectations are the formulas of cost-model.md worked by hand here:
//   slot = t_stage + t_hop
//   prefill: (m + S − 1) · slot, bubble (S − 1)/(m + S − 1)
//   decode step: max(m, S) · slot, bubble (max(m, S) − m)/max(m, S)
// A stage's time is read off a layout without a pipeline on the stage mesh whose model has the
// stage's layers (its pass is t_embed + layers·t_layer + t_unembed, cost-model.md §5), minus the
// embedding (all stages but the first) and the unembedding (all but the last).

import { describe, expect, it } from 'vitest';
import { costShard } from './helpers/shard';
import { analyze, sourceFromText } from '../../../server/src/engine/index';
import { buildReport } from '../../../server/src/engine/report/json';
import { renderReport } from '../../../server/src/engine/report/text';
import { explainLayout, renderExplain } from '../../../server/src/engine/report/explain';
import { stageLayers } from '../../../server/src/engine/cost/pipeline';
import type { PassCost } from '../../../server/src/engine/cost/types';
import { costLayout } from '../../../server/src/engine/cost/layout';
import { costFactorizations } from '../../../server/src/engine/search/meshes';
import { sweep } from '../../../server/src/engine/search/sweep';

// 6 layers; every weight of a layer, in bf16: attention E·H·Q + 2·E·K·Q + H·Q·E = 4·1024² and the
// gelu FFN 2·E·F = 2·1024·4096, so 12 582 912 parameters = 25 165 824 B per layer.
const MODEL = 'model small { layers = 6, E = 1024, F = 4096, H = 8, K = 8, Q = 128, V = 1024, tied_embeddings = false }';
const WORKLOAD = 'workload w { batch = 16, prompt = 512, generate = 4 }';
const LAYER_BYTES = (4 * 1024 * 1024 + 2 * 1024 * 4096) * 2;
const TABLE_BYTES = 1024 * 1024 * 2; // V·E·2 B
const GB = 1e9;

// Two H100 nodes of 8 GPUs: y (2) crosses the scale-out network (50 GB/s per GPU, 5 µs per step),
// so each stage is one node: 8 GPUs on NVSwitch, tensor parallel over x.
const FILE = `${MODEL}
${WORKLOAD}
mesh nodes2 = h100 { x = 8, y = 2 }
mesh node = h100 { x = 8 }
layout pp { model = small, mesh = nodes2, workload = w, ffn = ws2d, attention = heads, pipeline = y, microbatches = 4 }
layout pp_m1 { model = small, mesh = nodes2, workload = w, ffn = ws2d, attention = heads, pipeline = y }
layout one_stage { model = small, mesh = node, workload = w, ffn = ws2d, attention = heads, pipeline = z }
layout flat { model = small, mesh = node, workload = w, ffn = ws2d, attention = heads }
# One stage's layers on one node, at the microbatch (B = 16 / 4) and at the whole batch.
layout stage_mb { model = small { layers = 3 }, mesh = node, workload = w { batch = 4 }, ffn = ws2d, attention = heads }
layout stage_full { model = small { layers = 3 }, mesh = node, workload = w, ffn = ws2d, attention = heads }
`;

/** The slowest of S = 2 stages from a one-stage pass: the first skips the unembedding, the second the embedding. */
function twoStageTime(pass: PassCost): number {
  const first = pass.latency.value - (pass.unembed?.time ?? 0);
  const second = pass.latency.value - pass.embed.time.value;
  return Math.max(first, second);
}

/** One GPU's share of the residual B·L·E (bf16) over the 8 GPUs of a stage, sent over y. */
function hop(B: number, L: number): number {
  return 5e-6 + (B * L * 1024 * 2) / 8 / (50 * GB);
}

describe('pipeline bubble', () => {
  it('prefill: (m + S − 1) slots of the slowest stage and its hop; idle (S − 1)/(m + S − 1)', () => {
    const { cost } = costShard(FILE, 'pp');
    const stage = costShard(FILE, 'stage_mb').cost;
    const p = cost.pipeline!.prefill!;
    expect([p.stages, p.microbatches, p.microbatch]).toEqual([2, 4, 4]);
    // S = 2, m = 4: 5 slots, 1 of them idle per stage.
    expect(p.slots).toBe(5);
    expect(p.bubble.value).toBeCloseTo(1 / 5, 15);
    const tStage = twoStageTime(stage.prefill.pass);
    expect(p.stageTime.value).toBeCloseTo(tStage, 12);
    // The hop: 4 sequences × 512 tokens × 1024 × 2 B / 8 GPUs = 524 288 B per GPU over 50 GB/s + 5 µs.
    expect(p.transferBytes.value).toBe(524_288);
    expect(p.transfer.value).toBeCloseTo(hop(4, 512), 15);
    expect(cost.prefill.latency.value).toBeCloseTo(5 * (tStage + hop(4, 512)), 12);
    expect(p.time.formula).toBe('(m + S − 1) · (t_stage + t_hop)');
    // The phase's bound split is the slowest stage's per slot (its own parts only), × 5 slots:
    // it adds up to the pipelined time.
    const b = cost.prefill.pass.totals.byBound;
    expect(b.compute + b.memory + b.comm).toBeCloseTo(cost.prefill.latency.value, 12);
  });

  it('decode with m ≥ S groups keeps every stage busy: a step is m slots', () => {
    const { cost } = costShard(FILE, 'pp');
    const stage = costShard(FILE, 'stage_mb').cost;
    const d = cost.pipeline!.decode!;
    // m = 4 groups of 4 sequences, S = 2: max(4, 2) = 4 slots, none idle; one token (L = 1) per hop.
    expect(d.slots).toBe(4);
    expect(d.bubble.value).toBe(0);
    expect(d.transferBytes.value).toBe((4 * 1 * 1024 * 2) / 8);
    const step = 4 * (twoStageTime(stage.decode.pass) + hop(4, 1));
    expect(cost.decode.pass.latency.value).toBeCloseTo(step, 12);
    expect(cost.decode.latency.value).toBeCloseTo(4 * step, 12); // generate = 4 steps
  });

  it('decode with fewer groups than stages idles in proportion: a step is S slots', () => {
    const { cost } = costShard(FILE, 'pp_m1');
    const stage = costShard(FILE, 'stage_full').cost;
    const d = cost.pipeline!.decode!;
    // m = 1, S = 2: the one group goes through both stages each step, each stage idle half the time.
    expect(d.slots).toBe(2);
    expect(d.bubble.value).toBeCloseTo(0.5, 15);
    expect(cost.decode.pass.latency.value).toBeCloseTo(2 * (twoStageTime(stage.decode.pass) + hop(16, 1)), 12);
    // Prefill with m = 1: S slots, (S − 1)/S idle.
    expect(cost.pipeline!.prefill!.bubble.value).toBeCloseTo(0.5, 15);
    expect(cost.prefill.latency.value).toBeCloseTo(2 * (twoStageTime(stage.prefill.pass) + hop(16, 512)), 12);
  });

  it('a pipeline of one stage (an axis of size 1) costs what the layout without it costs', () => {
    const one = costShard(FILE, 'one_stage').cost;
    const flat = costShard(FILE, 'flat').cost;
    expect(one.pipeline!.prefill!.stages).toBe(1);
    expect(one.pipeline!.prefill!.transfer.value).toBe(0);
    expect(one.prefill.latency.value).toBeCloseTo(flat.prefill.latency.value, 15);
    expect(one.decode.pass.latency.value).toBeCloseTo(flat.decode.pass.latency.value, 15);
    expect(one.memory.total.decode.value).toBeCloseTo(flat.memory.total.decode.value, 3);
  });
});

describe('per-stage memory', () => {
  it("each stage holds its own layers' weights and cache; the first the input table, the last the output table", () => {
    const { cost } = costShard(FILE, 'pp');
    const stages = cost.pipeline!.stageMemory.decode!;
    expect(stages.map((s) => s.layers)).toEqual([3, 3]);
    // Every weight split over the stage's 8 GPUs (ws2d, heads attention, ws2d_unembed): 3 layers and one table.
    const stageWeights = (3 * LAYER_BYTES) / 8 + TABLE_BYTES / 8;
    expect(stages[0].weights.value).toBeCloseTo(stageWeights, 3);
    expect(stages[1].weights.value).toBeCloseTo(stageWeights, 3);
    // KV: 3 layers × (K and V) × 8 heads × 128 × T = 516 × 16 sequences × 2 B, heads over 8 GPUs.
    const stageKv = (3 * 2 * 8 * 128 * 516 * 16 * 2) / 8;
    expect(stages[0].kv.value).toBeCloseTo(stageKv, 3);
    // The layout's memory figures are the heaviest stage's, and half of the flat layout's layers.
    expect(cost.memory.weights.value).toBeCloseTo(stageWeights, 3);
    expect(cost.memory.kv.value).toBeCloseTo(stageKv, 3);
    // All chips together still hold the whole cache once: 6 layers of it.
    expect(cost.memory.kvTotal.value).toBeCloseTo(6 * 2 * 8 * 128 * 516 * 16 * 2, 3);
    expect(cost.memory.fits).toBe(true);
  });

  it('a stage that does not fit makes the layout not fit', () => {
    // A batch of 512 at T = 8196 with K = 8 heads of 128: each stage's cache alone is more than
    // a GPU's 80 GB, so no stage fits and neither does the layout.
    const { cost } = costShard(`
model big { layers = 16, E = 4096, F = 16384, H = 32, K = 8, Q = 128, V = 1024 }
layout pp { model = big, mesh = h100 { x = 8, y = 2 }, workload { batch = 512, prompt = 8192, generate = 4 }, ffn = ws2d, attention = heads, pipeline = y }
`);
    const stages = cost.pipeline!.stageMemory.decode!;
    // Per GPU per stage: 8 layers × (K and V) × 8 heads / 8 GPUs × 128 × 8196 × 512 × 2 B ≈ 8.6 GB…
    // × 8: 68.7 GB, with 8 layers' weights (8 × (4·4096² + 2·4096·16384)·2 B / 8 ≈ 0.8 GB) and more.
    const kv = 8 * 2 * 1 * 128 * 8196 * 512 * 2;
    expect(stages[0].kv.value).toBeCloseTo(kv, 0);
    expect(stages.map((s) => s.fits)).toEqual(stages.map((s) => s.total.value <= 80 * GB));
    expect(cost.memory.fits).toBe(stages.every((s) => s.fits));
  });
});

describe('uneven layer split', () => {
  it('the first (layers mod S) stages take one layer more; the slowest sets the pace', () => {
    const file = `${MODEL.replace('layers = 6', 'layers = 7')}
${WORKLOAD}
layout pp { model = small, mesh = h100 { x = 8, y = 2 }, workload = w, ffn = ws2d, attention = heads, pipeline = y }
layout four { model = small { layers = 4 }, mesh = h100 { x = 8 }, workload = w, ffn = ws2d, attention = heads }
layout three { model = small { layers = 3 }, mesh = h100 { x = 8 }, workload = w, ffn = ws2d, attention = heads }
`;
    const { cost } = costShard(file, 'pp');
    const p = cost.pipeline!.prefill!;
    expect(p.layersPerStage).toEqual([4, 3]);
    const four = costShard(file, 'four').cost.prefill.pass;
    const three = costShard(file, 'three').cost.prefill.pass;
    // Stage 1: 4 layers and the embedding; stage 2: 3 layers and the unembedding.
    const s1 = four.latency.value - (four.unembed?.time ?? 0);
    const s2 = three.latency.value - three.embed.time.value;
    expect(p.stageTimes[0]).toBeCloseTo(s1, 12);
    expect(p.stageTimes[1]).toBeCloseTo(s2, 12);
    expect(p.slowest).toBe(0);
    expect(p.stageTime.value).toBeCloseTo(Math.max(s1, s2), 12);
    // The heavier stage holds 4 layers: its weights are the layout's.
    const mem = cost.pipeline!.stageMemory.prefill!;
    expect(mem.map((m) => m.layers)).toEqual([4, 3]);
    expect(mem[0].weights.value - mem[1].weights.value).toBeCloseTo(LAYER_BYTES / 8, 3);
    expect(cost.memory.weights.value).toBe(mem[0].weights.value);
  });

  it('layers that differ: each stage counts its own global and window layers', () => {
    // 8 layers, 6 of them local (window 128): the 2 global layers spread evenly, at positions
    // ⌊(j + 1)·8/2⌋ − 1 = 3 and 7. Four stages of 2: layers 0–1, 2–3, 4–5, 6–7, so the second and
    // fourth stages hold one global layer each.
    const model = { layers: 8, window: 128, local_layers: 6 } as never;
    expect(stageLayers({ ...(model as object), name: 'm' } as never, 4)).toEqual([
      { layers: 2, local: 2, dense: 0 }, { layers: 2, local: 1, dense: 0 }, { layers: 2, local: 2, dense: 0 }, { layers: 2, local: 1, dense: 0 },
    ]);
    // Gemma 3's pattern, 5 local then 1 global, for 12 layers: globals at 5 and 11.
    expect(stageLayers({ layers: 12, window: 1024, local_layers: 10 } as never, 2)).toEqual([{ layers: 6, local: 5, dense: 0 }, { layers: 6, local: 5, dense: 0 }]);
    // An MoE model's dense layers are its first: DeepSeek-V3's 61 layers, 3 dense, in 8 stages of
    // 8 (the first five) or 7: the first stage holds all three.
    const ds = stageLayers({ layers: 61, dense_layers: 3 } as never, 8);
    expect(ds.map((s) => s.layers)).toEqual([8, 8, 8, 8, 8, 7, 7, 7]);
    expect(ds.map((s) => s.dense)).toEqual([3, 0, 0, 0, 0, 0, 0, 0]);
    const file = `${MODEL.replace('layers = 6', 'layers = 8, window = 128, local_layers = 6')}
${WORKLOAD}
layout pp { model = small, mesh = h100 { x = 8, y = 4 }, workload = w, ffn = ws2d, attention = heads, pipeline = y }
layout mixed { model = small { layers = 2, local_layers = 1 }, mesh = h100 { x = 8 }, workload = w, ffn = ws2d, attention = heads }
layout local2 { model = small { layers = 2, local_layers = 2 }, mesh = h100 { x = 8 }, workload = w, ffn = ws2d, attention = heads }
`;
    const p = costShard(file, 'pp').cost.pipeline!.prefill!;
    const mixed = costShard(file, 'mixed').cost.prefill.pass;
    const local = costShard(file, 'local2').cost.prefill.pass;
    const unembed = mixed.unembed?.time ?? 0;
    const embed = mixed.embed.time.value;
    // Stage 1: 2 local + embedding; 2: 1 global + 1 local; 3: 2 local; 4: 1 global + 1 local + unembedding.
    expect(p.stageTimes[0]).toBeCloseTo(local.latency.value - unembed, 12);
    expect(p.stageTimes[1]).toBeCloseTo(mixed.latency.value - embed - unembed, 12);
    expect(p.stageTimes[2]).toBeCloseTo(local.latency.value - embed - unembed, 12);
    expect(p.stageTimes[3]).toBeCloseTo(mixed.latency.value - embed, 12);
    // A prompt of 512 against a window of 128: a global layer attends to 4× the positions, so the
    // stage holding one is slower than the stage of two local layers; the slowest sets the pace.
    expect(p.stageTimes[1]).toBeGreaterThan(p.stageTimes[2]);
    const expected = [local.latency.value - unembed, mixed.latency.value - embed - unembed, local.latency.value - embed - unembed, mixed.latency.value - embed];
    expect(p.slowest).toBe(expected.indexOf(Math.max(...expected)));
    expect(p.stageTime.value).toBeCloseTo(Math.max(...expected), 12);
  });
});

describe('report, explain and JSON', () => {
  const analysis = analyze(sourceFromText(FILE, 'test.shard'));
  const json = buildReport(analysis);
  const pp = json.layouts.find((l) => l.name === 'pp')!;

  it('report --json has a pipeline object with the stages, microbatches, bubble, hop and stage memory', () => {
    const p = pp.pipeline!.prefill!;
    expect(p).toMatchObject({ axis: 'y', stages: 2, microbatches: 4, microbatch_batch: 4, layers_per_stage: [3, 3], slots: 5, link: 'scale-out network' });
    expect(p.bubble_fraction).toBeCloseTo(0.2, 15);
    expect(p.stage_transfer_s).toBeCloseTo(hop(4, 512), 15);
    expect(p.stage_memory.map((m) => m.stage)).toEqual([1, 2]);
    expect(pp.pipeline!.decode!.bubble_fraction).toBe(0);
    // A layout without a pipeline has no such field (the JSON of other layouts is unchanged).
    expect(json.layouts.find((l) => l.name === 'flat')!.pipeline).toBeUndefined();
  });

  it('report text and explain show the pipeline with its formula', () => {
    const text = renderReport({ ...json, layouts: [pp] });
    expect(text).toContain('pipeline prefill: 2 stages over y (3 layers each), 4 microbatches of 4; prefill = 5 slots');
    expect(text).toContain('bubble 20%');
    expect(text).toContain('stage memory per chip: heaviest stage');
    const layout = analysis.layouts.find((l) => l.name === 'pp')!;
    const explained = renderExplain(explainLayout(costShard(FILE, 'pp').cost));
    expect(layout.prefill.pipeline?.stages).toBe(2);
    expect(explained).toContain('pipeline prefill: 2 stages over y, 4 microbatches of B = 4');
    expect(explained).toContain('(m + S − 1) · (t_stage + t_hop) = (4 + 2 − 1)');
    expect(explained).toContain('bubble (idle fraction): (S − 1) / (m + S − 1)');
  });
});

describe('searches keep the pipeline', () => {
  it('a variant on another mesh keeps the axis and microbatches, with that axis as its stages', () => {
    const analysis = analyze(sourceFromText(FILE, 'test.shard'));
    const pp = analysis.layouts.find((l) => l.name === 'pp')!;
    const wide = analysis.layouts.find((l) => l.name === 'pp')!.mesh;
    // The same hardware as 4 nodes: y = 4 stages.
    const four = analyze(sourceFromText(`${FILE}\nlayout four { model = small, mesh = h100 { x = 8, y = 4 }, workload = w, ffn = ws2d, attention = heads }`, 'test.shard'));
    const mesh4 = four.layouts.find((l) => l.name === 'four')!.mesh;
    const v = analysis.resolver.variant(pp, {}, mesh4)!;
    expect(v.prefill.pipeline).toMatchObject({ axis: 'y', stages: 4, microbatches: 4 });
    expect(v.decode.pipeline?.stageMesh.chips).toBe(8);
    expect(wide.chips).toBe(16);
    // A batch the microbatches do not divide makes no variant.
    expect(analysis.resolver.variant(pp, {}, undefined, { decode: { batch: 6, prompt: 512, generate: 4 } })).toBeUndefined();
  });

  it("sweep costs the layout's own shape as the report does, pipelined, and every shape it picks keeps the pipeline", () => {
    const analysis = analyze(sourceFromText(FILE, 'test.shard'));
    const pp = analysis.layouts.find((l) => l.name === 'pp')!;
    const report = costLayout(pp);
    const own = costFactorizations(analysis, pp, 16).trials.find((t) => t.shape.join('x') === '8x2x1')!;
    expect(own.cost.prefill.latency.value).toBeCloseTo(report.prefill.latency.value, 12);
    expect(own.cost.decode.pass.latency.value).toBeCloseTo(report.decode.pass.latency.value, 12);
    expect(own.cost.pipeline?.prefill?.stages).toBe(2);
    // Shapes with y = 1 are one stage; y = 16 would be more stages than the 6 layers: not costed.
    for (const t of costFactorizations(analysis, pp, 16).trials) {
      expect(t.cost.pipeline?.decode?.stages).toBe(t.shape[1]);
      expect(t.shape[1]).toBeLessThanOrEqual(6);
    }
    const pt = sweep(analysis, pp, { batches: [16] }).points[0];
    expect(pt.decode!.latency_s).toBeLessThanOrEqual(report.decode.pass.latency.value * (1 + 1e-9));
  });
});
