// Text renderers for `shardlens report` and `shardlens compare`: pure functions from the report
// object to a string, so the CLI, tests and any other front end print the same thing.

import { formatBytes, formatCount, formatPercent, formatSeconds, sig } from './format';
import type { JsonLayout, JsonPhase, ReportJson } from './json';
import { extraColumnsOf } from '../charts/figures';
import { basisLabel } from '../cost/basis';
import { compareBasisNote } from '../charts/basis';

function table(rows: string[][], align: ('l' | 'r')[] = []): string {
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, [...c].length)));
  return rows
    .map((r) => r.map((c, i) => {
      const pad = ' '.repeat(widths[i] - [...c].length);
      return (align[i] ?? (i === 0 ? 'l' : 'r')) === 'l' ? c + pad : pad + c;
    }).join('  ').trimEnd())
    .join('\n');
}

function phaseRow(name: string, p: JsonPhase, decode: boolean): string[] {
  return [
    name,
    `${p.ffn} + ${p.attention ?? 'none'}`,
    formatSeconds(p.latency_s),
    decode ? formatSeconds(p.step_s ?? 0) : '',
    formatPercent(p.mfu),
    `${sig(p.cost_chip_s_per_token * 1e3)} chip-ms`,
    `${sig(p.throughput_tokens_per_s)}/s`,
    p.bound,
    formatSeconds(p.compute_s),
    formatSeconds(p.memory_s),
    formatSeconds(p.comm_s),
  ];
}

function layoutText(l: JsonLayout): string {
  const t = l.kv_transfer;
  // No mesh name: an uncostable layout whose only meshes are its phases' (and one of them failed
  // to resolve); the reason line below says which, so the header names none.
  const where = t ? ` prefill on ${t.from_mesh} (${t.from_chips} chips), decode on ${t.to_mesh} (${t.to_chips} chips)` : l.mesh ? ` on ${l.mesh}${l.chips ? ` (${l.chips} chips)` : ''}` : '';
  const head = `layout ${l.name}` + (l.model ? `: ${l.model}${where}` : '');
  if (!l.costed || !l.prefill || !l.decode || !l.memory || !l.workload) {
    return `${head}\n  not costed${l.reason ? `: ${l.reason}` : ''}\n`;
  }
  const w = l.workload;
  const lines = [`${head}, batch ${w.batch}, prompt ${w.prompt}, generate ${w.generate}${l.overlap && l.overlap !== 'none' ? `, overlap ${l.overlap}` : ''}${l.attention_kernel === 'unfused' ? ', attention unfused' : ''}`];
  if (l.basis && l.basis_hardware) lines.push(`  figures: ${basisLabel({ kind: l.basis, hardware: l.basis_hardware })}${l.basis === 'roofline' ? ', a lower bound until calibrated' : ''}`);
  lines.push(
    table(
      [
        ['phase', 'blocks', 'latency', 'step', 'MFU', 'cost/token', 'tokens/s', 'bound', 'compute', 'memory', 'comm'],
        phaseRow('prefill', l.prefill, false),
        phaseRow('decode', l.decode, true),
      ],
      ['l', 'l'],
    ).replace(/^/gm, '  '),
  );
  const m = l.memory;
  if (m.pools) {
    // Two pools of chips: each holds its own phase's weights, cache and activations.
    for (const phase of ['prefill', 'decode'] as const) {
      const p = m.pools[phase];
      lines.push(`  ${phase} memory per chip: weights ${formatBytes(p.weights_bytes)} + KV ${formatBytes(p.kv_bytes)} + activations ${formatBytes(p.activation_bytes)} = ${formatBytes(p.total_bytes)} of ${formatBytes(p.hbm_bytes)} (${p.fits ? 'fits' : 'DOES NOT FIT'})`);
    }
  } else lines.push(
    `  memory per chip: weights ${formatBytes(m.weights_bytes)} + KV ${formatBytes(m.kv_bytes)} + activations ${formatBytes(m.activation_bytes)} = ${formatBytes(m.total_bytes)} of ${formatBytes(m.hbm_bytes)} (${m.fits ? 'fits' : 'DOES NOT FIT'}); max context ${maxContextText(l)}; KV all chips ${formatBytes(m.kv_bytes_total)}`,
  );
  if (m.pools) lines.push(`  max context ${maxContextText(l)}; KV all chips ${formatBytes(m.kv_bytes_total)}`);
  const a2a = allToAllText(l);
  if (a2a) lines.push(a2a);
  if (l.pipeline) lines.push(...pipelineLines(l));
  if (t) lines.push(`  KV transfer: ${formatBytes(t.bytes)} from ${t.from_chips} prefill chips to ${t.to_chips} decode chips over the ${t.link}, ${formatSeconds(t.time_s)}`);
  lines.push(`  total latency ${formatSeconds(l.total_latency_s ?? l.prefill.latency_s + l.decode.latency_s)}${t ? ' (prefill + KV transfer + decode' : ' ('}${t ? '; ' : ''}decode last step ${formatSeconds(l.decode.step_s_last ?? 0)})`);
  if (l.measured) lines.push(...measuredLines(l));
  return lines.join('\n') + '\n';
}

/**
 * A pipelined phase: its stages and microbatches, the slowest stage and the hop per slot, the
 * slots and the idle fraction; then each pool's heaviest stage's memory (cost-model.md "Pipelines").
 */
function pipelineLines(l: JsonLayout): string[] {
  const out: string[] = [];
  for (const phase of ['prefill', 'decode'] as const) {
    const p = l.pipeline?.[phase];
    if (!p) continue;
    const layers = [...new Set(p.layers_per_stage)].join(' or ');
    const what = phase === 'prefill' ? 'prefill' : 'decode step';
    out.push(`  pipeline ${phase}: ${p.stages} stages over ${p.axis} (${layers} layers each), ${p.microbatches} microbatch${p.microbatches === 1 ? '' : 'es'} of ${p.microbatch_batch}; ${what} = ${p.slots} slots × (stage ${p.slowest_stage} ${formatSeconds(p.stage_time_s)} + hop ${formatSeconds(p.stage_transfer_s)} over the ${p.link}), bubble ${formatPercent(p.bubble_fraction)}`);
    const mem = p.stage_memory;
    if (mem.length && (phase === 'prefill' || !l.pipeline?.prefill || l.kv_transfer)) {
      const heavy = mem.reduce((a, b) => (b.total_bytes > a.total_bytes ? b : a));
      const unfit = mem.filter((m) => !m.fits).map((m) => m.stage);
      out.push(`  stage memory per chip: heaviest stage ${heavy.stage} (${heavy.layers} layers) weights ${formatBytes(heavy.weights_bytes)} + KV ${formatBytes(heavy.kv_bytes)}, total ${formatBytes(heavy.total_bytes)}; ${unfit.length ? `stages ${unfit.join(', ')} DO NOT FIT` : 'every stage fits'}`);
    }
  }
  return out;
}

/**
 * The longest context the memory left for the KV cache holds, in tokens per sequence, at the
 * decode batch it was computed for (cost-model.md: it shrinks as the batch grows).
 */
function maxContextText(l: JsonLayout): string {
  const m = l.memory!;
  const batch = l.decode?.workload.batch;
  // Infinity (null in JSON): every layer is a sliding-window layer, whose cache stops at the window.
  if (m.max_context === null || m.max_context === Infinity) return 'unbounded (every layer keeps at most its window)';
  return `${formatCount(m.max_context)} tokens${batch !== undefined ? ` at batch ${batch}` : ''}`;
}

/** The recorded results beside the nominal prediction (a lower bound until calibrated). */
function measuredLines(l: JsonLayout): string[] {
  const m = l.measured!;
  const who = m.source === 'paper' ? 'paper' : 'measured';
  const out: string[] = [];
  const row = (phase: string, predicted: number, measured: number | undefined, mfuPred: number, mfuMeasured: number | undefined) => {
    if (measured === undefined && mfuMeasured === undefined) return;
    const parts = [`  ${phase.padEnd(8)} predicted ${formatSeconds(predicted)}, MFU ${formatPercent(mfuPred)}`];
    const got: string[] = [];
    const ratio = measured !== undefined && predicted > 0 ? measured / predicted : NaN;
    if (measured !== undefined) got.push(Number.isFinite(ratio) ? `${formatSeconds(measured)} (${sig(ratio, 2)}× the prediction)` : formatSeconds(measured));
    if (mfuMeasured !== undefined) got.push(`MFU ${formatPercent(mfuMeasured)}`);
    parts.push(`${who} ${got.join(', ')}`);
    out.push(parts.join('; '));
  };
  row('prefill', l.prefill!.latency_s, m.prefill_s, l.prefill!.mfu, m.prefill_mfu);
  const decodeMeasured = m.decode_s ?? (m.decode_step_s !== undefined && l.workload ? m.decode_step_s * l.workload.generate : undefined);
  row('decode', l.decode!.latency_s, decodeMeasured, l.decode!.mfu, m.decode_mfu);
  if (out.length) out.unshift(`  against the ${who === 'paper' ? "paper's measurement" : 'measurement'} (the nominal model is a lower bound until calibrated: \`shardlens calibrate\`):`);
  return out;
}

/** What `report` and `compare` print for a file (or `--layout` selection) without layouts. */
const NO_LAYOUTS = 'no layouts\n';

/** `shardlens report`: a readable table per layout, then the diagnostics count. */
export function renderReport(report: ReportJson): string {
  const parts = report.layouts.map(layoutText);
  if (parts.length === 0) parts.push(NO_LAYOUTS);
  return parts.join('\n');
}

interface Column {
  title: string;
  /** The number compared (undefined: not applicable). */
  value: (l: JsonLayout) => number | undefined;
  show: (v: number) => string;
  /** What the number holds for, after it and its best mark (`at batch 64`). */
  detail?: (l: JsonLayout) => string;
  better: 'min' | 'max';
}

const COLUMNS: Column[] = [
  { title: 'prefill', value: (l) => l.prefill?.latency_s, show: formatSeconds, better: 'min' },
  { title: 'prefill MFU', value: (l) => l.prefill?.mfu, show: formatPercent, better: 'max' },
  { title: 'decode step', value: (l) => l.decode?.step_s, show: formatSeconds, better: 'min' },
  { title: 'decode', value: (l) => l.decode?.latency_s, show: formatSeconds, better: 'min' },
  { title: 'decode MFU', value: (l) => l.decode?.mfu, show: formatPercent, better: 'max' },
  { title: 'total', value: (l) => l.total_latency_s, show: formatSeconds, better: 'min' },
  // chips × decode step / batch: what one generated token costs (`best` divides by prompt tokens too).
  { title: 'cost/generated token', value: (l) => l.decode?.cost_chip_s_per_token, show: (v) => `${sig(v * 1e3)} chip-ms`, better: 'min' },
  { title: 'memory/chip', value: (l) => l.memory?.total_bytes, show: (v) => formatBytes(v), better: 'min' },
  { title: 'max context (tokens)', value: (l) => l.memory?.max_context, show: formatCount, detail: (l) => (l.decode ? `at batch ${l.decode.workload.batch}` : ''), better: 'max' },
];

/** `shardlens compare`: layouts side by side; the best value of each column is marked `*`. */
export function renderCompare(report: ReportJson): string {
  const layouts = report.layouts;
  if (layouts.length === 0) return NO_LAYOUTS;
  const best = COLUMNS.map((c) => {
    const vals = layouts.filter((l) => l.costed).map(c.value).filter((v): v is number => v !== undefined && v !== null && Number.isFinite(v));
    if (vals.length < 2) return undefined; // nothing to compare against
    return c.better === 'min' ? Math.min(...vals) : Math.max(...vals);
  });
  // The figures only some files have (KV transfer, all-to-all, measured), as the editor's table shows them.
  const extra = extraColumnsOf(report);
  const rows: string[][] = [['layout', 'chips', 'bound (p/d)', ...COLUMNS.map((c) => c.title), ...extra.map((c) => c.label)]];
  for (const l of layouts) {
    if (!l.costed) {
      rows.push([l.name, '', 'not costed', ...COLUMNS.map(() => '—'), ...extra.map(() => '—')]);
      continue;
    }
    rows.push([
      l.name,
      String(l.chips ?? ''),
      `${l.prefill?.bound ?? '?'}/${l.decode?.bound ?? '?'}`,
      ...COLUMNS.map((c, i) => {
        const v = c.value(l);
        if (v === undefined || v === null) return '—';
        const cell = `${c.show(v)}${best[i] !== undefined && v === best[i] ? ' *' : '  '}`;
        const detail = c.detail?.(l);
        return detail ? `${cell} ${detail}` : cell;
      }),
      ...extra.map((c) => c.cell(l)),
    ]);
  }
  const out = [table(rows, ['l', 'r', 'l'])];
  const unfit = layouts.filter((l) => l.costed && l.memory && !l.memory.fits).map((l) => l.name);
  if (unfit.length) out.push(`does not fit in memory: ${unfit.join(', ')}`);
  out.push('* best in column');
  const basis = compareBasisNote(report);
  if (basis) out.push(basis);
  if (extra.some((c) => c.key === 'measured_prefill')) out.push('measured: the measured { } time (measured ÷ predicted) and MFU; the nominal model is a lower bound until calibrated');
  return out.join('\n') + '\n';
}

/**
 * All-to-all time as its own part of communication (MoE dispatch and combine, heads↔batch
 * re-layouts): a line only for layouts that have any.
 */
function allToAllText(l: JsonLayout): string | undefined {
  const p = l.prefill;
  const d = l.decode;
  if (!p || !d || (!p.all_to_all_s && !d.all_to_all_s)) return undefined;
  const part = (name: string, ph: JsonPhase) => (ph.all_to_all_s ? `${name} ${formatSeconds(ph.all_to_all_s)}${ph.comm_s > 0 ? ` (${formatPercent(ph.all_to_all_s / ph.comm_s)} of comm)` : ''}` : undefined);
  return `  all-to-all: ${[part('prefill', p), part('decode step', d)].filter((x) => x).join(', ')}`;
}
