// The costs of layouts, kept by everything a layout's figures depend on, so that re-analysing a
// file after an edit, and the `better-layout` variants (all built-in blocks), cost each
// configuration once. One cache belongs to one service (service.ts); nothing here is global.
//
// A LayoutCost computes some figures lazily from its layout, so it keeps that layout's source
// text alive: the cache therefore holds entries of at most MAX_CACHED_SOURCES texts (the least
// recently used text's entries go first), which bounds its memory to a few versions of a file.

import type { SourceFile } from './syntax/ast';
import type { CheckedBlock, ResolvedLayout } from './check/resolved';
import { costLayout, type LayoutCost } from './cost/index';

/** Entries kept at most (least recently used first out). */
export const COST_CACHE_SIZE = 1000;
const MAX_CACHED_SOURCES = 4;

interface CostEntry {
  cost: LayoutCost;
  source: SourceFile;
}

function blockKey(b: CheckedBlock | null): string {
  if (!b) return '-';
  return b.isPrelude ? `prelude:${b.name}` : `${b.name}:${b.decl.source.text.slice(b.decl.start, b.decl.end)}`;
}

function layoutKey(l: ResolvedLayout): string {
  const { origin: _m, ...model } = l.model;
  const { origin: _h, ...hardware } = l.mesh.hardware;
  const phase = (p: ResolvedLayout['prefill']) => [p.workload, blockKey(p.ffn), blockKey(p.attention), blockKey(p.unembed)];
  return JSON.stringify([l.name, model, hardware, l.mesh.name, l.mesh.axes, phase(l.prefill), phase(l.decode), l.overlap, l.kvBudget ?? null]);
}

export class CostCache {
  private readonly entries = new Map<string, CostEntry>();
  private readonly sourceLastUse = new Map<SourceFile, number>();
  private useTick = 0;

  constructor(private readonly size = COST_CACHE_SIZE) {}

  /** costLayout through the cache. */
  cost(layout: ResolvedLayout): LayoutCost {
    const key = layoutKey(layout);
    const hit = this.entries.get(key);
    if (hit) {
      // Refresh its place in the LRU order, and its text's.
      this.entries.delete(key);
      this.entries.set(key, hit);
      this.touchSource(hit.source);
      return hit.cost;
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
