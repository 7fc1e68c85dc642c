// Moving an earlier version's results onto the next version of the same file (analysis.ts reuses
// a layout's resolution, its diagnostics and references when nothing it read changed). Reuse
// happens only where the text is unchanged at the same offsets, so every span stays as it is:
// what changes is the identity of the objects that stand for the file. The file's SourceFile is
// the new one, each declaration the new version's declaration parsed (or reused) at the same
// place, each checked block the new version's check of it. Everything that holds one of them is
// copied with it replaced; the rest (spans, syntax nodes, built-in blocks, other files) is shared.

import type { Decl, SourceFile } from '../syntax/ast';
import type { Diagnostic } from '../diagnostics';
import type { SymbolRef } from './checker';
import type { CheckedBlock, PhaseSpec, ResolvedLayout, UncostableLayout } from './resolved';

/** References found on `from`, on `to` (the same spans: the text there is unchanged). */
export function moveRefs<R extends SymbolRef>(refs: readonly R[], from: SourceFile, to: SourceFile): R[] {
  const targets = new Map<object, SymbolRef['target']>();
  return refs.map((r) => {
    let target = r.target;
    if (target.source === from) {
      let t = targets.get(target);
      if (!t) targets.set(target, (t = { ...target, source: to }));
      target = t;
    }
    return r.source === from ? { ...r, source: to, target } : target === r.target ? r : { ...r, target };
  });
}

/** Thrown by a move when the data holds something of the earlier version that has no counterpart. */
export class StaleReference extends Error {}

export class VersionMove {
  /** What each object of the earlier version became (itself when nothing in it changes). */
  private readonly moved = new Map<object, unknown>();

  /**
   * `from` and `to` are the two versions' SourceFiles; `counterparts` maps the earlier version's
   * declarations (and, as they are reused, checked blocks) to this version's.
   */
  constructor(
    private readonly from: SourceFile,
    private readonly to: SourceFile,
    private readonly counterparts: Map<object, object>,
  ) {}

  /** Declares `before` to have become `after` (a checked block reused after the mover was made). */
  counterpart(before: object, after: object): void {
    this.counterparts.set(before, after);
  }

  // The shapes below are moved field by field (diagnostics are many; references, moveRefs); the
  // records' specs, few and shared, by the generic walk.

  diagnostic(d: Diagnostic): Diagnostic {
    const related = d.related;
    if (d.source !== this.from && !related) return d;
    const out = { ...d, source: this.source(d.source) };
    // Related information elsewhere (a built-in block's declaration) is shared as it is.
    if (related?.some((r) => r.source === this.from)) out.related = related.map((r) => (r.source === this.from ? { ...r, source: this.to } : r));
    return out;
  }

  /** `diagnostic` of each; an empty list stays the one it was (many blocks and layouts have none). */
  diagnostics(list: Diagnostic[]): Diagnostic[] {
    if (!list.length) return list;
    const out: Diagnostic[] = [];
    for (const d of list) out.push(this.diagnostic(d));
    return out;
  }

  layout(r: ResolvedLayout | UncostableLayout): ResolvedLayout | UncostableLayout {
    const decl = this.decl(r.decl);
    // A property read rather than `in`, which V8 answers slowly on these objects.
    if ((r as UncostableLayout).reason !== undefined) return { ...r, decl };
    const l = r as ResolvedLayout;
    // Field by field, not a spread: a large file moves every layout at every keystroke, and this
    // measured faster (V8 builds a literal's objects in one shape from one allocation site). Every
    // field is listed: test/unit/engine/incremental.test.ts compares moved layouts whole.
    return {
      name: l.name,
      decl,
      model: this.walk(l.model),
      mesh: this.walk(l.mesh),
      workload: l.workload,
      prefill: this.phase(l.prefill),
      decode: this.phase(l.decode),
      unembed: l.unembed && this.block(l.unembed),
      overlap: l.overlap,
      attentionKernel: l.attentionKernel,
      kvBudget: l.kvBudget,
      measured: l.measured,
    };
  }

  private phase(p: PhaseSpec): PhaseSpec {
    // Field by field, as `layout` (the optional fields follow).
    const out: PhaseSpec = { phase: p.phase, mesh: this.walk(p.mesh), workload: p.workload, ffn: this.block(p.ffn), attention: p.attention && this.block(p.attention), unembed: p.unembed && this.block(p.unembed) };
    if (p.denseFfn) out.denseFfn = this.block(p.denseFfn);
    if (p.pipeline) out.pipeline = this.walk(p.pipeline);
    return out;
  }

  private source(s: SourceFile): SourceFile {
    return s === this.from ? this.to : s;
  }

  private decl<T extends Decl>(d: T): T {
    if (d.source !== this.from) return d;
    const now = this.counterparts.get(d);
    if (!now) throw new StaleReference(`${d.kind} ${d.name.text} changed`);
    return now as T;
  }

  private block(b: CheckedBlock): CheckedBlock {
    if (b.decl.source !== this.from) return b;
    const now = this.counterparts.get(b);
    if (!now) throw new StaleReference(`block ${b.name} changed`);
    return now as CheckedBlock;
  }

  /** Any plain data (a model's or mesh's spec, whose origin may be this file): a copy where it held the file. */
  private walk<T>(x: T): T {
    if (typeof x !== 'object' || x === null) return x;
    if (x === (this.from as unknown)) return this.to as T;
    const known = this.moved.get(x);
    if (known !== undefined) return known as T;
    const out = this.walkNew(x);
    this.moved.set(x, out);
    return out as T;
  }

  private walkNew(x: object): unknown {
    const o = x as Record<string, unknown>;
    // Another file (a built-in one) holds nothing of this one.
    if ('isPrelude' in o && 'text' in o && 'uri' in o) return x;
    if ('byName' in o && 'decl' in o) return this.block(x as CheckedBlock);
    if ('kind' in o && 'name' in o && 'source' in o && ('fields' in o || 'stmts' in o)) return this.decl(x as Decl);
    if (Array.isArray(x)) {
      let copy: unknown[] | undefined;
      for (let i = 0; i < x.length; i++) {
        const v = this.walk(x[i]);
        if (v !== x[i]) (copy ??= x.slice())[i] = v;
      }
      return copy ?? x;
    }
    if (x instanceof Map) {
      let changed = false;
      const entries: [unknown, unknown][] = [];
      for (const [k, v] of x) {
        const k2 = this.walk(k), v2 = this.walk(v);
        if (k2 !== k || v2 !== v) changed = true;
        entries.push([k2, v2]);
      }
      return changed ? new Map(entries) : x;
    }
    const proto = Object.getPrototypeOf(x);
    // Class instances hold no file objects.
    if (proto !== Object.prototype && proto !== null) return x;
    let copy: Record<string, unknown> | undefined;
    for (const k of Object.keys(o)) {
      const v = o[k];
      if (typeof v !== 'object' || v === null) continue;
      const v2 = this.walk(v);
      if (v2 !== v) (copy ??= { ...o })[k] = v2;
    }
    return copy ?? x;
  }
}
