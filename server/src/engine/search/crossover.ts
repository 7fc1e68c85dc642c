// Crossover of the FFN layouts (Pope §2.5, Fig. 3): the per-chip communication volume of one FFN
// layer (the comm_bytes of its collective ops) against tokens per batch, for every built-in FFN
// layout on a file's model and mesh, costed with `attention = none` and, like the figure, a gelu
// FFN. Each volume is linear in tokens (weights move a fixed amount, activations an amount per
// token), so each layout is a line a + b·tokens, measured from the real cost model at two sizes
// and checked at a third. The switch points of the min-volume envelope are then exact integers:
// the first token count at which the next layout moves no more than the current one.

import type { Analysis } from '../analysis';
import type { ResolvedLayout } from '../check/resolved';
import { builtinFfnNames, costLayout, isCollective } from '../cost/index';
import { layoutVariant, throwIfCancelled, type RunControl } from './common';
import { shapeName, type MeshShape } from './meshes';
import { formatBytes } from '../report/format';

export interface VolumeLine {
  ffn: string;
  /** Bytes per chip per token of the batch (activation collectives). */
  slope_bytes_per_token: number;
  /** Bytes per chip independent of tokens (weight gathers). */
  intercept_bytes: number;
}

export interface EnvelopeSegment {
  ffn: string;
  from_tokens: number;
  /** Last token count of the segment; null when it runs to the end of the range. */
  to_tokens: number | null;
}

export interface SwitchPoint {
  from: string;
  to: string;
  /** The first token count at which `to` moves no more than `from`. */
  tokens: number;
}

export interface CrossoverResult {
  model: string;
  hardware: string;
  shape: MeshShape;
  mesh: string;
  /** The FFN the lines are drawn with: gelu as Pope Fig. 3 (default), or the model's own. */
  ffnKind: 'gelu' | 'swiglu';
  /** The model's own FFN, which the views name beside the drawn one when they differ. */
  modelFfnKind: 'gelu' | 'swiglu';
  /** The layout's own tokens per batch (B·L): prefill batch × prompt, decode batch (one token each). */
  layoutTokens: { prefill: number; decode: number };
  lines: VolumeLine[];
  /** FFN layouts that could not be costed on this mesh, with the reason. */
  skipped: { ffn: string; reason: string }[];
  range: { min_tokens: number; max_tokens: number };
  envelope: EnvelopeSegment[];
  switchPoints: SwitchPoint[];
}

export interface CrossoverOptions extends RunControl {
  /** Default every built-in FFN layout. */
  ffns?: readonly string[];
  /** `gelu` as Pope Fig. 3 (default), or the model's own FFN. */
  ffnKind?: 'gelu' | 'model';
  minTokens?: number;
  maxTokens?: number;
}

export function volumeAt(line: VolumeLine, tokens: number): number {
  return line.intercept_bytes + line.slope_bytes_per_token * tokens;
}

/** One layer's FFN collective volume at batch B·L = chips·L (B = chips never splits unevenly). */
function measuredVolume(analysis: Analysis, layout: ResolvedLayout, ffn: string, L: number): number | undefined {
  const batch = layout.mesh.chips;
  const workload = { batch, prompt: L, generate: 1 };
  const v = layoutVariant(analysis, layout, {
    blocks: { prefill: { ffn, attention: 'none' }, decode: { ffn, attention: 'none' } },
    workload: { prefill: workload, decode: workload },
  });
  if (!v) return undefined;
  const ops = costLayout(v).prefill.pass.layer.blocks.ffn.ops;
  return ops.filter((o) => isCollective(o.op)).reduce((s, o) => s + o.commBytes.value, 0);
}

/** Volumes are whole bytes; keep the fitted line's coefficients exact where they should be. */
function snap(x: number): number {
  const r = Math.round(x);
  return Math.abs(r - x) <= 1e-6 * Math.max(1, Math.abs(x)) ? r : x;
}

export function crossover(analysis: Analysis, layout: ResolvedLayout, options: CrossoverOptions = {}): CrossoverResult {
  const kind = options.ffnKind ?? 'gelu';
  const base: ResolvedLayout = kind === 'gelu' && layout.model.ffn !== 'gelu' ? { ...layout, model: { ...layout.model, ffn: 'gelu' } } : layout;
  const ffns = options.ffns ?? builtinFfnNames();
  const lines: VolumeLine[] = [];
  const skipped: { ffn: string; reason: string }[] = [];
  const chips = layout.mesh.chips;
  ffns.forEach((ffn, i) => {
    throwIfCancelled(options.cancel);
    const v1 = measuredVolume(analysis, base, ffn, 1);
    const v2 = measuredVolume(analysis, base, ffn, 2);
    const v7 = measuredVolume(analysis, base, ffn, 7);
    if (v1 === undefined || v2 === undefined || v7 === undefined) {
      skipped.push({ ffn, reason: `${ffn} does not resolve on mesh ${layout.mesh.name} with this model` });
    } else {
      const slope = snap((v2 - v1) / chips);
      const intercept = snap(v1 - slope * chips);
      const line = { ffn, slope_bytes_per_token: slope, intercept_bytes: intercept };
      if (Math.abs(volumeAt(line, 7 * chips) - v7) > 1e-9 * Math.max(1, v7)) skipped.push({ ffn, reason: `${ffn}'s volume is not linear in tokens on this mesh` });
      else lines.push(line);
    }
    options.onProgress?.(i + 1, ffns.length);
  });
  const min = options.minTokens ?? 1;
  const max = options.maxTokens ?? 2 ** 24;
  const { envelope, switchPoints } = minVolumeEnvelope(lines, min, max);
  const shape = ['x', 'y', 'z'].map((a) => layout.mesh.axes.find((x) => x.name === a)?.size ?? 1) as MeshShape;
  return {
    model: layout.model.name,
    hardware: layout.mesh.hardware.name,
    shape,
    mesh: shapeName(shape),
    ffnKind: kind === 'gelu' ? 'gelu' : layout.model.ffn,
    modelFfnKind: layout.model.ffn,
    layoutTokens: { prefill: layout.prefill.workload.batch * layout.prefill.workload.prompt, decode: layout.decode.workload.batch },
    lines,
    skipped,
    range: { min_tokens: min, max_tokens: max },
    envelope,
    switchPoints,
  };
}

/**
 * The lower envelope of lines over integer tokens in [min, max]. Starting from the lowest line at
 * `min` (ties: the smaller slope, which stays lower), the next switch is the earliest integer at
 * which a line of smaller slope is no higher than the current one: ceil of the crossing, then
 * corrected by evaluating both lines so rounding in the division can never move it.
 */
export function minVolumeEnvelope(lines: readonly VolumeLine[], min: number, max: number): { envelope: EnvelopeSegment[]; switchPoints: SwitchPoint[] } {
  if (!lines.length) return { envelope: [], switchPoints: [] };
  const lowerAt = (t: number) => (a: VolumeLine, b: VolumeLine) => volumeAt(a, t) - volumeAt(b, t) || a.slope_bytes_per_token - b.slope_bytes_per_token;
  let current = [...lines].sort(lowerAt(min))[0];
  let from = min;
  const envelope: EnvelopeSegment[] = [];
  const switchPoints: SwitchPoint[] = [];
  for (;;) {
    let next: { line: VolumeLine; t: number } | undefined;
    for (const l of lines) {
      if (l === current || l.slope_bytes_per_token >= current.slope_bytes_per_token) continue;
      const noHigher = (t: number) => volumeAt(l, t) <= volumeAt(current, t);
      const cross = (l.intercept_bytes - current.intercept_bytes) / (current.slope_bytes_per_token - l.slope_bytes_per_token);
      let t = Math.max(from + 1, Math.ceil(cross));
      while (t > from + 1 && noHigher(t - 1)) t--;
      while (!noHigher(t)) t++;
      if (!next || t < next.t || (t === next.t && l.slope_bytes_per_token < next.line.slope_bytes_per_token)) next = { line: l, t };
    }
    if (!next || next.t > max) {
      envelope.push({ ffn: current.ffn, from_tokens: from, to_tokens: null });
      return { envelope, switchPoints };
    }
    envelope.push({ ffn: current.ffn, from_tokens: from, to_tokens: next.t - 1 });
    switchPoints.push({ from: current.ffn, to: next.line.ffn, tokens: next.t });
    current = next.line;
    from = next.t;
  }
}

/**
 * Which FFN the lines are for, said with the model's own when they differ (a crossover drawn
 * with gelu for a SwiGLU model must not read as if the model were gelu).
 */
export function crossoverFfnText(result: Pick<CrossoverResult, 'model' | 'ffnKind' | 'modelFfnKind'>): string {
  return result.ffnKind === result.modelFfnKind
    ? `${result.ffnKind} FFN, as ${result.model} has`
    : `${result.ffnKind} FFN as Pope Fig. 3 (${result.model}'s own is ${result.modelFfnKind})`;
}

/** The layout's own tokens per batch, for the text and the chart's marks. */
export function layoutTokensText(result: Pick<CrossoverResult, 'layoutTokens'>): string {
  const { prefill, decode } = result.layoutTokens;
  return `prefill ${prefill.toLocaleString('en-US')}, decode ${decode.toLocaleString('en-US')} tokens per batch`;
}

/** A text rendering: each layout's line, then the min-volume envelope and its switch points. */
export function renderCrossoverText(result: CrossoverResult): string {
  const lines = result.lines.map((l) => `  ${l.ffn.padEnd(8)} ${formatBytes(l.intercept_bytes)} + ${l.slope_bytes_per_token.toLocaleString('en-US')} B × tokens`);
  const skipped = result.skipped.map((s) => `  ${s.ffn.padEnd(8)} not costed: ${s.reason}`);
  const envelope = result.envelope.map((s) => `  ${s.ffn.padEnd(8)} from ${s.from_tokens.toLocaleString('en-US')} tokens${s.to_tokens === null ? '' : ` to ${s.to_tokens.toLocaleString('en-US')}`}`);
  const switches = result.switchPoints.map((s) => `  ${s.from} → ${s.to} at ${s.tokens.toLocaleString('en-US')} tokens per batch`);
  return [
    `FFN communication volume per chip, one layer: ${result.model} on ${result.hardware} ${result.mesh}, ${crossoverFfnText(result)}`,
    `  the layout's own: ${layoutTokensText(result)}`,
    ...lines, ...skipped,
    `least volume, ${result.range.min_tokens.toLocaleString('en-US')} to ${result.range.max_tokens.toLocaleString('en-US')} tokens:`,
    ...envelope,
    'switch points:',
    ...(switches.length ? switches : ['  none in this range']),
  ].join('\n') + '\n';
}
