// Parse + check benchmark: generates a 10,000-line `.shard` file of ffn and attention blocks,
// meshes, models, workloads and layouts, then times parsing alone and parse + check
// (`analyze` without costing: name resolution, record fields, block typing, and the layout
// checks of every layout), warm, over several iterations. Prints figures only.
// Target: parse + check < 50 ms (median). Run: node bench/parse-check.bench.mjs [lines] [iterations]
//
// Each figure pools the samples of several fresh Node processes (PROCESSES, 4 by default): where
// the young-generation collections fall relative to the analyses is fixed within one process and
// moves the median of that process by a factor of two, so one process would be luck. Measured
// with the Node options the language server runs with (SERVER_NODE_OPTIONS, server/src/shared/
// serverProcess.ts), which is where parse + check runs at every edit and what the target is
// about; then with Node's default heap, as a one-off `shardlens check` runs it, for comparison.
//
// The engine is TypeScript; a tiny esbuild step bundles what this script needs into bench/out/
// (git-ignored) first.

import { spawnSync } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';
import { SERVER_NODE_OPTIONS } from '../scripts/server-options.mjs';
import { bundleEngine, bundlePath } from './engineBundle.mjs';

const outfile = bundlePath('parse-check-engine');
const heap = process.env.SHARDLENS_BENCH_HEAP;
const TARGET_LINES = Number(process.argv[2] ?? 10000);
const ITERATIONS = Number(process.argv[3] ?? 30);
const WARMUP = 10;
if (!heap) {
  await bundleEngine(
    'parse-check-engine',
    `export { analyze, sourceFromText } from './server/src/engine/index';
export { parse } from './server/src/engine/syntax/parser';`,
  );
  const self = fileURLToPath(import.meta.url);
  const processes = Number(process.env.PROCESSES ?? 4);
  /** Runs the measuring child `processes` times and pools its samples. */
  const measure = (options, which) => {
    const runs = [];
    for (let i = 0; i < processes; i++) {
      const r = spawnSync(process.execPath, [...options, self, ...process.argv.slice(2)], { env: { ...process.env, SHARDLENS_BENCH_HEAP: which }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
      if (r.status !== 0) process.exit(r.status ?? 1);
      runs.push(JSON.parse(r.stdout));
    }
    const pool = (key) => ({ wall: runs.flatMap((r) => r[key].wall), cpu: runs.flatMap((r) => r[key].cpu) });
    return { info: runs[0].info, parse: summary(pool('parse')), check: summary(pool('check')), perProcess: runs.map((r) => summary(r.check).median) };
  };
  const server = measure(SERVER_NODE_OPTIONS, 'server');
  const plain = measure([], 'default');
  const fmt = (s) =>
    `median ${s.median.toFixed(1)} ms, p95 ${s.p95.toFixed(1)} ms (min ${s.min.toFixed(1)}, max ${s.max.toFixed(1)}); CPU median ${s.cpu.median.toFixed(1)} ms, p95 ${s.cpu.p95.toFixed(1)} ms`;
  const os = await import('node:os');
  console.log(`load average: ${os.loadavg().map((l) => l.toFixed(1)).join(' ')} on ${os.cpus().length} cores`);
  console.log(server.info);
  console.log(`parse:          ${fmt(server.parse)}  [${processes} processes × ${ITERATIONS} iterations after ${WARMUP} warm-up]`);
  console.log(`parse + check:  ${fmt(server.check)}  (target < 50 ms)`);
  console.log(`  node options ${SERVER_NODE_OPTIONS.join(' ')} (the language server's); medians per process: ${server.perProcess.map((m) => m.toFixed(1)).join(', ')} ms`);
  console.log(`parse + check with Node's default heap (as \`shardlens check\` runs it): ${fmt(plain.check)}`);
  console.log(`  medians per process: ${plain.perProcess.map((m) => m.toFixed(1)).join(', ')} ms`);
  process.exit(0);
}
const { analyze, sourceFromText, parse } = await import(pathToFileURL(outfile).href);


/** One group of declarations: an ffn block, an attention block, a mesh, a model and two layouts. */
function group(i) {
  const meshes = ['x = 4, y = 4, z = 4', 'x = 2, y = 4, z = 4', 'x = 2, y = 2, z = 4', 'x = 8'];
  return `# group ${i}: a 2D weight-stationary FFN and a batch-sharded multiquery attention
ffn ffn_${i} {
  in h : BLE_xyz
  weight w_in  : E_x F_yz
  weight w_out : F_yz E_x
  n = layernorm(h)              : BLE_xyz
  a = all_gather(n, yz)         : BLE_x
  b = einsum(a, w_in)           : BLF_yz (partialsum-x)
  c = reduce_scatter(b, x)      : BLF_xyz
  d = gelu(c)                   : BLF_xyz
  e = all_gather(d, x)          : BLF_yz
  f = einsum(e, w_out)          : BLE_x (partialsum-yz)
  y = reduce_scatter(f, yz)     : BLE_xyz
  out y
}

attention att_${i} {
  in h : BLE_xyz
  weight w_q : E_x H_yz Q
  weight w_k : E_x K Q
  weight w_v : E_x K Q
  weight w_o : H_yz Q E_x
  cache kc, vc : B_xyz T K Q
  n  = layernorm(h)             : BLE_xyz
  a  = all_gather(n, yz)        : BLE_x
  qp = einsum(a, w_q)           : BLH_yzQ (partialsum-x)
  qh = reduce_scatter(qp, x)    : BLH_xyzQ
  q  = all_to_all(qh, xyz)      : B_xyzLHQ
  kp = einsum(a, w_k)           : BLKQ (partialsum-x)
  k0 = all_reduce(kp, x)        : BLKQ
  k  = slice(k0, xyz)           : B_xyzLKQ
  vp = einsum(a, w_v)           : BLKQ (partialsum-x)
  v0 = all_reduce(vp, x)        : BLKQ
  v  = slice(v0, xyz)           : B_xyzLKQ
  kt = append(kc, k)            : B_xyzTKQ
  vt = append(vc, v)            : B_xyzTKQ
  s  = einsum(q, kt)            : B_xyzLTH
  p  = softmax(s)               : B_xyzLTH
  o  = einsum(p, vt)            : B_xyzLHQ
  oh = all_to_all(o, xyz)       : BLH_xyzQ
  og = all_gather(oh, x)        : BLH_yzQ
  yp = einsum(og, w_o)          : BLE_x (partialsum-yz)
  y  = reduce_scatter(yp, yz)   : BLE_xyz
  out y
}

mesh mesh_${i} = tpu_v4 { ${meshes[i % meshes.length]} }
model model_${i} = palm_540b { ffn = gelu, weights = ${i % 2 ? 'int8' : 'bf16'} }
workload load_${i} { batch = ${64 * (1 + (i % 8))}, prompt = 2048, generate = 64 }

layout file_blocks_${i} {
  model = model_${i}
  mesh = mesh_${i}
  workload = load_${i}
  ffn = ffn_${i}
  attention = att_${i}
}

layout builtin_blocks_${i} {
  model = model_${i}
  mesh = mesh_${i}
  workload { batch = 512, prompt = 2048, generate = 64 }
  prefill { ffn = wg_xyz, attention = batch }
  decode  { ffn = ws2d,   attention = batch }
}

`;
}

// Whole groups up to the target, then comment lines to make the count exact.
let text = '';
let groups = 0;
const lineCount = (s) => s.split('\n').length - 1;
while (lineCount(text) + lineCount(group(groups)) <= TARGET_LINES) text += group(groups++);
while (lineCount(text) < TARGET_LINES) text += '# padding\n';

function stats(samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
  return { median: at(0.5), p95: at(0.95), min: sorted[0], max: sorted[sorted.length - 1] };
}

function summary(samples) {
  return { ...stats(samples.wall), cpu: stats(samples.cpu) };
}

/**
 * Wall-clock samples, and CPU time (user + system, all of the process's threads) for the same
 * iterations: on a loaded machine the wall clock also counts time spent waiting for a core.
 */
function time(fn) {
  for (let i = 0; i < WARMUP; i++) fn();
  const wall = [];
  const cpu = [];
  for (let i = 0; i < ITERATIONS; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    fn();
    wall.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
  }
  return { wall, cpu };
}

const source = sourceFromText(text, 'file:///bench.shard');
const once = analyze(source, { cost: false });
const errors = once.diagnostics.filter((d) => d.severity === 'error');
const parsed = time(() => parse({ uri: 'file:///bench.shard', text, isPrelude: false }));
const checked = time(() => analyze(source, { cost: false }));

const info = [
  `input: ${TARGET_LINES} lines, ${text.length} characters, ${once.file.decls.length} declarations, ${once.layouts.length} layouts checked, ${groups} groups`,
  `diagnostics: ${once.diagnostics.length} (${errors.length} errors)${errors.length ? `; first: ${errors[0].code}: ${errors[0].message}` : ''}`,
].join('\n');
console.log(JSON.stringify({ info, parse: parsed, check: checked }));
