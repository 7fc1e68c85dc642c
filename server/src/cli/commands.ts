// The command table: each command's usage line, options and help text in one place, so the
// parser, `--help` and the README cannot drift apart.

import type { OptionSpec } from './args';

export type CommandName = 'check' | 'report' | 'compare' | 'sweep' | 'best' | 'calibrate' | 'crossover' | 'explain' | 'show' | 'timeline' | 'lsp';

export interface CommandSpec {
  name: CommandName;
  usage: string;
  summary: string;
  /** How many FILE arguments: `one`, `many` (at least one) or `none`. */
  files: 'one' | 'many' | 'none';
  options: OptionSpec[];
  /** Extra lines for `--help`. */
  details?: string[];
}

const layoutOpt = (repeat: boolean): OptionSpec => ({
  name: 'layout',
  value: 'NAME',
  repeat,
  help: repeat ? 'only this layout (repeatable; default: every layout in FILE)' : 'the layout to use',
});

const jsonAlias: OptionSpec = { name: 'json', alias: { name: 'format', value: 'json' }, help: 'same as --format json' };
/** `--format text|json` and its `--json` alias, which most commands take. */
const textOrJson: OptionSpec[] = [{ name: 'format', value: 'FORMAT', choices: ['text', 'json'], help: 'text (default) or json' }, jsonAlias];

export const COMMANDS: readonly CommandSpec[] = [
  {
    name: 'check', files: 'many',
    usage: 'shardlens check FILE... [--format text|json|sarif]',
    summary: 'report diagnostics (syntax, sharding, memory and cost findings)',
    options: [
      { name: 'format', value: 'FORMAT', choices: ['text', 'json', 'sarif'], help: 'text (default): file:line:col: severity code: message; json; sarif (2.1.0)' },
      jsonAlias,
    ],
    details: ['Exit status: 0 no errors (warnings and hints allowed), 1 errors found, 2 bad usage or unreadable file.'],
  },
  {
    name: 'report', files: 'one',
    usage: 'shardlens report FILE [--layout NAME]... [--json]',
    summary: 'latency, MFU, cost and memory per layout',
    options: [layoutOpt(true), ...textOrJson],
    details: ['Exit status: 0, 1 when the file has errors (the report still covers what could be costed), 2 bad usage.'],
  },
  {
    name: 'compare', files: 'one',
    usage: 'shardlens compare FILE [--layout NAME]... [--json] [--html OUT] [--svg DIR]',
    summary: 'layouts side by side; optionally an HTML page or SVG charts',
    options: [
      layoutOpt(true),
      ...textOrJson,
      { name: 'html', value: 'OUT', help: 'write one self-contained HTML page with the charts' },
      { name: 'svg', value: 'DIR', help: 'write each chart as an SVG file into DIR' },
    ],
    details: ['Columns for KV transfer (per-phase meshes), all-to-all and measured results appear when some layout has them.', 'json: the report --json object of the layouts compared (kv_transfer, all_to_all_s, measured.ratio).'],
  },
  {
    name: 'sweep', files: 'one',
    usage: 'shardlens sweep FILE --layout NAME [--batch LIST] [--chips LIST] [--json|--csv] [--html OUT]',
    summary: 'cost vs latency over batch sizes and chip counts, Pareto frontier marked (Pope Fig. 1)',
    options: [
      layoutOpt(false),
      { name: 'batch', value: 'LIST', help: 'comma-separated batch sizes (default 1,2,4,...,1024)' },
      { name: 'chips', value: 'LIST', help: "comma-separated chip counts, powers of two (default the layout's own)" },
      { name: 'format', value: 'FORMAT', choices: ['text', 'json', 'csv'], help: 'text (default), json or csv (one row per point and phase)' },
      jsonAlias,
      { name: 'csv', alias: { name: 'format', value: 'csv' }, help: 'same as --format csv' },
      { name: 'html', value: 'OUT', help: 'also write one self-contained HTML page with both charts and the table' },
    ],
    details: ['For each chip count every power-of-two mesh x*y*z is costed; each phase keeps its fastest shape that fits (fits: that phase\'s own memory).', 'Varied: the batch and the sizes of x, y, z. Kept: blocks, model, prompt, generate, a phase\'s own batch (prefill { batch = 1 } stays 1), and the mesh\'s hardware, axis order and per-axis link_bw/topology/wrap; network tiers are derived again for each shape.', 'A layout whose phases run on two meshes (prefill { mesh = A }, decode { mesh = B }) has each phase re-factored from its own mesh while the other pool stays as declared; the default chip counts are both pools\'.', 'A pipelined layout keeps its pipeline axis and microbatches: in each shape its stages are that axis\'s size (a shape or batch they do not fit is skipped).', 'Prefill latency is the whole prefill; decode latency is one step (per generated token).', 'Progress is shown on stderr when it is a terminal; Ctrl-C cancels (exit 130).', 'Exit status: 0, 1 when the file has errors (the layouts that resolve are still searched), 2 bad usage.'],
  },
  {
    name: 'best', files: 'one',
    usage: 'shardlens best FILE --layout NAME [--objective latency|cost] [--max-latency T] [--chips N|LIST] [--batch LIST] [--dtypes LIST] [--top N] [--json]',
    summary: "search built-in and the file's own blocks, mesh shapes, batch sizes and dtypes for the best layout",
    options: [
      layoutOpt(false),
      { name: 'objective', value: 'OBJ', choices: ['latency', 'cost'], help: 'what to minimize: latency (default) or cost' },
      { name: 'max-latency', value: 'T', help: 'limit on the whole request: 50ms, 2s, 800us (a bare number is seconds)' },
      { name: 'chips', value: 'N|LIST', help: "one N: every power of two up to N; a LIST: those counts (default the layout's own)" },
      { name: 'batch', value: 'LIST', help: "comma-separated batch sizes (default the layout's own)" },
      { name: 'dtypes', value: 'LIST', help: "weight dtypes to try, from bf16,int8,fp8,int4 (default the layout's own)" },
      { name: 'top', value: 'N', help: 'how many to print (default 5)' },
      ...textOrJson,
    ],
    details: ['latency = prefill + all decode steps; cost = chips * latency / (prompt + generated tokens).', 'A pipelined layout keeps its pipeline axis and microbatches: in each mesh its stages are that axis\'s size (a mesh or batch they do not fit is skipped), and the printed layout declares them.', 'Meshes: every power-of-two x*y*z of each chip count, with the layout mesh\'s hardware, axis order and per-axis link_bw/topology/wrap kept; axes past the hardware\'s scale-up domain use its network, so no mesh has a larger NVLink domain than the hardware.', 'A layout whose phases run on two meshes is searched pool by pool: every prefill mesh with every decode mesh, each of its own chip count (--chips gives both pools that list); latency adds the KV transfer and cost counts each pool\'s chips for its own phase\'s time.', 'Each result comes with shard text to paste under FILE (it checks clean there).', 'Progress is shown on stderr when it is a terminal; Ctrl-C cancels (exit 130).', 'Exit status: 0, 1 when the file has errors (the layouts that resolve are still searched), 2 bad usage.'],
  },
  {
    name: 'calibrate', files: 'one',
    usage: 'shardlens calibrate FILE --measurements CSV --hardware NAME [--json]',
    summary: 'fit calibration fields to measured times; prints a hardware block to paste',
    options: [
      { name: 'measurements', value: 'CSV', help: "layout,phase,batch,prompt,generate,seconds[,chips] ('-' for standard input)" },
      { name: 'hardware', value: 'NAME', help: 'the hardware to calibrate' },
      ...textOrJson,
    ],
    details: ['Prints `hardware NAME_calibrated = NAME { ... }` and each row\'s error before and after.', 'Exit status: 0, 1 when the file has errors, 2 bad usage, unreadable input or bad CSV rows (one line per problem).'],
  },
  {
    name: 'crossover', files: 'one',
    usage: 'shardlens crossover FILE --layout NAME [--svg DIR] [--json]',
    summary: "FFN communication volume vs tokens per batch and where the best FFN layout switches (Pope Fig. 3)",
    options: [layoutOpt(false), { name: 'svg', value: 'DIR', help: 'write the chart as DIR/crossover.svg' }, ...textOrJson],
    details: ["Uses the layout's model (with a gelu FFN, as the figure) and mesh; every built-in FFN layout is costed.", 'Exit status: 0, 1 when the file has errors, 2 bad usage.'],
  },
  {
    name: 'explain', files: 'one',
    usage: 'shardlens explain FILE --layout NAME [--phase prefill|decode] [--op ROLE.VALUE]',
    summary: 'the formula behind each number, with the values put in',
    options: [
      layoutOpt(false),
      { name: 'phase', value: 'PHASE', choices: ['prefill', 'decode'], help: 'only this phase' },
      { name: 'op', value: 'ROLE.VALUE', help: 'only this op; ROLE is ffn, attention, unembed or layer' },
    ],
  },
  {
    name: 'show', files: 'one',
    usage: 'shardlens show FILE --layout NAME --value ROLE.VALUE [--phase prefill|decode] [--svg OUT] [--html OUT]',
    summary: 'which tile of a value every chip of the mesh holds',
    options: [
      layoutOpt(false),
      { name: 'value', value: 'ROLE.VALUE', help: 'the value: an input, weight, cache or statement of the block in ROLE (ffn, attention or unembed), e.g. ffn.w_in' },
      { name: 'phase', value: 'PHASE', choices: ['prefill', 'decode'], help: 'the phase whose blocks to use (default decode)' },
      { name: 'svg', value: 'OUT', help: 'also write the mesh drawing as an SVG file' },
      { name: 'html', value: 'OUT', help: 'also write one self-contained HTML page with the drawing and the table' },
    ],
    details: [
      'Prints one row per chip: its coordinates, its tile and the index range start:end (end excluded) of each dim.',
      'Chips are numbered with the first mesh axis major; a dim split over several axes (F_yz) is split with the axes in mesh order, the first major.',
      'Exit status: 0, 1 when the file has errors, 2 bad usage (an unknown layout or value).',
    ],
  },
  {
    name: 'timeline', files: 'one',
    usage: 'shardlens timeline FILE --layout NAME [--phase prefill|decode] [--svg OUT] [--html OUT]',
    summary: "where a step's time goes: one layer op by op, and the whole pass",
    options: [
      layoutOpt(false),
      { name: 'phase', value: 'PHASE', choices: ['prefill', 'decode'], help: 'the phase (default decode: one step at the mean attended length)' },
      { name: 'svg', value: 'OUT', help: 'also write the layer chart to OUT and the whole pass to OUT with -step before .svg' },
      { name: 'html', value: 'OUT', help: 'also write one self-contained HTML page with both charts and the text' },
    ],
    details: ['Every figure is the cost model\'s (as `explain` prints it); with overlap = collective_einsum a collective runs under its einsum.', 'Exit status: 0, 1 when the file has errors, 2 bad usage.'],
  },
  {
    name: 'lsp', files: 'none',
    usage: 'shardlens lsp --stdio',
    summary: 'run the language server over standard input/output (for any LSP client)',
    options: [{ name: 'stdio', help: 'talk LSP over standard input/output (the only transport)' }],
  },
];

export function findCommand(name: string): CommandSpec | undefined {
  return COMMANDS.find((c) => c.name === name);
}

export function commandHelp(c: CommandSpec): string {
  const lines = [`usage: ${c.usage}`, '', c.summary[0].toUpperCase() + c.summary.slice(1) + '.'];
  if (c.files !== 'none') lines.push('', "FILE '-' reads standard input (named <stdin> in output).");
  lines.push('', 'options:');
  const rows = [...c.options, { name: 'help', help: 'show this help' } as OptionSpec].map((o) => [
    `--${o.name}${o.value ? ' ' + o.value : ''}`,
    o.choices && !o.help.includes(o.choices[0]) ? `${o.help} (${o.choices.join('|')})` : o.help,
  ]);
  const width = Math.max(...rows.map((r) => r[0].length));
  for (const [left, right] of rows) lines.push(`  ${left.padEnd(width)}  ${right}`);
  if (c.details) lines.push('', ...c.details);
  return lines.join('\n') + '\n';
}

export function generalHelp(version: string): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    `shardlens ${version}: check and cost Transformer inference shardings (.shard files)`,
    '',
    'usage: shardlens COMMAND [ARGS] [--help]',
    '',
    'commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    "Run 'shardlens COMMAND --help' for a command's options. 'shardlens --version' prints the version.",
    '',
  ].join('\n');
}
