// The layouts of a generated file. Each maker returns the layout's fields (strings such as
// `ffn = ws2d` or `decode { attention = batch }`); `layoutText` writes them. Kinds: built-in
// blocks (top level, per phase, or both), `attention = none`, this file's user-written blocks,
// `layout b = a { … }` chains, and layouts with one deliberate mistake (their diagnostics are
// part of the differential output too).

import { BUILTIN_FFNS } from './blocks.mjs';
import { BATCHES, GENERATES, PROMPTS, HARDWARE, meshText, modelRef, record, workloadField, workloadFields } from './declarations.mjs';

/** The residual type each built-in family reads and writes (server/src/engine/prelude/ffn.shard). */
const RESIDUAL = { ws1d: 'BLE_xyz', ws2d: 'BLE_xyz', wg_x: 'B_xLE_yz', wg_xy: 'B_xyLE_z', wg_xyz: 'B_xyzLE' };

/** The attention member for a model's K: `_mqa` (K = 1), `_mha` (K = H), `_gqa` between. */
export const memberOf = (model) => (model.K === 1 ? 'mqa' : model.K === model.H ? 'mha' : 'gqa');

/** An ffn and an attention value for one phase on built-in blocks, in the spellings a user may write. */
function builtinPair(random, model) {
  const ffn = random.pick(BUILTIN_FFNS);
  const kinds = ffn === 'wg_xyz' ? ['batch'] : ['heads', 'batch'];
  const kind = random.pick(kinds);
  const attention = random.weighted([
    [60, () => kind],
    [10, () => `${ffn}_${kind}`],
    [15, () => `${ffn}_${kind}_${memberOf(model)}`],
    [5, () => `${ffn}_${kind}_${random.pick(['mqa', 'gqa', 'mha'])}`],
    // Another family with the same residual type (ws1d and ws2d both read BLE_xyz).
    [10, () => (RESIDUAL[ffn] === 'BLE_xyz' ? `${random.pick(['ws1d', 'ws2d'])}_${kind}` : kind)],
  ])();
  return { ffn, attention };
}

function phaseRecord(random, pair, extra = []) {
  const fields = [];
  if (pair.ffn) fields.push(`ffn = ${pair.ffn}`);
  if (pair.attention) fields.push(`attention = ${pair.attention}`);
  return `{ ${[...fields, ...extra].join(', ')} }`;
}

/** Per-phase workload overrides (`prefill { batch = 1, … }`). */
function phaseSizes(random) {
  const out = [];
  if (random.chance(0.25)) out.push(`batch = ${random.pick(BATCHES)}`);
  if (random.chance(0.08)) out.push(`prompt = ${random.pick(PROMPTS)}`);
  if (random.chance(0.08)) out.push(`generate = ${random.pick(GENERATES)}`);
  return out;
}

function measured(random) {
  const fields = [];
  if (random.chance(0.6)) fields.push(`prefill = ${random.pick(['0.29 s', '85.2 s', '12 ms', '1.5s'])}`);
  if (random.chance(0.5)) fields.push(`prefill_mfu = ${random.pick(['43%', '0.76', '12.5%'])}`);
  if (random.chance(0.5)) fields.push(`decode = ${random.pick(['1.82 s', '6 s', '900 ms'])}`);
  if (random.chance(0.3)) fields.push(`decode_step = ${random.pick(['28.4 ms', '93.8ms', '5 ms'])}`);
  if (random.chance(0.4)) fields.push(`decode_mfu = ${random.pick(['14%', '0.33', '2%'])}`);
  if (random.chance(0.6)) fields.push(`source = ${random.pick(['paper', 'measured'])}`);
  return `measured ${record(random, fields.length ? fields : ['decode = 1 s'])}`;
}

/** The optional layout fields: overlap, kv_budget, an explicit unembed, measured results. */
function options(random, ffn) {
  const out = [];
  if (random.chance(0.3)) out.push(`overlap = ${random.pick(['none', 'collective_einsum', 'collective_einsum'])}`);
  if (random.chance(0.12)) out.push(`kv_budget = ${random.pick(['30%', '0.5', '10%', '100%'])}`);
  if (ffn && random.chance(0.1)) out.push(`unembed = ${RESIDUAL[ffn] === 'BLE_xyz' ? random.pick(['ws1d', 'ws2d']) : ffn}_unembed`);
  if (random.chance(0.1)) out.push(measured(random));
  return out;
}

/** A mesh field: a declared mesh, or one written inline from a preset or this file's hardware. */
function meshField(random, ctx) {
  if (random.chance(0.65)) return `mesh = ${random.pick(ctx.meshes)}`;
  const base = random.chance(0.7) ? random.pick(HARDWARE) : random.pick(ctx.hardware);
  return `mesh = ${meshText(random, base, ['x', 'y', 'z']).text}`;
}

/** A layout on built-in blocks: the same blocks in both phases, or per phase, or a mix. */
export function builtinLayout(random, ctx) {
  const model = modelRef(random, ctx.models);
  const fields = [`model = ${model.text}`, meshField(random, ctx), workloadField(random, ctx.workloads)];
  const mode = random.weighted([[50, 'same'], [35, 'phases'], [15, 'mixed']]);
  const first = builtinPair(random, model);
  if (mode === 'same') fields.push(`ffn = ${first.ffn}`, `attention = ${first.attention}`);
  else if (mode === 'phases') {
    fields.push(`prefill ${phaseRecord(random, first, phaseSizes(random))}`);
    fields.push(`decode  ${phaseRecord(random, builtinPair(random, model), phaseSizes(random))}`);
  } else {
    const other = first.ffn === 'wg_xyz' ? 'batch' : random.pick(['heads', 'batch']);
    fields.push(`ffn = ${first.ffn}`, `attention = ${first.attention}`, `decode { attention = ${other} }`);
  }
  fields.push(...options(random, mode === 'same' ? first.ffn : undefined));
  return { fields, model };
}

/** A layout of the ffn alone (Pope Fig. 3 studies). */
export function ffnOnlyLayout(random, ctx) {
  const model = modelRef(random, ctx.models);
  const fields = [`model = ${model.text}`, meshField(random, ctx), workloadField(random, ctx.workloads), `ffn = ${random.pick(BUILTIN_FFNS)}`, 'attention = none'];
  if (random.chance(0.3)) fields.push(`overlap = ${random.pick(['none', 'collective_einsum'])}`);
  return { fields, model };
}

/** A layout on one of this file's renamed block families, on a mesh with the family's axis letters. */
export function familyLayout(random, ctx, family = random.pick(ctx.families)) {
  const model = modelRef(random, ctx.models);
  const swiglu = (model.ffn === 'swiglu') !== random.chance(0.15);
  const ffn = `${family.prefix}${family.ffn}${swiglu ? '_swiglu' : ''}`;
  const kind = family.ffn === 'wg_xyz' ? 'batch' : random.pick(['heads', 'batch']);
  const attention = random.weighted([
    [80, `${family.prefix}${family.ffn}_${kind}_${memberOf(model)}`],
    [10, `${family.prefix}${family.ffn}_${kind}`],
    [10, 'none'],
  ]);
  const mesh = random.chance(0.6)
    ? `mesh = ${random.pick(family.meshes)}`
    : `mesh = ${meshText(random, random.pick(HARDWARE), family.letters).text}`;
  const fields = [`model = ${model.text}`, mesh, workloadField(random, ctx.workloads), `ffn = ${ffn}`, `attention = ${attention}`];
  if (random.chance(0.3)) fields.push(`unembed = ${family.prefix}${family.ffn}_unembed`);
  if (random.chance(0.3)) fields.push(`overlap = ${random.pick(['none', 'collective_einsum'])}`);
  return { fields, model };
}

/** `layout NAME = BASE { overrides }`: BASE is an earlier layout of the file (perhaps derived itself). */
export function derivedLayout(random, ctx) {
  const base = random.pick(ctx.derivable);
  const overrides = [];
  const pick = () =>
    random.weighted([
      [30, () => workloadField(random, ctx.workloads)],
      [20, () => `mesh = ${random.pick(ctx.meshes)}`],
      [15, () => `model = ${modelRef(random, ctx.models).text}`],
      [15, () => `decode { attention = ${random.pick(['batch', 'heads'])} }`],
      [10, () => `prefill { batch = ${random.pick([1, 8, 64])} }`],
      [10, () => `overlap = ${random.pick(['none', 'collective_einsum'])}`],
    ])();
  const count = random.int(0, 2);
  for (let i = 0; i < count; i++) overrides.push(pick());
  return { base, fields: overrides };
}

export function layoutText(random, name, layout) {
  const head = layout.base ? `layout ${name} = ${layout.base}` : `layout ${name}`;
  if (layout.base && !layout.fields.length && random.chance(0.5)) return `${head}\n`;
  return `${head} ${record(random, layout.fields)}\n`;
}

/** Replace the field called `name` (the first one), or add it. */
function setField(fields, name, text) {
  const i = fields.findIndex((f) => f.startsWith(`${name} `));
  if (i >= 0) fields[i] = text;
  else fields.push(text);
}

/**
 * A built-in layout with one mistake. Returns the layout and, for mistakes that need them,
 * declarations to add to the file; `label` says which mistake (written in a comment above it).
 */
export function brokenLayout(random, ctx) {
  const layout = builtinLayout(random, ctx);
  const f = layout.fields;
  const withoutPhases = () => {
    for (let i = f.length - 1; i >= 0; i--) if (/^(prefill|decode|ffn|attention|unembed) /.test(f[i])) f.splice(i, 1);
  };
  const mistakes = [
    ['unknown ffn', () => setField(f, 'ffn', `ffn = ${random.pick(['ws3d', 'ws2', 'wg_yz', 'ws2d_heads'])}`)],
    ['heads attention on wg_xyz', () => (withoutPhases(), f.push('ffn = wg_xyz', 'attention = heads'))],
    ['unknown field', () => f.push(`${random.pick(['overlapp', 'chips', 'kv', 'budget'])} = 1`)],
    ['missing field', () => f.splice(random.int(0, 2), 1)],
    ['bad count', () => setField(f, 'workload', `workload { batch = ${random.pick(['0', '1.5', '2k', '1e20'])}, prompt = 2048, generate = 64 }`)],
    ['bad enum', () => setField(f, 'overlap', `overlap = ${random.pick(['always', 'yes', 'collective'])}`)],
    ['bad dtype', () => setField(f, 'model', `model = palm_62b { weights = ${random.pick(['fp16', 'int3', 'float'])} }`)],
    ['unknown model', () => setField(f, 'model', `model = ${random.pick(['palm_99b', 'llama3_405b', 'gpt'])}`)],
    ['unknown mesh', () => setField(f, 'mesh', 'mesh = pod_missing')],
    ['bad topology', () => setField(f, 'mesh', 'mesh = tpu_v4 { x = 4, y = 4, topology = ring }')],
    ['wrong unit', () => setField(f, 'mesh', `mesh = tpu_v4 { x = 4, link_bw = ${random.pick(['45 GB', '45 KB/s', '2 s', '45 GB/h'])} }`)],
    ['wrap over an unknown axis', () => setField(f, 'mesh', 'mesh = tpu_v4 { x = 4, y = 4, wrap = xw }')],
    ['duplicate field', () => f.push(`model = ${random.pick(['palm_8b', 'llama3_8b'])}`)],
    ['unembed of another residual', () => (withoutPhases(), f.push('ffn = ws2d', 'attention = batch', `unembed = ${random.pick(['wg_x', 'wg_xy', 'wg_xyz'])}_unembed`))],
    ['residual mismatch', () => (withoutPhases(), f.push(`ffn = ${random.pick(['wg_x', 'wg_xy'])}`, `attention = ${random.pick(['ws2d_batch', 'ws1d_heads'])}`))],
    ['block on axes the mesh lacks', () => {
      const family = ctx.families.find((fam) => !fam.letters.every((a) => 'xyz'.includes(a)));
      if (!family) return false;
      withoutPhases();
      f.push(`ffn = ${family.prefix}${family.ffn}`, 'attention = none');
      setField(f, 'mesh', `mesh = ${random.pick(ctx.meshes)}`);
    }],
    ['broken block', () => {
      const broken = random.pick(ctx.broken);
      withoutPhases();
      if (broken.kind === 'ffn') f.push(`ffn = ${broken.name}`, 'attention = none');
      else if (broken.kind === 'attention') f.push(`ffn = ${broken.family}`, `attention = ${broken.name}`);
      else f.push(`ffn = ${broken.family}`, 'attention = batch', `unembed = ${broken.name}`);
    }],
    ['kv_budget out of range', () => f.push(`kv_budget = ${random.pick(['150%', '0', '2'])}`)],
    ['batch smaller than its shard count', () => {
      withoutPhases();
      setField(f, 'workload', `workload { batch = ${random.pick([1, 2, 3])}, prompt = 128, generate = 8 }`);
      setField(f, 'mesh', 'mesh = tpu_v4 { x = 4, y = 4, z = 4 }');
      f.push('ffn = wg_xyz', 'attention = batch');
    }],
    ['measured of the wrong kind', () => f.push(`measured { prefill = ${random.pick(['3 GB', '45%', 'fast'])} }`)],
    ['unknown measured field', () => f.push('measured { latency = 1 s, source = paper }')],
    ['missing separator (syntax)', () => setField(f, 'workload', 'workload { batch = 64 prompt = 2048, generate = 64 }')],
    ['stray token (syntax)', () => f.push(random.pick(['ffn = = ws2d', 'attention batch', 'overlap = collective_einsum )']))],
    ['base cycle', () => {
      const a = `cycle_${ctx.serial}_a`;
      const b = `cycle_${ctx.serial}_b`;
      layout.declarations = `model ${a} = ${b} { weights = int8 }\nmodel ${b} = ${a} { kv = int8 }\n`;
      setField(f, 'model', `model = ${a}`);
    }],
    ['unknown base layout', () => {
      layout.base = 'no_such_layout';
    }],
    ['whole chip of a huge model', () => {
      setField(f, 'model', `model = ${random.pick(['palm_540b', 'mt_nlg_530b', 'llama3_70b'])}`);
      setField(f, 'mesh', `mesh = ${random.pick(['tpu_v5e', 'a100', 'tpu_v4'])} { x = ${random.pick([1, 2])} }`);
    }],
  ];
  for (;;) {
    const [label, apply] = random.pick(mistakes);
    if (apply() === false) continue;
    return { ...layout, label };
  }
}
