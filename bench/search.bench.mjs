// Search benchmarks (issue 6): how many configurations the engine costs per second, and how long
// `best` takes over every built-in block pair per phase, every factorization of 256 chips, 11
// batch sizes and every weight dtype (target: under 1 s). Bundles the TypeScript engine with
// esbuild first, as the CLI build does. Prints figures only.
//
//   node bench/search.bench.mjs            (add --exhaustive to also time best without pruning)

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { importEngine, root } from './engineBundle.mjs';

const engine = await importEngine(
  'search-engine',
  `export * from './server/src/engine/index';\nexport * from './server/src/engine/search/index';\nexport { costLayout, builtinPairs } from './server/src/engine/cost/index';\nexport { costPass } from './server/src/engine/cost/pass';\nexport { passSizes } from './server/src/engine/cost/sizes';\n`,
);

const text = readFileSync(join(root, 'examples/palm540b.shard'), 'utf8');
const analysis = engine.analyze(engine.sourceFromText(text, 'examples/palm540b.shard'));
const layout = analysis.layouts.find((l) => l.name === 'low_latency');
const BATCHES = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024];

function rate(fn, seconds = 1) {
  for (let i = 0; i < 20; i++) fn(); // warm up
  const start = performance.now();
  let n = 0;
  while (performance.now() - start < seconds * 1000) { fn(); n++; }
  return (n * 1000) / (performance.now() - start);
}

function timed(fn) {
  const start = performance.now();
  const value = fn();
  return { ms: performance.now() - start, value };
}

const fmt = (x, d = 0) => x.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });

console.log(`node ${process.version}, layout low_latency (PaLM 540B, int8, tpu_v4)`);
// Distinct configurations: every built-in pair for each phase on every factorization of 64
// chips, each resolved by the checker and costed in full (both phases and memory).
const variants = [];
for (const shape of engine.meshFactorizations(64)) {
  const mesh = engine.meshOfShape(layout.mesh.hardware, shape);
  for (const p of engine.builtinPairs()) for (const d of engine.builtinPairs()) {
    const v = engine.layoutVariant(analysis, layout, { mesh, blocks: { prefill: p, decode: d } });
    if (v) variants.push(v);
  }
}
const distinct = timed(() => { for (const v of variants) engine.costLayout(v); });
console.log(`configurations costed per second, ${variants.length} distinct layouts (costLayout: both phases + memory), first time: ${fmt((variants.length * 1000) / distinct.ms)}`);
const again = timed(() => { for (const v of variants) engine.costLayout(v); });
console.log(`configurations costed per second, the same ${variants.length} layouts again (block plans cached): ${fmt((variants.length * 1000) / again.ms)}`);
const prefillSizes = engine.passSizes(layout.model, layout.prefill.workload, 'prefill');
console.log(`phase passes per second (costPass, one layout repeated): ${fmt(rate(() => engine.costPass(layout, layout.prefill, prefillSizes)))}`);

const sweepRun = timed(() => engine.sweep(analysis, layout, { batches: BATCHES, chips: [64, 128, 256] }));
const sweepConfigs = BATCHES.length * [64, 128, 256].reduce((s, c) => s + engine.meshFactorizations(c).length, 0);
console.log(`sweep, 11 batches × chips 64/128/256 (${sweepConfigs} configurations): ${fmt(sweepRun.ms)} ms, ${fmt((sweepConfigs * 1000) / sweepRun.ms)} configurations/s`);

// Warm the search path once, then time it.
engine.best(analysis, layout, { chips: [64], batches: [64], top: 5 });
for (const [title, options] of [
  ['latency', { objective: 'latency' }],
  ['cost, latency ≤ 10 s', { objective: 'cost', maxLatency: 10 }],
  ['cost, no limit', { objective: 'cost' }],
]) {
  const run = timed(() => engine.best(analysis, layout, { chips: [256], batches: BATCHES, dtypes: engine.ALL_DTYPES, top: 5, ...options }));
  const s = run.value.stats;
  console.log(`best, 256 chips, 11 batches, all dtypes, by ${title}: ${fmt(run.ms)} ms (${fmt(s.space)} configurations; ${fmt(s.passes)} phase passes, ${fmt(s.layouts)} full layouts; ${s.cellsSkipped}/${s.cells} cells skipped)`);
}
if (process.argv.includes('--exhaustive')) {
  const run = timed(() => engine.best(analysis, layout, { chips: [256], batches: BATCHES, dtypes: engine.ALL_DTYPES, top: 5, prune: false }));
  const s = run.value.stats;
  console.log(`best without pruning, same space: ${fmt(run.ms)} ms (${fmt(s.passes)} phase passes, ${fmt(s.layouts)} full layouts)`);
}
