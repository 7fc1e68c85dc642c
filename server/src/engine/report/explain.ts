// `shardlens explain`: the formula behind each number, with the values put in. `explainLayout`
// returns structured lines (hovers and the webview use them); `renderExplain` prints them.

import type { Phase } from '../check/resolved';
import type { Explained } from '../cost/explained';
import type { LayoutCost, OpCost, PassCost } from '../cost/types';
import { figureEquation, figureInputNotes, figureText, type FigureText } from './figure';
import { formatValue } from './format';

export type { ExplainInput } from './figure';

export interface ExplainLine extends FigureText {
  /** What the figure is: `decode latency`, `ffn.a t_comm`. */
  label: string;
  /** Nesting level for display (0 = heading figure). */
  depth: number;
}

export interface Explanation {
  layout: string;
  phase?: Phase;
  op?: string;
  /** Section headings and the figures under them, in display order. */
  sections: { title: string; lines: ExplainLine[] }[];
  /** Set when `op` names no op of the layout; lists the ops that exist. */
  notFound?: { op: string; available: string[] };
}

export function explainFigure(label: string, e: Explained, depth = 0): ExplainLine {
  return { label, ...figureText(e), depth };
}

function opKey(o: OpCost): string {
  return `${o.role}.${o.name}`;
}

/** Every op of a pass, by its `ROLE.VALUE` key, fused members included. */
function opsOf(pass: PassCost): OpCost[] {
  const out = [...pass.layer.ops];
  for (const b of [pass.layer.blocks.attention, pass.layer.blocks.ffn, pass.unembed, pass.cacheConversion]) if (b) out.push(...b.ops);
  return out;
}

function findOp(pass: PassCost, key: string): OpCost | undefined {
  const ops = pass.layer.ops;
  const direct = ops.find((o) => opKey(o) === key) ?? opsOf(pass).find((o) => opKey(o) === key);
  if (direct) return direct;
  // A member of a fused attention (`attention.s`) names the fused op.
  const member = opsOf(pass).find((o) => o.fused?.includes(key));
  if (member) return member;
  // `layer.n` may name a fused op by either member's value name.
  if (key.startsWith('layer.')) {
    const v = key.slice('layer.'.length);
    return ops.find((o) => o.fused?.some((f) => f.endsWith(`.${v}`)));
  }
  return undefined;
}

function describeOp(o: OpCost): string {
  const over = o.axes ? ` over ${o.axes.split('').join(',')}` : '';
  const fused = o.fused ? ` (fused: ${o.fused.join(' + ')})` : '';
  return `${opKey(o)} = ${o.op}${over} : ${o.type}${fused}`;
}

function opLines(o: OpCost): ExplainLine[] {
  const lines: ExplainLine[] = [];
  if (o.flops.value) lines.push(explainFigure('flops', o.flops, 1));
  if (o.bytes.value) lines.push(explainFigure('bytes', o.bytes, 1));
  if (o.computeTime.value) lines.push(explainFigure('t_compute', o.computeTime, 1));
  if (o.memoryTime.value) lines.push(explainFigure('t_memory', o.memoryTime, 1));
  if (o.commBytes.value) lines.push(explainFigure('D (comm_bytes)', o.commBytes, 1));
  if (o.commTime.value) lines.push(explainFigure('t_comm', o.commTime, 1));
  // Without op_overhead the time is one of the figures above: say which, do not repeat it.
  const same = ([['t_comm', o.commTime], ['t_memory', o.memoryTime]] as const).find(([, e]) => e === o.time);
  if (same) lines.push({ label: `time (${o.bound}-bound)`, value: formatValue(o.time.value, 's'), raw: o.time.value, formula: same[0], substituted: same[0], inputs: [], depth: 0 });
  else lines.push(explainFigure(`time (${o.bound}-bound)`, o.time, 0));
  return lines;
}

function phasePass(cost: LayoutCost, phase: Phase): PassCost {
  return cost[phase].pass;
}

function phaseTitle(cost: LayoutCost, phase: Phase): string {
  const p = cost[phase];
  const w = p.workload;
  return phase === 'prefill'
    ? `prefill: ${p.ffn} + ${p.attention ?? 'no attention'}, B = ${w.batch}, L = T = ${w.prompt}`
    : `decode: ${p.ffn} + ${p.attention ?? 'no attention'}, B = ${w.batch}, one step at mean T = ${p.pass.sizes.T}`;
}

/** A stored weight or cache named `ROLE.NAME`: its type and its share of memory per chip. */
function storedSection(cost: LayoutCost, key: string): Explanation['sections'][number] | undefined {
  const m = cost.memory;
  const weight = m.weightItems.find((w) => `${w.role}.${w.name}` === key);
  const cache = key.startsWith('attention.') ? m.kvItems.find((c) => `attention.${c.name}` === key) : undefined;
  const item = weight ?? cache;
  if (!item) return undefined;
  const kind = weight ? 'weight' : 'cache';
  const total = weight ? 'weights' : 'KV cache';
  const formula = `its part of the ${total} figure, all layers${cache ? ', at T = prompt + generate' : ''}`;
  return {
    title: `${key} = ${kind} : ${item.type} (stored: no op of its own, its cost is memory)`,
    lines: [{ label: 'memory per chip', value: formatValue(item.bytes, 'B'), raw: item.bytes, formula, substituted: formula, inputs: [], depth: 0 }],
  };
}

export function explainLayout(cost: LayoutCost, opts: { phase?: Phase; op?: string } = {}): Explanation {
  const phases: Phase[] = opts.phase ? [opts.phase] : ['prefill', 'decode'];
  const ex: Explanation = { layout: cost.layout, sections: [] };
  if (opts.phase) ex.phase = opts.phase;
  if (opts.op) {
    ex.op = opts.op;
    let found = false;
    for (const ph of phases) {
      const o = findOp(phasePass(cost, ph), opts.op);
      if (!o) continue;
      found = true;
      ex.sections.push({ title: `${phaseTitle(cost, ph)}\n${describeOp(o)}`, lines: opLines(o) });
    }
    // A weight or cache (the names `shardlens show` takes) has no op: its cost is memory.
    const stored = found ? undefined : storedSection(cost, opts.op);
    if (stored) {
      ex.sections.push(stored);
      return ex;
    }
    if (!found) {
      const available = new Set<string>();
      for (const ph of phases) for (const o of opsOf(phasePass(cost, ph))) available.add(opKey(o));
      ex.notFound = { op: opts.op, available: [...available] };
    }
    return ex;
  }
  for (const ph of phases) {
    const p = cost[ph];
    const pass = p.pass;
    const lines: ExplainLine[] = [];
    lines.push(explainFigure(ph === 'prefill' ? 'latency' : 'step time', pass.latency));
    if (ph === 'decode') {
      lines.push(explainFigure('decode latency', p.latency));
      if (p.lastStep) lines.push(explainFigure('last step (T = prompt + generate)', p.lastStep.latency));
    }
    lines.push(explainFigure('MFU', p.mfu));
    lines.push(explainFigure('cost (chip-s per token)', p.costChipSPerToken));
    lines.push(explainFigure('throughput (tokens/s)', p.throughput));
    lines.push(explainFigure('embedding', pass.embed.time, 1));
    for (const o of pass.layer.ops) {
      const head = explainFigure(`${opKey(o)} ${o.op}${o.axes ? ` ${o.axes}` : ''} → ${o.type}`, o.time, 1);
      lines.push(head);
    }
    if (pass.unembed) for (const o of pass.unembed.ops) lines.push(explainFigure(`${opKey(o)} ${o.op}${o.axes ? ` ${o.axes}` : ''} (L = 1)`, o.time, 1));
    if (pass.cacheConversion) for (const o of pass.cacheConversion.ops) lines.push(explainFigure(`${opKey(o)} ${o.op} ${o.axes} (once, cache re-layout)`, o.time, 1));
    ex.sections.push({ title: phaseTitle(cost, ph), lines });
  }
  const t = cost.kvTransfer;
  // Per-phase meshes: the cache the prefill chips wrote is sent once to the decode chips.
  if (t && !opts.phase) {
    ex.sections.push({
      title: `KV transfer: ${t.fromChips} prefill chips → ${t.toChips} decode chips over the ${t.link}`,
      lines: [explainFigure('bytes', t.bytes), explainFigure('time', t.time), explainFigure('total latency', cost.totalLatency)],
    });
  }
  // Pipelines: each pipelined phase's stage time, hop, slots and bubble, and each stage's memory.
  for (const ph of phases) {
    const f = cost.pipeline?.[ph];
    if (!f) continue;
    const lines: ExplainLine[] = [
      explainFigure(ph === 'prefill' ? 'prefill time' : 'step time', f.time),
      explainFigure('slowest stage, one microbatch', f.stageTime, 1),
      explainFigure('hop bytes per chip', f.transferBytes, 1),
      explainFigure('hop time', f.transfer, 1),
      explainFigure('bubble (idle fraction)', f.bubble, 1),
    ];
    for (const s of cost.pipeline?.stageMemory[ph] ?? []) {
      lines.push(explainFigure(`stage ${s.stage + 1} (${s.layers} layers) memory per chip${s.fits ? '' : ' (does NOT fit)'}`, s.total, 1));
      lines.push(explainFigure('weights', s.weights, 2));
    }
    ex.sections.push({ title: `pipeline ${ph}: ${f.stages} stages over ${f.axis}, ${f.microbatches} microbatches of B = ${f.microbatch}`, lines });
  }
  const m = cost.memory;
  ex.sections.push({
    title: `memory per chip (HBM ${formatValue(m.hbm, 'B')}; ${m.fits ? 'fits' : 'does NOT fit'})`,
    lines: [
      explainFigure('weights', m.weights),
      explainFigure('KV cache', m.kv),
      explainFigure('prefill total', m.total.prefill),
      explainFigure('decode total', m.total.decode),
      explainFigure('KV cache, all chips (logical)', m.kvTotal),
      explainFigure('max context', m.maxContext),
    ],
  });
  return ex;
}

export function renderExplain(ex: Explanation): string {
  const out: string[] = [`layout ${ex.layout}`];
  if (ex.notFound) {
    out.push(`no op '${ex.notFound.op}'${ex.phase ? ` in ${ex.phase}` : ''}; ops: ${ex.notFound.available.join(', ')}`);
    return out.join('\n') + '\n';
  }
  for (const s of ex.sections) {
    out.push('');
    out.push(s.title);
    for (const l of s.lines) {
      const pad = '  '.repeat(l.depth + 1);
      out.push(`${pad}${l.label}: ${figureEquation(l)}`);
      for (const note of figureInputNotes(l)) out.push(`${pad}    ${note}`);
    }
  }
  return out.join('\n') + '\n';
}
