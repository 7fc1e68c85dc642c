// Cost figures placed in the text: a code lens above each layout (prefill time, decode time per
// token and what bounds each, MFU,
// memory per chip against HBM, then Compare and Explain, and Sweep and Best for a layout that resolves) and inlay hints on block statements
// (the inferred type where none is written; the op's time or communication volume at line end).

import { EDITOR_LIMITS, type Analysis } from '../analysis';
import type { Span } from '../syntax/ast';
import { isBlockDecl } from '../syntax/ast';
import { formatType } from '../check/shardType';
import { formatBytes, formatPercent, formatSeconds } from '../report/format';
import { measuredJson } from '../report/json';
import { opCost, phasePass, usesOfBlock, type BlockUse } from './costs';
import { measuredBeside } from './layouts';
import type { ResolvedLayout } from '../check/resolved';
import type { LayoutCost } from '../cost/index';
import { basisLabel } from '../cost/basis';
import type { FeatureSettings } from './settings';

export const COMPARE_COMMAND = 'shardlens.compareLayouts';
export const EXPLAIN_COMMAND = 'shardlens.explainLayout';
export const SWEEP_COMMAND = 'shardlens.showSweep';
export const BEST_COMMAND = 'shardlens.findBestLayout';
export const SHARDING_COMMAND = 'shardlens.showSharding';

export interface LensPlan {
  span: Span;
  title: string;
  /** Empty for a lens that only shows figures. */
  command: string;
  args: unknown[];
}

export function layoutLenses(analysis: Analysis, settings: FeatureSettings): LensPlan[] {
  const out: LensPlan[] = [];
  for (const decl of analysis.file.decls) {
    if (isBlockDecl(decl)) {
      // Show Sharding at the block's first weight (else its first value): the view needs a value
      // to draw, and the client turns the offset into a position of the document it shows.
      const at = decl.stmts.find((st) => st.kind === 'weight') ?? decl.stmts.find((st) => st.kind !== 'out');
      const name = at && (at.kind === 'let' ? at.name : at.kind !== 'out' ? at.names[0] : undefined);
      const used = analysis.layouts.some((l) => l.prefill.ffn.decl === decl || l.decode.ffn.decl === decl || l.prefill.attention?.decl === decl || l.decode.attention?.decl === decl || l.prefill.unembed?.decl === decl || l.decode.unembed?.decl === decl);
      if (name && used) out.push({ span: decl.name, title: 'Show sharding', command: SHARDING_COMMAND, args: [{ uri: analysis.source.uri, offset: name.start }] });
      continue;
    }
    if (decl.kind !== 'layout') continue;
    const name = decl.name.text;
    const span = decl.name;
    const layout = analysis.layouts.find((l) => l.decl === decl);
    // Lenses show what the analysis costed; past the editor's limit a file's layouts are checked
    // but not costed, and a lens request must not cost hundreds of them at once.
    const cost = layout && analysis.costs.get(layout.name);
    if (layout && !cost) {
      const pastLimit = analysis.layouts.indexOf(layout) >= EDITOR_LIMITS.maxCostedLayouts;
      const title = pastLimit ? 'not costed while editing (too many layouts in this file; `shardlens report` costs it)' : 'not costed: the cost model failed on this layout';
      out.push({ span, title, command: '', args: [] });
    } else if (cost) {
      out.push({ span, title: layoutLensTitle(layout, cost, settings), command: '', args: [] });
    } else {
      const reason = analysis.uncostable.find((u) => u.decl === decl)?.reason ?? 'the cost model could not cost it';
      out.push({ span, title: `not costed: ${reason}`, command: '', args: [] });
    }
    out.push({ span, title: 'Compare', command: COMPARE_COMMAND, args: [name] });
    out.push({ span, title: 'Explain', command: EXPLAIN_COMMAND, args: [name] });
    // The searches start from a resolved layout (its model, mesh and workload); they run only
    // when clicked, in the server's search thread.
    if (layout) {
      out.push({ span, title: 'Sweep', command: SWEEP_COMMAND, args: [name] });
      out.push({ span, title: 'Best', command: BEST_COMMAND, args: [name] });
    }
  }
  return out;
}

/**
 * A layout's headline: each phase's time and what bounds it (the `memory-bound` and `comm-bound`
 * notes live here and in the hover, not in Problems, unless `shardlens.diagnostics.boundNotes`),
 * decode MFU, and memory per chip against HBM, e.g.
 * "prefill 290 ms compute-bound · decode 28.4 ms/token memory-bound · MFU 14% · 11.3 GiB / 32 GiB HBM".
 */
export function layoutLensTitle(layout: ResolvedLayout, cost: LayoutCost, settings: FeatureSettings): string {
  const decode = phasePass(cost, 'decode', settings.decodeContext);
  const mem = cost.memory;
  const used = Math.max(mem.total.prefill.value, mem.total.decode.value);
  const fits = mem.fits ? '' : ' ⚠ does not fit';
  // What was measured, beside the prediction: the nominal model is a lower bound until calibrated.
  const measured = measuredBeside(measuredJson(layout, cost), layout.decode.workload.generate);
  // Per-phase meshes: the KV cache moved between them, between the two phases as it happens.
  const transfer = cost.kvTransfer ? ` · KV transfer ${formatSeconds(cost.kvTransfer.time.value)}` : '';
  const phases = `prefill ${formatSeconds(cost.prefill.latency.value)} ${cost.prefill.pass.bound}-bound${transfer} · decode ${formatSeconds(decode.latency.value)}/token ${decode.bound}-bound`;
  // Last, what the figures are: a roofline from nominal hardware, or calibrated (cost/basis.ts).
  return `${phases} · MFU ${formatPercent(cost.decode.mfu.value)} · ${formatBytes(used)} / ${formatBytes(mem.hbm)} HBM${fits}${measured ? ` · ${measured}` : ''} · ${basisLabel(cost.basis)}`;
}

export interface InlayPlan {
  offset: number;
  label: string;
  kind: 'type' | 'cost';
  tooltip?: string;
}

/** The use whose figures a statement's hint shows: decode if the block runs there, else the first. */
function preferredUse(uses: BlockUse[]): BlockUse | undefined {
  return uses.find((u) => u.phase === 'decode') ?? uses[0];
}

export function inlayHints(analysis: Analysis, range: Span, settings: FeatureSettings): InlayPlan[] {
  const detail = settings.inlayHints.detail;
  if (detail === 'off') return [];
  const out: InlayPlan[] = [];
  for (const decl of analysis.file.decls) {
    if (!isBlockDecl(decl) || decl.end < range.start || decl.start > range.end) continue;
    const checked = analysis.blocks.get(decl);
    // Only layouts the analysis costed: hints cover the visible range of a file that may hold
    // hundreds of layouts, and must not cost the ones past the editor's limit.
    const use = detail === 'type' ? undefined : preferredUse(usesOfBlock(analysis, decl).filter((u) => analysis.costs.has(u.layout.name)));
    const order = use?.layout.mesh.axes.map((a) => a.name);
    for (const stmt of decl.stmts) {
      if (stmt.kind !== 'let' || stmt.end < range.start || stmt.start > range.end) continue;
      const type = checked?.byName.get(stmt.name.text)?.type;
      if (!stmt.annotation && type) out.push({ offset: stmt.end, label: `: ${formatType(type, order)}`, kind: 'type', tooltip: 'inferred type' });
      if (!use) continue;
      const op = opCost(analysis, use, stmt.name.text, settings.decodeContext);
      if (!op) continue;
      const where = `${use.layout.name} · ${use.phase}`;
      // A block may serve several layouts: the label names the one its figure is for. It goes at
      // the end of the line (past a trailing comment), as the setting describes, so it never
      // splits a statement from its comment.
      const at = lineEnd(analysis.source.text, stmt.end);
      // The score einsum and softmax of a fused attention have no time of their own: say where it is.
      const member = op.fused !== undefined && op.role !== 'layer' && op.name !== stmt.name.text;
      if (detail === 'time' && member) out.push({ offset: at, label: `${where}: fused into ${op.name}`, kind: 'cost', tooltip: `fused attention: costed as one op with ${op.name} in ${where}` });
      else if (detail === 'time') out.push({ offset: at, label: `${where}: ${formatSeconds(op.time.value)} ${op.bound}`, kind: 'cost', tooltip: `time of this op per layer in ${where}` });
      else if (op.commBytes.value > 0) out.push({ offset: at, label: `${where}: D = ${formatBytes(op.commBytes.value)}`, kind: 'cost', tooltip: `per-chip communication volume of this op per layer in ${where}` });
    }
  }
  return out;
}

/** The end of the line holding `offset`, before its line break and trailing blanks. */
function lineEnd(text: string, offset: number): number {
  let end = text.indexOf('\n', offset);
  if (end < 0) end = text.length;
  while (end > offset && /[ \t\r]/.test(text[end - 1])) end--;
  return end;
}
