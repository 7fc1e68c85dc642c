// "Did you mean": the declared names close to one that names nothing, for every `unknown-name`
// of a record (hardware, mesh, model, workload, layout). A name is close when it is a couple of
// edits away (`tpu_v9` → `tpu_v4`) or when one name extends the other (`h100_sxm` → `h100`,
// `tpu_v4_pod` → `tpu_v4`): a user who adds a variant's suffix to a known name meant that name.

import { editDistance } from './schema';

/** At most this many suggestions, closest first. */
const MAX_SUGGESTIONS = 3;
/** At most this many edits (and this much difference in length) makes a name close. */
const MAX_EDITS = 2;
/** A shorter common start says too little (`h1` would match every H-series GPU). */
const MIN_PREFIX = 3;

/**
 * The candidates close to `name`, closest first: by edit distance, then those that extend it or
 * that it extends; ties keep the candidates' order (the file's own names before the built-ins).
 */
export function similarNames(name: string, candidates: Iterable<string>): string[] {
  const found: { candidate: string; rank: number; order: number }[] = [];
  let order = 0;
  for (const candidate of candidates) {
    order++;
    if (candidate === name) continue;
    const edits = Math.abs(candidate.length - name.length) <= MAX_EDITS ? editDistance(candidate, name) : Infinity;
    if (edits <= MAX_EDITS) found.push({ candidate, rank: edits, order });
    else if (extendsOther(candidate, name)) found.push({ candidate, rank: MAX_EDITS + 1, order });
  }
  found.sort((a, b) => a.rank - b.rank || a.order - b.order);
  return found.slice(0, MAX_SUGGESTIONS).map((f) => f.candidate);
}

/** One name is the other with something added at the end (`h100` and `h100_sxm`). */
function extendsOther(a: string, b: string): boolean {
  const [short, long] = a.length <= b.length ? [a, b] : [b, a];
  return short.length >= MIN_PREFIX && long.startsWith(short);
}
