// The one place where editor features reach into the cost model. Hovers, lenses and inlay hints
// ask "what does this op / layout cost?" through these functions, so a change in the cost
// model's surface is absorbed here.

import type { Analysis } from '../analysis';
import type { BlockDecl, Decl, Field, RecordDecl, SourceFile } from '../syntax/ast';
import type { CheckedBlock, Phase, ResolvedLayout, UncostableLayout } from '../check/resolved';
import { PHASES } from '../check/resolved';
import { costDiagnostics, builtinVariants, type VariantResolver, type BlockCost, type LayoutCost, type OpCost, type PassCost } from '../cost/index';
import type { Diagnostic } from '../diagnostics';
import type { DecodeContext } from './settings';

export type BlockRole = 'ffn' | 'attention' | 'unembed';

/** One place a block is used: a layout, a phase, and the role the block plays there. */
export interface BlockUse {
  layout: ResolvedLayout;
  phase: Phase;
  role: BlockRole;
  block: CheckedBlock;
}

// `analyze` costs a file's layouts through its service's cost cache; features ask the same cache,
// so a hover never costs a layout twice. That cache is keyed by the layout's whole configuration
// (a string built per lookup), so the answer is also kept per ResolvedLayout object: an inlay-hint
// request asks once per statement. A failure is remembered and shown as "not costed".
const known = new WeakMap<ResolvedLayout, LayoutCost | null>();

/** The layout's cost, or undefined when the cost model fails on it. */
export function layoutCost(analysis: Analysis, layout: ResolvedLayout): LayoutCost | undefined {
  let cost = known.get(layout);
  if (cost === undefined) {
    try {
      cost = analysis.costOf(layout);
    } catch {
      cost = null;
    }
    known.set(layout, cost);
  }
  return cost ?? undefined;
}

/** The pass that editor figures describe for a phase: prefill, or the chosen decode step. */
export function phasePass(cost: LayoutCost, phase: Phase, decode: DecodeContext): PassCost {
  if (phase === 'prefill') return cost.prefill.pass;
  return decode === 'last' && cost.decode.lastStep ? cost.decode.lastStep : cost.decode.pass;
}

/** Every (layout, phase, role) in which the block declared by `decl` is used. */
export function usesOfBlock(analysis: Analysis, decl: BlockDecl): BlockUse[] {
  const out: BlockUse[] = [];
  for (const layout of analysis.layouts) {
    for (const phase of PHASES) {
      const spec = layout[phase];
      const roles: [BlockRole, CheckedBlock | null][] = [['ffn', spec.ffn], ['attention', spec.attention], ['unembed', spec.unembed]];
      for (const [role, block] of roles) if (block && block.decl === decl) out.push({ layout, phase, role, block });
    }
  }
  return out;
}

/** The block fields of a layout: what `ffn = …`, `attention = …` and `unembed = …` may name. */
const BLOCK_FIELDS: readonly string[] = ['ffn', 'attention', 'unembed'];

/**
 * The layouts of the file that name this block (themselves, through their base layouts or in a
 * `prefill { … }` / `decode { … }` record) but cannot be costed, so that a hover can say why the
 * block has no figures. A field names the block when it resolved to it (a family name or
 * `heads`/`batch` too) or when it is the block's name.
 */
export function uncostableUsesOfBlock(analysis: Analysis, decl: BlockDecl): UncostableLayout[] {
  const resolvedHere = new Set<number>();
  for (const r of analysis.refs) if (r.target.source === decl.source && r.target.span.start === decl.name.start) resolvedHere.add(r.span.start);
  const names = (field: Field, source: SourceFile): boolean =>
    BLOCK_FIELDS.includes(field.name.text) && field.value.kind === 'name' && (analysis.scope.block.get(field.value.name.text) === decl || (source === analysis.source && resolvedHere.has(field.value.name.start)));
  const out: UncostableLayout[] = [];
  for (const u of analysis.uncostable) {
    const seen = new Set<RecordDecl>();
    for (let d: Decl | undefined = u.decl; d && d.kind === 'layout' && !seen.has(d); d = d.base ? analysis.scope.layout.get(d.base.text) : undefined) {
      seen.add(d);
      const layoutDecl = d;
      const own = d.fields.some((f) => names(f, layoutDecl.source) || (f.value.kind === 'record' && PHASES.includes(f.name.text as Phase) && f.value.fields.some((g) => names(g, layoutDecl.source))));
      if (own) {
        out.push(u);
        break;
      }
    }
  }
  return out;
}

function blockCostOf(pass: PassCost, role: BlockRole): BlockCost | null {
  if (role === 'unembed') return pass.unembed;
  return role === 'ffn' ? pass.layer.blocks.ffn : pass.layer.blocks.attention;
}

/** The cost of one statement of a block in one use (before parallel fusion; a fused attention's members share its op). */
export function opCost(analysis: Analysis, use: BlockUse, valueName: string, decode: DecodeContext): OpCost | undefined {
  const cost = layoutCost(analysis, use.layout);
  if (!cost) return undefined;
  const block = blockCostOf(phasePass(cost, use.phase, decode), use.role);
  if (!block) return undefined;
  // The score einsum and softmax of a fused attention are members of one op, named by its result.
  const member = `${use.role}.${valueName}`;
  return block.ops.find((o) => o.name === valueName) ?? block.ops.find((o) => o.fused?.includes(member));
}

/**
 * The layout's `memory-bound` and `comm-bound` notes, as the checker reports them (its cost
 * findings without the better-layout search, which these do not need).
 */
export function boundNotes(layout: ResolvedLayout, cost: LayoutCost): Diagnostic[] {
  return tryOr(() => costDiagnostics(layout, cost).filter((d) => d.code === 'memory-bound' || d.code === 'comm-bound'), []);
}

/** The resolver the `better-layout` hint needs: the checker re-resolves a layout with other blocks. */
export function variantResolver(analysis: Analysis): VariantResolver {
  return (layout, blocks) => analysis.resolver.variant(layout, blocks);
}

/**
 * The cost findings of one layout with the better-layout search, as a generator that stops after
 * each small piece of work (resolving one phase's alternatives, costing one alternative), so a
 * scheduler can answer requests in between and drop the search when the text changes. Its return
 * value is the layout's findings (out-of-memory, comm-bound, memory-bound, better-layout).
 */
export function* costFindingsSearch(analysis: Analysis, layout: ResolvedLayout): Generator<void, Diagnostic[]> {
  const cost = layoutCost(analysis, layout);
  if (!cost) return [];
  // Memoised per phase, so the final costDiagnostics call reuses what the steps resolved.
  const variants = builtinVariants(layout, variantResolver(analysis));
  for (const phase of PHASES) {
    const alternatives = tryOr(() => variants(phase), []);
    yield;
    for (const alternative of alternatives) {
      // Costs the alternative into the analysis's search memo; the final call then only compares.
      tryOr(() => analysis.costFindingsMemo.alternative(alternative.layout, phase, cost), undefined);
      yield;
    }
  }
  return tryOr(() => costDiagnostics(layout, cost, variants, analysis.costFindingsMemo).filter((d) => d.source === analysis.source), []);
}

function tryOr<T>(f: () => T, fallback: T): T {
  try {
    return f();
  } catch {
    return fallback;
  }
}
