// The checker: name resolution over the file and the prelude, record fields, block typing, and
// layout resolution with the layout-dependent checks (axes, sizes, residual stream). It produces
// diagnostics and the ResolvedLayouts that the cost model reads. The work is done by one piece
// each: records (recordResolver.ts), block names (blockLookup.ts), layouts (layoutResolver.ts)
// and, for the hints and searches that come after, variants (variantBuilder.ts).

import type { BlockDecl, Decl, File, Ident, RecordDecl, RecordKind, SourceFile, Span } from '../syntax/ast';
import { isBlockDecl } from '../syntax/ast';
import type { Diagnostic } from '../diagnostics';
import { DIAGNOSTIC_CODES } from '../diagnosticCodes';
import { checkBlock, type BlockCheckResult } from './blocks';
import { BlockLookup, type BlockNamesUsed } from './blockLookup';
import { LayoutResolver, type CheckContext, type LayoutFieldSpans } from './layoutResolver';
import { RecordResolver } from './recordResolver';
import { RecordFields, type RecordScope, type Report } from './records';
import type { CheckedBlock, ResolvedLayout, UncostableLayout } from './resolved';
import type { ShardType } from './shardType';
import { VariantBuilder } from './variantBuilder';
import { moveRefs } from './versionMove';

export type { CheckContext, LayoutFieldSpans } from './layoutResolver';
export type { BlockPair, VariantBuilder } from './variantBuilder';

export interface Scope extends RecordScope {
  /** ffn, attention and unembed blocks share one namespace. */
  block: Map<string, BlockDecl>;
}

export type SymbolKind = RecordKind | 'block' | 'value';

/** A use of a name and the declaration it resolves to (go-to-definition, references, rename). */
export interface SymbolRef {
  source: SourceFile;
  span: Span;
  kind: SymbolKind;
  target: { source: SourceFile; span: Span };
}

export interface CheckResult {
  diagnostics: Diagnostic[];
  layouts: ResolvedLayout[];
  uncostable: UncostableLayout[];
  blocks: Map<BlockDecl, CheckedBlock>;
  scope: Scope;
  refs: SymbolRef[];
  layoutSpans: Map<string, LayoutFieldSpans>;
  /** Builds variants of the resolved layouts (other blocks, mesh or workload) for hints and searches. */
  resolver: VariantBuilder;
}

/**
 * What a check may take from the check of an earlier version of the file (analysis.ts): a block's
 * check depends on nothing but its declaration's text, so a block whose text is unchanged at the
 * same offsets keeps its result.
 */
export interface BlockReuse {
  /** The earlier result for `decl`, already moved onto this version's source; undefined to check it. */
  previous(decl: BlockDecl): BlockCheckResult | undefined;
  /** Filled with every block result of this check, for the next version. */
  results: Map<BlockDecl, BlockCheckResult>;
  /** Written types by their text, kept across versions (a type depends on nothing but its text). */
  types: Map<string, ShardType>;
  /** Layout resolutions of the earlier version, when the check may reuse them. */
  layouts?: LayoutReuse;
}

/**
 * One layout's resolution and everything it left: the diagnostics it reported and the references
 * it found (in order), where its block fields are written, and the block names it looked up.
 */
export interface LayoutCheck {
  result: ResolvedLayout | UncostableLayout;
  diagnostics: Diagnostic[];
  refs: SymbolRef[];
  spans: LayoutFieldSpans | undefined;
  blockNames: BlockNamesUsed;
  /** As BlockCheckResult's: the source of an earlier version the refs still name, and for how many versions. */
  refsSource?: SourceFile;
  refsAge?: number;
}

/**
 * What a check may take from an earlier version's layout resolutions (analysis.ts): a layout
 * depends on its own text, the records it names and the blocks its names look up, so when none of
 * them changed (same text at the same offsets) its resolution is the earlier one.
 */
export interface LayoutReuse {
  /**
   * The earlier resolution of `decl`, moved onto this version, when nothing it read changed
   * (`blockScope` is this version's block namespace); undefined to resolve it again.
   */
  previous(decl: RecordDecl, blockScope: ReadonlyMap<string, BlockDecl>): LayoutCheck | undefined;
  /** Filled with every layout resolution of this check, for the next version. */
  results: Map<RecordDecl, LayoutCheck>;
}

export function check(files: File[], preludeBlocks?: Map<BlockDecl, CheckedBlock>, reuse?: BlockReuse): CheckResult {
  const diagnostics: Diagnostic[] = [];
  const context: CheckContext = {};
  const report: Report = (code, source, span, message, fixes, related, severity) => {
    const d: Diagnostic = { code, severity: severity ?? DIAGNOSTIC_CODES[code].severity, message, source, span, fixes: fixes?.length ? fixes : undefined, related: related?.length ? related : undefined };
    if (context.layout) d.layout = context.layout;
    if (context.phase) d.phase = context.phase;
    diagnostics.push(d);
  };
  // References in order: runs found by this check, and runs taken over from an earlier version
  // (still naming its source; moved onto this one when `refs` is first read).
  let refs: SymbolRef[] = [];
  const refRuns: { refs: readonly SymbolRef[]; from?: SourceFile; to?: SourceFile }[] = [];
  const takeOverRefs = (taken: readonly SymbolRef[], from: SourceFile | undefined, to: SourceFile) => {
    if (!from || from === to) {
      for (const ref of taken) refs.push(ref);
      return;
    }
    if (refs.length) refRuns.push({ refs });
    refs = [];
    refRuns.push({ refs: taken, from, to });
  };

  // 1. Scope. Earlier files (the prelude) come first; a user declaration shadows a built-in; of
  //    two declarations with one name in one file, the earlier stays in effect.
  const scope: Scope = { hardware: new Map(), mesh: new Map(), model: new Map(), workload: new Map(), layout: new Map(), block: new Map() };
  for (const file of files) {
    for (const e of file.errors) report('syntax', file.source, e, e.message);
    for (const d of file.decls) {
      const ns = isBlockDecl(d) ? scope.block : scope[d.kind];
      const prev = ns.get(d.name.text) as Decl | undefined;
      if (prev && prev.source === d.source) {
        const what = isBlockDecl(d) ? 'block' : d.kind;
        report('duplicate-name', d.source, d.name, `${what} \`${d.name.text}\` is already declared (as ${prev.kind} on line ${lineOf(prev)}); the first declaration stays in effect`, undefined, [
          { source: prev.source, span: prev.name, message: `\`${d.name.text}\` is first declared here` },
        ]);
        continue;
      }
      (ns as Map<string, Decl>).set(d.name.text, d);
    }
  }

  // 2. Blocks.
  const blocks = new Map<BlockDecl, CheckedBlock>(preludeBlocks);
  const writtenTypes = reuse?.types ?? new Map<string, ShardType>();
  for (const file of files) {
    for (const d of file.decls) {
      if (!isBlockDecl(d) || blocks.has(d)) continue;
      const r = (reuse && !file.source.isPrelude && reuse.previous(d)) || checkBlock(d, file.source.isPrelude ? undefined : writtenTypes);
      reuse?.results.set(d, r);
      blocks.set(d, r.block);
      diagnostics.push(...r.diagnostics);
      takeOverRefs(r.refs, r.refsSource, d.source);
    }
  }

  // 3. Records: every declaration's fields are checked once, used or not.
  const fields = new RecordFields(report);
  // One target object per declaration, shared by its uses (every layout names a model, a mesh…).
  const targets = new Map<Decl, SymbolRef['target']>();
  const onRef = (use: Ident, source: SourceFile, target: Decl) => {
    let t = targets.get(target);
    if (!t) targets.set(target, (t = { source: target.source, span: target.name }));
    refs.push({ source, span: use, kind: isBlockDecl(target) ? 'block' : target.kind, target: t });
  };
  const records = new RecordResolver(scope, fields, report, onRef);
  for (const file of files) {
    // The prelude's records are checked by the prelude tests; here they are resolved lazily.
    if (file.source.isPrelude && preludeBlocks) continue;
    for (const d of file.decls) if (!isBlockDecl(d)) records.checkRecordDecl(d);
  }

  // 4. Layouts of the user's files.
  const lookup = new BlockLookup(scope.block, blocks);
  const layoutResolver = new LayoutResolver(scope, blocks, records, lookup, fields, report, onRef, context);
  const layouts: ResolvedLayout[] = [];
  const uncostable: UncostableLayout[] = [];
  const layoutReuse = reuse?.layouts;
  for (const file of files) {
    if (file.source.isPrelude) continue;
    for (const d of file.decls) {
      if (d.kind !== 'layout' || scope.layout.get(d.name.text) !== d) continue;
      if (!layoutReuse) {
        const r = layoutResolver.resolveLayout(d);
        if ('reason' in r) uncostable.push(r);
        else layouts.push(r);
        continue;
      }
      let done = layoutReuse.previous(d, scope.block);
      if (done) {
        for (const x of done.diagnostics) diagnostics.push(x);
        takeOverRefs(done.refs, done.refsSource, d.source);
        if (done.spans) layoutResolver.layoutSpans.set(d.name.text, done.spans);
      } else {
        const firstDiagnostic = diagnostics.length;
        const firstRef = refs.length;
        const blockNames: BlockNamesUsed = { names: new Map(), all: false };
        lookup.tracking = blockNames;
        const result = layoutResolver.resolveLayout(d);
        lookup.tracking = undefined;
        done = { result, diagnostics: diagnostics.slice(firstDiagnostic), refs: refs.slice(firstRef), spans: layoutResolver.layoutSpans.get(d.name.text), blockNames };
      }
      layoutReuse.results.set(d, done);
      const r = done.result;
      if ('reason' in r) uncostable.push(r);
      else layouts.push(r);
    }
  }
  let allRefs: SymbolRef[] | undefined;
  return {
    diagnostics,
    layouts,
    uncostable,
    blocks,
    scope,
    get refs() {
      if (!allRefs) {
        if (refs.length) refRuns.push({ refs });
        refs = [];
        allRefs = refRuns.length === 1 && !refRuns[0].from ? (refRuns[0].refs as SymbolRef[]) : refRuns.flatMap((run) => (run.from ? moveRefs(run.refs, run.from, run.to!) : run.refs));
      }
      return allRefs;
    },
    layoutSpans: layoutResolver.layoutSpans,
    resolver: new VariantBuilder(blocks, lookup),
  };
}

function lineOf(d: Decl): number {
  const text = d.source.text;
  let line = 1;
  for (let i = 0; i < d.name.start && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}
