// The records a generated file declares and its layouts refer to: hardware, meshes, models and
// workloads, each drawn from the prelude's built-in names plus overrides, `= base` chains and
// records written out in full. Each maker returns the text to put in a layout field (`palm_62b
// { weights = int8 }`) or a declaration, with what a layout needs to know about it (a model's H
// and K pick an attention member; a mesh's axis letters say which blocks fit it).

export const HARDWARE = ['tpu_v4', 'tpu_v5e', 'tpu_v5p', 'tpu_v6e', 'a100', 'h100', 'h200', 'b200'];
export const DTYPES = ['bf16', 'int8', 'fp8', 'int4'];

/** The prelude's models, with the fields that choose blocks (server/src/engine/prelude/models.shard). */
export const MODELS = [
  { name: 'palm_8b', H: 16, K: 1, ffn: 'swiglu', block: 'parallel' },
  { name: 'palm_62b', H: 32, K: 1, ffn: 'swiglu', block: 'parallel' },
  { name: 'palm_540b', H: 64, K: 1, ffn: 'swiglu', block: 'parallel' },
  { name: 'mt_nlg_530b', H: 128, K: 128, ffn: 'gelu', block: 'serial' },
  { name: 'llama3_8b', H: 32, K: 8, ffn: 'swiglu', block: 'serial' },
  { name: 'llama3_70b', H: 64, K: 8, ffn: 'swiglu', block: 'serial' },
];

// Repeated entries are drawn more often: large batches, so that most layouts split B over every
// chip of their mesh and can be costed (a batch smaller than its shard count is an error).
export const BATCHES = [1, 2, 3, 8, 16, 24, 32, 48, 64, 64, 96, 128, 128, 256, 256, 256, 512, 512, 512, 1024, 1024, 2048];
export const PROMPTS = [1, 7, 32, 128, 500, 512, 1024, 1984, 2048, 4096, 8192, 32768];
export const GENERATES = [1, 2, 16, 64, 100, 128, 256, 1024];

/** Fields joined on one line or one per line, so that both separators are exercised. */
export function record(random, fields, indent = '') {
  if (!fields.length) return '{ }';
  if (fields.length <= 3 || random.chance(0.6)) return `{ ${fields.join(random.chance(0.9) ? ', ' : '; ')} }`;
  return `{\n${fields.map((f) => `${indent}  ${f}`).join('\n')}\n${indent}}`;
}

/** A quantity in one of its spellings (units with and without a space, percentages). */
const fraction = (random) => random.pick(['0.5', '0.7', '0.85', '1', '60%', '75%', '92.5%']);
const time = (random) => random.pick(['0 s', '1 us', '2us', '5 us', '0.5 us', '10 us', '1e-6 s', '3000 ns', '0.002 ms']);

/** Calibration and price fields for a hardware derived from a preset. */
function calibration(random) {
  const fields = [];
  if (random.chance(0.6)) fields.push(`flops_eff = ${fraction(random)}`);
  if (random.chance(0.5)) fields.push(`hbm_eff = ${fraction(random)}`);
  if (random.chance(0.5)) fields.push(`link_eff = ${fraction(random)}`);
  if (random.chance(0.4)) fields.push(`collective_latency = ${time(random)}`);
  if (random.chance(0.4)) fields.push(`op_overhead = ${time(random)}`);
  if (random.chance(0.3)) fields.push(`matmul_knee = ${random.pick(['0', '1e9', '5e8', '2e10'])}`);
  if (random.chance(0.3)) fields.push(`price = ${random.pick(['1.2', '3.2', '10', '0.75'])}`);
  if (random.chance(0.2)) fields.push(`hbm = ${random.pick(['16 GiB', '40GB', '96 GiB', '192 GB'])}`);
  if (random.chance(0.2)) fields.push(`topology = ${random.pick(['torus', 'switch'])}`);
  return fields.length ? fields : ['flops_eff = 0.8'];
}

/** Hardware declarations: presets with calibration, and one written out in full. Returns {text, names}. */
export function hardwareDeclarations(random, prefix) {
  const lines = [];
  const names = [];
  for (let i = 0; i < 2; i++) {
    const name = `${prefix}hw${i}`;
    lines.push(`hardware ${name} = ${random.pick(HARDWARE)} ${record(random, calibration(random))}`);
    names.push(name);
  }
  const chained = `${prefix}hw2`;
  lines.push(`hardware ${chained} = ${names[0]} { link_bw = ${random.pick(['25 GB/s', '100 GB/s', '0.9 TB/s'])} }`);
  names.push(chained);
  const own = `${prefix}hw3`;
  lines.push(
    `hardware ${own} ${record(random, [
      `flops = ${random.pick(['100 TFLOP/s', '400TFLOPS', '1.5 PFLOP/s', '5e14'])}`,
      `hbm = ${random.pick(['24 GiB', '64 GB', '1e11'])}`,
      `hbm_bw = ${random.pick(['900 GB/s', '2 TB/s', '3.2 TB/s'])}`,
      `link_bw = ${random.pick(['50 GB/s', '200 GB/s', '600 GB/s'])}`,
      `topology = ${random.pick(['torus', 'switch'])}`,
      ...(random.chance(0.5) ? calibration(random) : []),
    ])}`,
  );
  names.push(own);
  return { text: lines.join('\n'), names };
}

/** [weight, axis size]: mostly the powers of two of real slices, some uneven sizes and long axes. */
const SIZES = [[30, 1], [35, 2], [6, 3], [35, 4], [4, 6], [14, 8], [4, 16], [2, 5], [1, 32]];

/** Axis sizes for `letters` (1, 2 or 3 of them), at most `maxChips` chips in all. */
function axisSizes(random, letters, maxChips = 4096) {
  for (;;) {
    const sizes = letters.map(() => random.weighted(SIZES));
    if (sizes.reduce((a, b) => a * b, 1) <= maxChips) return sizes;
  }
}

/**
 * A mesh as the text after `mesh NAME =` (or after `mesh =` in a layout): a hardware or mesh
 * base, then axis sizes in some order, sometimes with size-1 axes written out, per-axis link
 * and topology overrides, and `wrap`. `letters` are the axes the blocks that will run on it use.
 */
export function meshText(random, base, letters) {
  // Only x, y and z are added with size 1 when not declared: other letters are always written.
  const dims = letters.every((a) => 'xyz'.includes(a)) ? random.weighted([[20, 1], [25, 2], [55, 3]]) : letters.length;
  const used = letters.slice(0, dims);
  const sizes = axisSizes(random, used);
  let fields = used.map((a, i) => `${a} = ${sizes[i]}`);
  if (random.chance(0.15)) fields = random.shuffle(fields);
  if (dims < letters.length && random.chance(0.2)) fields.push(`${letters[dims]} = 1`);
  if (random.chance(0.15)) fields.push(`topology = ${random.pick(['torus', 'switch'])}`);
  if (random.chance(0.15)) fields.push(`topology_${random.pick(used)} = ${random.pick(['torus', 'switch'])}`);
  if (random.chance(0.15)) fields.push(`link_bw_${random.pick(used)} = ${random.pick(['10 GB/s', '90 GB/s', '400 GB/s'])}`);
  if (random.chance(0.1)) fields.push(`link_bw = ${random.pick(['30 GB/s', '300 GB/s'])}`);
  if (random.chance(0.15)) fields.push(`wrap = ${random.pick(['none', used.join(''), used[0]])}`);
  const chips = sizes.reduce((a, b) => a * b, 1);
  return { text: `${base} ${record(random, fields)}`, chips };
}

/** Mesh declarations on xyz: from presets, from this file's hardware, and `= base` chains. */
export function meshDeclarations(random, prefix, hardwareNames, count) {
  const lines = [];
  const names = [];
  for (let i = 0; i < count; i++) {
    const name = `${prefix}mesh${i}`;
    if (i >= 3 && random.chance(0.3)) {
      const base = random.pick(names);
      const axis = random.pick(['x', 'y', 'z']);
      lines.push(`mesh ${name} = ${base} { ${axis} = ${random.pick([1, 2, 4, 8])} }`);
    } else {
      const hw = random.chance(0.75) ? random.pick(HARDWARE) : random.pick(hardwareNames);
      lines.push(`mesh ${name} = ${meshText(random, hw, ['x', 'y', 'z']).text}`);
    }
    names.push(name);
  }
  return { text: lines.join('\n'), names };
}

/** Overrides for a model derived from `base`; returns the fields and the model's new H and K. */
function modelOverrides(random, base) {
  const fields = [];
  let { H, K, ffn } = base;
  if (random.chance(0.5)) fields.push(`weights = ${random.pick(DTYPES)}`);
  if (random.chance(0.3)) fields.push(`kv = ${random.pick(DTYPES)}`);
  if (random.chance(0.25)) fields.push(`block = ${random.pick(['parallel', 'serial'])}`);
  if (random.chance(0.2)) {
    ffn = random.pick(['gelu', 'swiglu']);
    fields.push(`ffn = ${ffn}`);
  }
  if (random.chance(0.2)) {
    K = random.pick([1, H, Math.max(1, H / 8), Math.max(1, H / 4)]);
    fields.push(`K = ${K}`);
  }
  if (random.chance(0.1)) fields.push(`layers = ${random.pick([1, 2, 12, 48])}`);
  if (random.chance(0.1)) fields.push(`tied_embeddings = ${random.pick(['true', 'false'])}`);
  if (random.chance(0.1)) fields.push(`params = ${random.pick(['1e9', '7.5e9', '123e9'])}`);
  return { fields, model: { H, K, ffn } };
}

/** A model written out in full (all required fields, some optional ones). */
function ownModel(random) {
  const H = random.pick([8, 12, 16, 32, 40, 64, 96]);
  const K = random.pick([1, H, Math.max(1, H / 4), Math.max(1, H / 8)]);
  const Q = random.pick([64, 128, 256]);
  const E = random.pick([H * Q, 1024, 4096, 5120, 8192, 12288]);
  const F = random.pick([4 * E, Math.round(3.5 * E), 8 * E / 3 - ((8 * E / 3) % 256), 13824]);
  const ffn = random.pick(['gelu', 'swiglu']);
  const fields = [`layers = ${random.pick([2, 24, 32, 40, 80])}`, `E = ${E}`, `F = ${Math.round(F)}`, `H = ${H}`];
  if (K !== H || random.chance(0.5)) fields.push(`K = ${K}`);
  fields.push(`Q = ${Q}`, `V = ${random.pick([32000, 50257, 65536, 128256, 256000])}`);
  if (random.chance(0.7)) fields.push(`ffn = ${ffn}`);
  if (random.chance(0.5)) fields.push(`block = ${random.pick(['parallel', 'serial'])}`);
  if (random.chance(0.4)) fields.push(`weights = ${random.pick(DTYPES)}`);
  if (random.chance(0.3)) fields.push(`kv = ${random.pick(DTYPES)}`);
  if (random.chance(0.3)) fields.push(`tied_embeddings = ${random.pick(['true', 'false'])}`);
  if (random.chance(0.2)) fields.push(`params = ${random.pick(['6.7e9', '13e9', '30e9'])}`);
  return { fields, model: { H, K, ffn: fields.includes('ffn = swiglu') ? 'swiglu' : 'gelu' } };
}

/** Model declarations: derived from built-ins, chains of them, and models written out. */
export function modelDeclarations(random, prefix, count) {
  const lines = [];
  const models = [];
  for (let i = 0; i < count; i++) {
    const name = `${prefix}model${i}`;
    const kind = random.weighted([[50, 'derived'], [25, 'chain'], [25, 'own']]);
    if (kind === 'own' || (kind === 'chain' && !models.length)) {
      const { fields, model } = ownModel(random);
      lines.push(`model ${name} ${record(random, fields)}`);
      models.push({ name, ...model });
    } else {
      const base = kind === 'chain' ? random.pick(models) : random.pick(MODELS);
      const { fields, model } = modelOverrides(random, base);
      lines.push(`model ${name} = ${base.name} ${record(random, fields)}`);
      models.push({ name, ...model });
    }
  }
  return { text: lines.join('\n'), models };
}

/** A model for a layout field: a name (built-in or declared), or a name with inline overrides. */
export function modelRef(random, declared) {
  const base = random.chance(0.6) ? random.pick(MODELS) : random.pick(declared);
  if (random.chance(0.7)) return { text: base.name, ...base };
  const { fields, model } = modelOverrides(random, base);
  return { text: `${base.name} ${record(random, fields, '  ')}`, ...model };
}

export function workloadFields(random) {
  return [`batch = ${random.pick(BATCHES)}`, `prompt = ${random.pick(PROMPTS)}`, `generate = ${random.pick(GENERATES)}`];
}

export function workloadDeclarations(random, prefix, count) {
  const lines = [];
  const names = [];
  for (let i = 0; i < count; i++) {
    const name = `${prefix}load${i}`;
    if (i > 0 && random.chance(0.3)) lines.push(`workload ${name} = ${random.pick(names)} { batch = ${random.pick(BATCHES)} }`);
    else lines.push(`workload ${name} ${record(random, workloadFields(random))}`);
    names.push(name);
  }
  return { text: lines.join('\n'), names };
}

/** A workload for a layout field: `= NAME`, `= NAME { overrides }` or an inline record. */
export function workloadField(random, declared) {
  const form = random.weighted([[45, 'name'], [20, 'override'], [35, 'inline']]);
  if (form === 'name') return `workload = ${random.pick(declared)}`;
  if (form === 'override') return `workload = ${random.pick(declared)} { ${random.pick(['batch', 'prompt', 'generate'])} = ${random.pick([1, 16, 64, 256])} }`;
  return `workload ${record(random, workloadFields(random))}`;
}
