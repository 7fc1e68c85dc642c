// What a block can only be checked for once a layout puts it on a mesh with a model and a
// workload: every axis it names is an axis of the mesh (`unknown-axis`), and every sharded dim
// splits evenly into its shards (`not-divisible`). `sizesFit` is the quick form of the second
// for the variant builder, which only needs to know whether a variant can run.

import type { Ident, RecordDecl, SourceFile, Span } from '../syntax/ast';
import type { RelatedInfo, Severity } from '../diagnostics';
import { axisLetterBit, axisRefsOf, NOT_AN_AXIS_BIT, usageOf } from './blocks';
import type { Report } from './records';
import { formatPercent } from '../report/format';
import type { BlockUsage, CheckedBlock, MeshSpec, ModelSpec, Phase, WorkloadSpec } from './resolved';

/** Where a layout uses a block: the layout, the phase, and what the block runs with. */
export interface BlockPlacement {
  layout: RecordDecl;
  phase: Phase;
  model: ModelSpec;
  mesh: MeshSpec;
  workload: WorkloadSpec;
  /**
   * The dims the layout's blocks were already found not to split evenly, shared by all its blocks
   * and phases: a cause (a dim size over a shard count) is reported once per layout, on the first
   * block that has it, not again on every block and type that splits the dim the same way.
   */
  uneven: UnevenSplit[];
}

/** A dim size that does not divide into a shard count (one `not-divisible` finding). */
export interface UnevenSplit {
  letter: string;
  size: number;
  shards: number;
}

/**
 * unknown-axis and, with `checkSizes`, not-divisible for one block in one layout and phase; `at`
 * is the layout's field value that names the block, where findings on a block of another file
 * land. False on error.
 */
export function checkBlockPlacement(report: Report, block: CheckedBlock, p: BlockPlacement, at: Ident, checkSizes = true): boolean {
  const { layout: d, phase, model, mesh, workload } = p;
  const usage = blockUsage(block);
  const sameFile = block.decl.source === d.source;
  let ok = true;
  let meshMask = 0;
  for (const a of mesh.axes) meshMask |= axisLetterBit(a.name);
  // Where a finding goes: on the token in the layout's own file, else on the layout's block field.
  const where = (span: Span): { source: SourceFile; span: Span } => (sameFile ? { source: block.decl.source, span } : { source: d.source, span: at });
  const relatedInfo = (): RelatedInfo[] => (sameFile ? [{ source: d.source, span: d.name, message: `in layout ${d.name.text}` }] : [{ source: block.decl.source, span: block.decl.name, message: `${block.name} is declared here` }]);
  if (usage.axisMask & ~meshMask || meshMask & NOT_AN_AXIS_BIT) {
    for (const a of axisRefsOf(block.decl)) {
      if (meshAxisSize(mesh, a.letter) !== undefined) continue;
      const w = where(a);
      const meshAxes = mesh.axes.map((x) => x.name).join('');
      report('unknown-axis', w.source, w.span, `layout ${d.name.text}: mesh ${mesh.name} has no axis \`${a.letter}\` (its axes are ${meshAxes})${sameFile ? '' : ` (used in ${block.name})`}`, undefined, relatedInfo());
      ok = false;
    }
  }
  if (!checkSizes) return ok;
  // One finding per cause: a dim that does not split into its shard count is reported once per
  // layout, at the first place it is written that way; the block's other places are its related
  // information. (Without this, one odd mesh axis gave a warning on every type naming the dim.)
  const reported = p.uneven;
  for (let k = 0; k < usage.dimSets.length; k++) {
    const set = usage.dimSets[k];
    const size = dimSize(set.letter, phase, model, workload);
    if (size === undefined) continue;
    const shards = shardCount(set.axes, mesh);
    if (shards === 1 || (size >= shards && size % shards === 0)) continue;
    const letter = set.letter;
    const extraSplits: string[] = [];
    const extraFactors: string[] = [];
    if (reported.some((r) => r.letter === letter && r.size === size && r.shards === shards)) continue;
    reported.push({ letter, size, shards });
    const shardAxes = set.axes.filter((a) => meshAxisSize(mesh, a) !== undefined);
    const axesText = shardAxes.join('');
    const factors = shardAxes.map((a) => `${a} = ${meshAxisSize(mesh, a)}`).join(', ');
    // Replicated heads have one cause however many ways the block splits them (too few heads for
    // the mesh): the other shard counts of the same dim join this finding, not findings of their own.
    const counts = [shards];
    if ((letter === 'H' || letter === 'K') && size < shards) {
      for (let j = k + 1; j < usage.dimSets.length; j++) {
        const other = usage.dimSets[j];
        const n = shardCount(other.axes, mesh);
        if (other.letter !== letter || n <= size || counts.includes(n) || reported.some((r) => r.letter === letter && r.size === size && r.shards === n)) continue;
        counts.push(n);
        reported.push({ letter, size, shards: n });
        const axes = other.axes.filter((a) => meshAxisSize(mesh, a) !== undefined);
        extraSplits.push(`its ${n} shards over ${axes.join('')} (${axes.map((a) => `${a} = ${meshAxisSize(mesh, a)}`).join(', ')})`);
        extraFactors.push(`${n / gcd(n, size)}×`);
      }
    }
    // No phase in the message: B, L and T sizes say which case it is, and a finding that holds
    // in both phases is then reported once (spec §3).
    let severity: Severity = 'warning';
    let message: string;
    if (letter === 'X') {
      // Experts are placed whole: an uneven split is a load imbalance (or idle chips), not padding.
      const local = Math.ceil(size / shards);
      message =
        size < shards
          ? `layout ${d.name.text}: X = ${size} experts cannot be split ${shards} ways over ${axesText} (${factors}): each chip still holds a whole expert, so experts are stored more than once and the copies do not share their tokens; split X over axes with at most ${size} chips, a divisor of ${size}`
          : `layout ${d.name.text}: X = ${size} experts do not divide over ${shards} chips (${axesText}: ${factors}): some chips hold ${local} experts and others ${Math.floor(size / shards)}, and the busiest sets the step time; use a divisor of ${size}`;
      report('experts-not-divisible', where(set.groups[0].letterSpan).source, where(set.groups[0].letterSpan).span, message, undefined, relatedInfo(), 'warning');
      continue;
    }
    if (size < shards) {
      if (letter === 'H' || letter === 'K') {
        const splits = [`its ${shards} shards over ${axesText} (${factors})`, ...extraSplits];
        const replicated = [`${shards / gcd(shards, size)}×`, ...extraFactors];
        message = `layout ${d.name.text}: ${letter} = ${size} is smaller than ${listText(splits)}; each ${letter === 'H' ? 'head' : 'KV head'} is replicated ${listText(replicated)}`;
      } else {
        severity = 'error';
        message = `layout ${d.name.text}: ${letter} = ${size} cannot be split ${shards} ways over ${axesText} (${factors}); shard ${letter} over fewer axes or make it at least ${shards}`;
        ok = false;
      }
    } else {
      const local = Math.ceil(size / shards);
      // Three significant digits: a small waste reads 0.0122%, never 0.0%.
      const waste = (local * shards - size) / (local * shards);
      message = `layout ${d.name.text}: ${letter} = ${size} is not divisible by ${shards} (${axesText}: ${factors}); each chip holds ${local}, padding wastes ${formatPercent(waste)}`;
    }
    const w = where(set.groups[0].letterSpan);
    const related = relatedInfo();
    // The other places the dim is split the same way, in the layout's file (from another file
    // every place would land on the one block field).
    if (sameFile) {
      for (let j = k; j < usage.dimSets.length; j++) {
        const other = usage.dimSets[j];
        const n = shardCount(other.axes, mesh);
        if (other.letter !== letter || !counts.includes(n)) continue;
        for (let g = other === set ? 1 : 0; g < other.groups.length; g++) {
          related.push({ source: block.decl.source, span: other.groups[g].letterSpan, message: n === shards ? `${letter} is split ${shards} ways here too` : `${letter} is split ${n} ways here` });
        }
      }
    }
    report('not-divisible', w.source, w.span, message, undefined, related, severity);
  }
  return ok;
}

/** `a`, `a and b`, `a, b and c`. */
function listText(items: readonly string[]): string {
  return items.length < 2 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/** How many shards a dim split over `axes` has on this mesh (an axis it lacks counts once). */
function shardCount(axes: readonly string[], mesh: MeshSpec): number {
  let shards = 1;
  for (const a of axes) shards *= meshAxisSize(mesh, a) ?? 1;
  return shards;
}

/**
 * True when every axis of every written type is on the mesh and every sharded dim (but H and K,
 * which may be replicated) has at least as many elements as shards.
 */
export function sizesFit(block: CheckedBlock, mesh: MeshSpec, model: ModelSpec, workload: WorkloadSpec, phase: Phase): boolean {
  for (const v of block.values) {
    if (!v.type) continue;
    for (const dim of v.type.dims) {
      let shards = 1;
      for (const a of dim.axes) {
        const size = meshAxisSize(mesh, a);
        if (size === undefined) return false;
        shards *= size;
      }
      if (dim.letter === 'H' || dim.letter === 'K' || dim.letter === 'X') continue;
      const size = dimSize(dim.letter, phase, model, workload);
      if (size !== undefined && size < shards) return false;
    }
  }
  return true;
}

/** The size of a mesh axis, or undefined when the mesh has no such axis (a mesh has a few axes). */
function meshAxisSize(mesh: MeshSpec, letter: string): number | undefined {
  for (const a of mesh.axes) if (a.name === letter) return a.size;
  return undefined;
}

/** The size of a dimension in a phase, at integer T for decode (cost-model.md §1). */
function dimSize(letter: string, phase: Phase, model: ModelSpec, workload: WorkloadSpec): number | undefined {
  switch (letter) {
    case 'B':
      return workload.batch;
    case 'L':
      return phase === 'prefill' ? workload.prompt : 1;
    case 'T':
      return phase === 'prefill' ? workload.prompt : workload.prompt + workload.generate;
    case 'E':
    case 'F':
    case 'H':
    case 'K':
    case 'Q':
    case 'V':
    case 'A':
    case 'C':
    case 'R':
    case 'X':
    case 'G':
    case 'S':
      return model.dims[letter];
  }
  return undefined;
}

/** Every axis letter and sharded dim the block writes (checkBlock records it; built here otherwise). */
function blockUsage(block: CheckedBlock): BlockUsage {
  return (block.usage ??= usageOf(block.decl));
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}
