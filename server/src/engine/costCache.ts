// The costs of layouts, kept by everything a layout's figures depend on (its configuration,
// configuration.ts, not its name), so that re-analysing a file after an edit, a hover or a hint,
// and the many identical layouts of a sweep file cost each configuration once. One cache belongs
// to one service (service.ts); nothing here is global.
//
// A LayoutCost computes some figures lazily from its layout, so it keeps that layout's source
// text alive: the cache therefore holds entries of at most MAX_CACHED_SOURCES texts (the least
// recently used text's entries go first), which bounds its memory to a few versions of a file.

import type { SourceFile } from './syntax/ast';
import type { ResolvedLayout } from './check/resolved';
import { configurationKey } from './configuration';
import { costLayout, type LayoutCost } from './cost/index';

/** Entries kept at most (least recently used first out). */
export const COST_CACHE_SIZE = 1000;
const MAX_CACHED_SOURCES = 4;

interface CostEntry {
  cost: LayoutCost;
  source: SourceFile;
}

/** The cost of a configuration under the name of a layout that has it. */
export function costNamed(cost: LayoutCost, name: string): LayoutCost {
  return cost.layout === name ? cost : { ...cost, layout: name };
}

export class CostCache {
  private readonly entries = new Map<string, CostEntry>();
  private readonly sourceLastUse = new Map<SourceFile, number>();
  private useTick = 0;

  constructor(private readonly size = COST_CACHE_SIZE) {}

  /** costLayout through the cache. */
  cost(layout: ResolvedLayout): LayoutCost {
    const key = configurationKey(layout);
    const hit = this.entries.get(key);
    if (hit) {
      // Refresh its place in the LRU order, and its text's.
      this.entries.delete(key);
      this.entries.set(key, hit);
      this.touchSource(hit.source);
      return costNamed(hit.cost, layout.name);
    }
    const cost = costLayout(layout);
    const source = layout.decl.source;
    this.entries.set(key, { cost, source });
    this.touchSource(source);
    if (this.entries.size > this.size) this.entries.delete(this.entries.keys().next().value as string);
    return cost;
  }

  private touchSource(source: SourceFile): void {
    this.sourceLastUse.set(source, ++this.useTick);
    if (this.sourceLastUse.size <= MAX_CACHED_SOURCES) return;
    let oldest: SourceFile | undefined;
    let oldestTick = Infinity;
    for (const [s, t] of this.sourceLastUse) if (t < oldestTick) [oldest, oldestTick] = [s, t];
    this.sourceLastUse.delete(oldest!);
    for (const [k, e] of this.entries) if (e.source === oldest) this.entries.delete(k);
  }
}
