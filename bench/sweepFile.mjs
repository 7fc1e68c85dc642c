// A large file as a sweep script writes one: a few meshes, models and workloads declared once,
// then thousands of layouts that combine them (the same combination again and again, as a grid
// repeated per run, with its own `measured` figures), plus some distinct layouts (a batch size or
// a prompt length of their own). The scale benchmark checks and reports it; the file is
// deterministic, so a run before and after a change can be compared byte for byte.
//
//   node bench/sweepFile.mjs [COUNT] > sweep.shard        (COUNT defaults to 20,000)

import { pathToFileURL } from 'node:url';

const MESHES = [
  ['pod64', 'tpu_v4 { x = 4, y = 4, z = 4 }'],
  ['pod128', 'tpu_v4 { x = 4, y = 4, z = 8 }'],
  ['pod32', 'tpu_v4 { x = 2, y = 4, z = 4 }'],
  ['dgx', 'h100 { x = 8 }'],
];
const MODELS = [
  ['palm540b_int8', 'palm_540b { weights = int8 }'],
  ['palm540b', 'palm_540b'],
  ['palm62b', 'palm_62b'],
  ['llama70b', 'llama3_70b'],
];
const WORKLOADS = [
  ['chat', '{ batch = 128, prompt = 2048, generate = 64 }'],
  ['long', '{ batch = 128, prompt = 8192, generate = 256 }'],
  ['bulk', '{ batch = 512, prompt = 2048, generate = 64 }'],
  ['short', '{ batch = 256, prompt = 512, generate = 32 }'],
];
/** Per-phase blocks as a sweep varies them: both phases alike, or prefill and decode apart. */
const BLOCKS = [
  'ffn = ws2d\n  attention = batch',
  'ffn = ws2d\n  attention = heads',
  'ffn = ws1d\n  attention = heads',
  'prefill { ffn = wg_xyz, attention = batch }\n  decode { ffn = ws2d, attention = batch }',
  'prefill { batch = 1, ffn = ws2d, attention = heads }\n  decode { ffn = ws2d, attention = batch }',
];
/** One layout in DISTINCT_EVERY has sizes of its own (no other layout shares its configuration). */
export const DISTINCT_EVERY = 50;

/** The number of distinct grid configurations the file cycles through. */
export const GRID_SIZE = MESHES.length * MODELS.length * WORKLOADS.length * BLOCKS.length * 2;

/** The text of a sweep-like file of `count` layouts. */
export function sweepFileText(count = 20_000) {
  const lines = ['# A sweep: every combination of the meshes, models, workloads and blocks below, run repeatedly.', ''];
  for (const [name, value] of MESHES) lines.push(`mesh ${name} = ${value}`);
  for (const [name, value] of MODELS) lines.push(`model ${name} = ${value}`);
  for (const [name, value] of WORKLOADS) lines.push(`workload ${name} ${value}`);
  for (let i = 0; i < count; i++) {
    let g = i % GRID_SIZE;
    const pick = (list) => {
      const item = list[g % list.length];
      g = Math.floor(g / list.length);
      return item;
    };
    const [mesh] = pick(MESHES);
    const [model] = pick(MODELS);
    const [workload] = pick(WORKLOADS);
    const blocks = pick(BLOCKS);
    const overlap = pick([false, true]);
    const run = Math.floor(i / GRID_SIZE);
    const distinct = i % DISTINCT_EVERY === DISTINCT_EVERY - 1;
    const body = [
      `model = ${model}`,
      `mesh = ${mesh}`,
      distinct ? `workload = ${workload} { batch = ${128 * (1 + (i % 97))}, prompt = ${1024 + 16 * (i % 61)} }` : `workload = ${workload}`,
      blocks,
    ];
    if (overlap) body.push('overlap = collective_einsum');
    // Every third run recorded what it measured: the same configuration, its own figures.
    if (run % 3 === 1) body.push(`measured { prefill = ${(0.2 + (i % 13) / 10).toFixed(1)} s, decode = ${(1 + (i % 7) / 4).toFixed(2)} s, source = measured }`);
    lines.push('', `layout run${run}_${mesh}_${model}_${workload}_${i} {`, ...body.map((b) => `  ${b}`), '}');
  }
  return lines.join('\n') + '\n';
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  process.stdout.write(sweepFileText(process.argv[2] ? Number(process.argv[2]) : undefined));
}
