// fast-check arbitraries for `.shard` text: grammar-aware random files (declarations, blocks and
// layouts with plausible but often wrong tokens, extreme numbers, deep nesting, long lines,
// non-ASCII and lone surrogates, mixed line breaks) and mutations of real files (the examples and
// the prelude). Plausible names are drawn from small pools so that references often resolve and
// the checker and the cost model, not only the parser, see the text.

import fc from 'fast-check';

/** Sizes that stress the numeric paths: zero, fractions, huge, overflowing, not-a-count. */
export const NUMBERS = [
  '0', '1', '2', '3', '4', '8', '16', '64', '128', '1024', '2048', '4096', '18432', '32000', '256000',
  '1.5', '0.5', '0.0001', '3.0', '1e9', '1e15', '1e18', '1e21', '1e300', '1e308', '1e309', '1e-300', '1e-320', '9e999',
  '9007199254740993', '18446744073709551616', '99999999999999999999999999999', '00012', '1.', '.5', '1e', '1e+', '-1', '-0', '2e3',
];
const UNITS = ['', '', '', ' TFLOP/s', 'TFLOPS', ' PFLOP/s', ' GiB', ' GB', ' kB', ' KB', ' TB/s', ' GB/s', ' MB/s', ' us', ' ms', ' ns', ' s', '%', ' B', ' TiB', ' Hz'];
const AXES = ['x', 'y', 'z', 'w', 'xy', 'yz', 'xz', 'xyz', 'zyx', 'xx', ''];
const DIMS = 'BLTEFHKQVXA';
const NAMES = ['a', 'b', 'c', 'd', 'e', 'f', 'h', 'y', 'w_in', 'w_out', 'kc', 'vc', 'q', 'k', 'v', 's', 'p', 'o', 'zz'];
const DECL_NAMES = ['m', 'pod', 'chat', 'tiny', 'hw', 'f1', 'a1', 'u1', 'l1', 'l2'];
const BUILTIN = ['tpu_v4', 'tpu_v5e', 'h100', 'a100', 'b200', 'palm_540b', 'palm_8b', 'llama3_70b', 'ws2d', 'ws1d', 'wg_x', 'wg_xy', 'wg_xyz', 'heads', 'batch', 'none', 'ws2d_batch', 'ws1d_heads', 'ws2d_unembed'];
const OPS = ['einsum', 'all_gather', 'reduce_scatter', 'all_reduce', 'all_to_all', 'slice', 'append', 'gelu', 'silu', 'swiglu', 'add', 'softmax', 'layernorm', 'matmul', ''];
/** Characters that break assumptions about text: non-ASCII, astral, lone surrogates, controls. */
const ODD = ['é', 'ß', '日本', '🚀', '\u{1F600}', '\uD800', '\uDC00', '\uFEFF', '\u0000', '\u2028', '\u00A0', '\t', '\r', '\r\n', '\v', '\f', '\u200B', 'Ｅ'];

const pick = <T>(xs: readonly T[]) => fc.constantFrom(...xs);

export const numberArb: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: pick(NUMBERS) },
  { weight: 1, arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true }).map((d) => String(Math.abs(d))) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 1 << 20 }).map(String) },
);
const quantityArb = fc.tuple(numberArb, pick(UNITS)).map(([n, u]) => n + u);
const declNameArb = fc.oneof(pick(DECL_NAMES), pick(BUILTIN));

/** A sharded type: dimension groups with optional axes, maybe a partialsum suffix. */
export const typeArb: fc.Arbitrary<string> = fc
  .tuple(
    fc.array(fc.tuple(fc.constantFrom(...DIMS), pick(AXES), fc.boolean()), { minLength: 0, maxLength: 6 }),
    fc.option(pick(AXES), { freq: 3 }),
  )
  .map(([groups, ps]) => groups.map(([d, a, space]) => `${d}${a ? `_${a}` : ''}${space ? ' ' : ''}`).join('') + (ps !== null ? ` (partialsum-${ps})` : ''));

const fieldArb = fc.oneof(
  fc.tuple(pick(['flops', 'hbm', 'hbm_bw', 'link_bw', 'flops_eff', 'hbm_eff', 'link_eff', 'collective_latency', 'op_overhead', 'batch', 'prompt', 'generate', 'layers', 'params', 'kv_budget']), quantityArb),
  fc.tuple(pick(['E', 'F', 'H', 'K', 'Q', 'V', 'x', 'y', 'z', 'w', 'B']), numberArb),
  fc.tuple(pick(['topology', 'topology_x', 'topology_y', 'ffn', 'block', 'weights', 'kv', 'tied_embeddings', 'overlap', 'wrap', 'link_bw_x', 'link_bw_z', 'bogus']), pick(['torus', 'switch', 'gelu', 'swiglu', 'parallel', 'serial', 'bf16', 'int8', 'fp8', 'int4', 'true', 'false', 'collective_einsum', 'none', 'xz', 'xyz', '45 GB/s', ''])),
).map(([k, v]) => `${k} = ${v}`);

const sepArb = pick([', ', '; ', '\n  ', '\r\n  ', ' ', '\n\n  ', ',,', '']);

function fieldsText(fields: string[], seps: string[]): string {
  return fields.map((f, i) => f + (i < fields.length - 1 ? seps[i % Math.max(1, seps.length)] ?? ', ' : '')).join('');
}

const recordArb: fc.Arbitrary<string> = fc
  .tuple(pick(['hardware', 'mesh', 'model', 'workload']), declNameArb, fc.option(declNameArb, { freq: 2 }), fc.array(fieldArb, { maxLength: 14 }), fc.array(sepArb, { maxLength: 4 }))
  .map(([kind, name, base, fields, seps]) => `${kind} ${name}${base ? ` = ${base}` : ''} {\n  ${fieldsText(fields, seps)}\n}\n`);

/** A value of a layout field: a name, a name with overrides, or an inline record. */
const layoutValueArb: fc.Arbitrary<string> = fc.oneof(
  declNameArb.map((n) => `= ${n}`),
  fc.tuple(declNameArb, fc.array(fieldArb, { maxLength: 4 })).map(([n, f]) => `= ${n} { ${f.join(', ')} }`),
  fc.array(fieldArb, { maxLength: 4 }).map((f) => `{ ${f.join(', ')} }`),
);

const layoutArb: fc.Arbitrary<string> = fc
  .tuple(
    declNameArb,
    fc.tuple(layoutValueArb, layoutValueArb, layoutValueArb),
    fc.tuple(declNameArb, declNameArb),
    fc.array(fc.oneof(fieldArb, fc.tuple(pick(['prefill', 'decode']), fc.array(fieldArb, { maxLength: 3 }), declNameArb).map(([p, f, b]) => `${p} { ffn = ${b}${f.length ? `, ${f.join(', ')}` : ''} }`)), { maxLength: 4 }),
    fc.boolean(),
  )
  .map(([name, [model, mesh, workload], [ffn, attention], extra, drop]) => {
    const fields = [`model ${model}`, `mesh ${mesh}`, `workload ${workload}`, `ffn = ${ffn}`, `attention = ${attention}`, ...extra];
    if (drop) fields.splice(fields.length > 3 ? 2 : 0, 1);
    return `layout ${name} {\n  ${fields.join('\n  ')}\n}\n`;
  });

const argArb = fc.oneof(pick(NAMES), pick(AXES), fc.constant(''));

const stmtArb: fc.Arbitrary<string> = fc.oneof(
  { weight: 1, arbitrary: fc.tuple(pick(['in', 'weight', 'cache', 'out']), pick(NAMES), typeArb).map(([k, n, t]) => (k === 'out' ? `out ${n}` : `${k} ${n}${k === 'cache' ? ', vc' : ''} : ${t}`)) },
  {
    weight: 4,
    arbitrary: fc
      .tuple(pick(NAMES), pick(OPS), fc.array(argArb, { maxLength: 3 }), fc.option(typeArb, { freq: 4 }), fc.nat(40))
      .map(([n, op, args, t, pad]) => `${n} = ${op}(${args.join(', ')})${' '.repeat(pad % 12)}${t !== null ? ` : ${t}` : ''}`),
  },
);

const blockArb: fc.Arbitrary<string> = fc
  .tuple(pick(['ffn', 'attention', 'unembed']), declNameArb, typeArb, fc.array(stmtArb, { maxLength: 14 }), pick(NAMES))
  .map(([kind, name, input, stmts, out]) => `${kind} ${name} {\n  in h : ${input}\n  ${stmts.join('\n  ')}\n  out ${out}\n}\n`);

/** A well-formed block and layout pair, so many cases reach the cost model with odd numbers. */
const costedArb: fc.Arbitrary<string> = fc
  .tuple(numberArb, numberArb, numberArb, numberArb, numberArb, pick(['ws2d', 'ws1d', 'wg_x', 'wg_xy', 'wg_xyz']), pick(['heads', 'batch', 'none']), pick(['tpu_v4', 'h100', 'tpu_v5e']), numberArb, quantityArb)
  .map(
    ([e, batch, prompt, layers, x, ffn, att, hw, h, flops]) => `hardware hw = ${hw} { flops = ${flops} }
mesh pod = hw { x = ${x}, y = 2, z = 2 }
model tiny = palm_8b { layers = ${layers}, E = ${e}, H = ${h} }
workload chat { batch = ${batch}, prompt = ${prompt}, generate = 8 }
layout l1 { model = tiny, mesh = pod, workload = chat, ffn = ${ffn}, attention = ${att} }
`,
  );

/** Deep nesting: braces, parentheses and overrides inside overrides. */
const nestedArb: fc.Arbitrary<string> = fc.tuple(fc.integer({ min: 1, max: 4000 }), pick(['{', '(', '{ x = ', 'model = m { ', '(partialsum-'])).map(([depth, open]) => `layout deep {\n  model = m ${open.repeat(depth)}\n}\n`);

/** Oddities spliced between declarations. */
const junkArb: fc.Arbitrary<string> = fc.oneof(
  pick(ODD),
  fc.string({ maxLength: 12 }),
  fc.string({ unit: 'binary', maxLength: 6 }),
  fc.tuple(fc.integer({ min: 100, max: 20000 }), pick(['x', 'E', '# ', '_', 'B_xyz', '1'])).map(([n, s]) => s.repeat(n)),
  fc.constant('# comment with 🚀 and \uD800 lone surrogate\n'),
);

export const declArb: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: recordArb },
  { weight: 3, arbitrary: layoutArb },
  { weight: 3, arbitrary: blockArb },
  { weight: 2, arbitrary: costedArb },
  { weight: 1, arbitrary: nestedArb },
  { weight: 1, arbitrary: junkArb },
);

/** A whole random file: declarations, sometimes with every line break made CRLF or CR. */
export const fileArb: fc.Arbitrary<string> = fc
  .tuple(fc.array(declArb, { minLength: 1, maxLength: 6 }), pick(['\n', '\n', '\r\n', '\r']), fc.boolean())
  .map(([decls, eol, trailing]) => {
    const text = decls.join('\n');
    const withEol = eol === '\n' ? text : text.replace(/\r?\n/g, eol);
    return trailing ? withEol : withEol.replace(/\s+$/, '');
  });

/** Fragments that make the parser and checker take unusual paths when spliced into a real file. */
const FRAGMENTS = [
  '{', '}', '(', ')', '=', ':', ',', ';', '-', '_', '#', '\n', '\r\n', '\r', ' ', '%', 'x', 'yz', 'B_x', 'LL', 'E_xx',
  '(partialsum-', '(partialsum-x)', 'in ', 'out ', 'weight ', 'cache ', 'ffn ', 'attention ', 'layout ', 'model ', 'prefill { ', 'decode {',
  'einsum(', 'all_gather(', 'reduce_scatter(', 'slice(', 'append(', 'KB', 'TB/s', 'GiB', ...ODD,
];

export interface Mutation {
  kind: 'delete' | 'insert' | 'replace-token' | 'replace-number' | 'duplicate-line' | 'swap-lines';
  at: number;
  length: number;
  fragment: string;
}

export const mutationArb: fc.Arbitrary<Mutation> = fc.record({
  kind: pick(['delete', 'insert', 'replace-token', 'replace-number', 'replace-number', 'duplicate-line', 'swap-lines'] as const),
  at: fc.nat(1 << 24),
  length: fc.integer({ min: 1, max: 60 }),
  fragment: fc.oneof(pick(FRAGMENTS), numberArb, typeArb, declArb, fc.string({ maxLength: 6 })),
});

export function applyMutation(text: string, m: Mutation): string {
  const at = text.length ? m.at % (text.length + 1) : 0;
  switch (m.kind) {
    case 'delete':
      return text.slice(0, at) + text.slice(at + m.length);
    case 'insert':
      return text.slice(0, at) + m.fragment + text.slice(at);
    case 'replace-token': {
      const t = /[A-Za-z0-9_.]+|[^\sA-Za-z0-9_.]/.exec(text.slice(at));
      if (!t) return text + m.fragment;
      const start = at + t.index;
      return text.slice(0, start) + m.fragment + text.slice(start + t[0].length);
    }
    case 'replace-number': {
      // A size in a real layout becomes an extreme one: this is what reaches the cost model.
      const t = /[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(text.slice(at)) ?? /[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(text);
      if (!t) return text;
      const start = t.index + (t.input === text ? 0 : at);
      const n = NUMBERS[m.length % NUMBERS.length];
      return text.slice(0, start) + n + text.slice(start + t[0].length);
    }
    case 'duplicate-line':
    case 'swap-lines': {
      const lines = text.split('\n');
      const i = at % lines.length;
      const j = (i + m.length) % lines.length;
      if (m.kind === 'duplicate-line') lines.splice(j, 0, lines[i]);
      else [lines[i], lines[j]] = [lines[j], lines[i]];
      return lines.join('\n');
    }
  }
}

/** Runs per property, scaled by SHARDLENS_FUZZ_RUNS (a multiplier; 1 by default). */
export function runs(base: number): number {
  const scale = Number(process.env.SHARDLENS_FUZZ_RUNS ?? 1);
  return Math.max(1, Math.round(base * (Number.isFinite(scale) && scale > 0 ? scale : 1)));
}

/** The suite's fixed seed; the long run passes a random one (printed) through the environment. */
export const SEED = Number(process.env.SHARDLENS_FUZZ_SEED ?? 7007);
