// The `= base` chain of a declaration, followed in one place for every kind: models, hardware
// and workloads merge their fields along it, meshes their axes, layouts their fields and phase
// overrides. The walk is a loop, not a recursion, and stops (with a diagnostic on the way) at a
// cycle, an unknown base or a chain longer than MAX_BASE_CHAIN.

import type { RecordDecl } from '../syntax/ast';
import type { Report } from './records';

/** Longest `= base` chain followed (keeps resolution free of deep recursion). */
export const MAX_BASE_CHAIN = 64;

/** What was resolved for a declaration before, and how many declarations its chain has. */
export interface ResolvedBase<T> {
  value: T;
  depth: number;
}

/** How one kind of declaration follows its base. */
export interface BaseChainRules<T> {
  /**
   * The declaration `decl.base` names, with the use recorded; `'end'` when `decl` has no base or
   * its base is not of its kind but ends the chain (a mesh's hardware); undefined when the base
   * is missing or unknown (reported here).
   */
  next(decl: RecordDecl): RecordDecl | 'end' | undefined;
  /**
   * What was resolved for `decl` before, if anything: the walk builds on it instead of going on,
   * or stops without a word at `'failed'` (reported when it failed).
   */
  known?(decl: RecordDecl): ResolvedBase<T> | 'failed' | undefined;
}

export interface BaseChain<T> {
  /** The declaration followed, its base, its base's base, … down to the root or to the first one resolved before. */
  decls: RecordDecl[];
  /** The earlier result of the declaration below the last of `decls`, which the chain builds on. */
  below?: ResolvedBase<T>;
}

/**
 * Follows `decl`'s chain. A cycle is reported on the base of the declaration met twice; a chain
 * too long on the base of `decl`, the declaration whose chain it is.
 */
export function followBaseChain<T>(decl: RecordDecl, rules: BaseChainRules<T>, report: Report): BaseChain<T> | undefined {
  const decls: RecordDecl[] = [];
  const seen = new Set<RecordDecl>();
  for (let d = decl; ; ) {
    const known = rules.known?.(d);
    if (known === 'failed') return undefined;
    // A chain that resolved before is reused, unless following it from here is too long.
    if (known && !seen.has(d) && decls.length + known.depth <= MAX_BASE_CHAIN) return { decls, below: known };
    if (seen.has(d)) {
      report('bad-value', d.source, d.base ?? d.name, `${d.kind} ${d.name.text} starts from itself (${[...decls, d].map((x) => x.name.text).join(' → ')})`);
      return undefined;
    }
    seen.add(d);
    decls.push(d);
    if (decls.length > MAX_BASE_CHAIN) {
      report('limit', decl.source, decl.base ?? decl.name, `${decl.kind} ${decl.name.text} starts from a chain of more than ${MAX_BASE_CHAIN} declarations; shorten the chain`);
      return undefined;
    }
    const next = rules.next(d);
    if (next === undefined) return undefined;
    if (next === 'end') return { decls };
    d = next;
  }
}
