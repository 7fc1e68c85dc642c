// The Pareto frontier of cost against latency (Pope Fig. 1): the points no other point beats on
// both. A point is dominated when another is no worse on both measures and better on one;
// equal points do not dominate each other, so duplicates are all on the frontier.

export interface CostLatency {
  cost: number;
  latency: number;
}

export function dominates(a: CostLatency, b: CostLatency): boolean {
  return a.cost <= b.cost && a.latency <= b.latency && (a.cost < b.cost || a.latency < b.latency);
}

/**
 * Indices of the non-dominated points, ascending. O(n log n): sorted by latency (then cost), a
 * point is on the frontier when its cost is below every cost seen at a strictly lower latency,
 * and no point of the same latency has a lower cost.
 */
export function paretoFrontier(points: readonly CostLatency[]): number[] {
  const order = points.map((_, i) => i).sort((i, j) => points[i].latency - points[j].latency || points[i].cost - points[j].cost);
  const keep: number[] = [];
  let bestCostBefore = Infinity; // lowest cost among points of strictly lower latency
  let g = 0;
  while (g < order.length) {
    // One group of equal latency: its lowest cost (first, by the sort) is the only candidate
    // cost in the group; its equals share the result.
    let end = g;
    while (end < order.length && points[order[end]].latency === points[order[g]].latency) end++;
    const groupMin = points[order[g]].cost;
    if (groupMin < bestCostBefore) {
      for (let k = g; k < end && points[order[k]].cost === groupMin; k++) keep.push(order[k]);
    }
    bestCostBefore = Math.min(bestCostBefore, groupMin);
    g = end;
  }
  return keep.sort((a, b) => a - b);
}
