// When prefill and decode attention blocks store the KV cache differently (heads-sharded in
// prefill, batch-sharded in decode, say), the prefilled cache must be re-laid out once before the
// first decode step (cost-model.md §3). The collectives that do it: an all_to_all over the axes
// that move between dims, an all_gather over the axes the decode layout drops; axes it adds are
// a free slice.

import type { CheckedBlock, CheckedValue, MeshSpec, ModelSpec } from '../check/resolved';
import { formatAxes, formatType, type ShardType } from '../check/shardType';
import { CACHE_CONVERSION, collectiveVolume, type CollectiveDef } from '../ops/index';
import { collectiveAffine, explainCollectiveTime, participatingAxes } from './collectives';
import { explained, input, ZERO_BYTES, ZERO_FLOPS, ZERO_SECONDS } from './explained';
import { axisSizes, bytesPerElement, localElements, type PassSizes } from './sizes';
import { addTotals, emptyTotals } from './totals';
import type { BlockCost, OpCost } from './types';

function caches(block: CheckedBlock): CheckedValue[] {
  return block.values.filter((v) => v.op === 'cache');
}

function axisHome(t: ShardType): Map<string, string> {
  const m = new Map<string, string>();
  for (const d of t.dims) for (const a of d.axes) m.set(a, d.letter);
  return m;
}

/** The ops that turn the prefill cache layout into the decode one, per layer; null when equal. */
export function cacheConversion(prefill: CheckedBlock | null, decode: CheckedBlock | null, sizes: PassSizes, mesh: MeshSpec, model: ModelSpec): BlockCost | null {
  // The same block stores the same cache: nothing to convert.
  if (!prefill || !decode || prefill === decode) return null;
  const src = caches(prefill);
  const dst = caches(decode);
  const ops: OpCost[] = [];
  const sizesByAxis = axisSizes(mesh);
  const order = mesh.axes.map((a) => a.name);
  const per = bytesPerElement(model.kv);
  dst.forEach((d, i) => {
    const s = src.find((c) => c.name === d.name) ?? src[i];
    if (!s || !s.type || !d.type) return;
    const from = axisHome(s.type);
    const to = axisHome(d.type);
    const live = participatingAxes(mesh.axes.map((a) => a.name), mesh).map((a) => a.name);
    const moved = live.filter((a) => from.has(a) && to.has(a) && from.get(a) !== to.get(a));
    const dropped = live.filter((a) => from.has(a) && !to.has(a));
    let current: ShardType = s.type;
    const emit = (collective: CollectiveDef, axes: string[], next: ShardType) => {
      const kind = collective.kind;
      const inBytes = localElements(current, sizes, sizesByAxis) * per;
      const outBytes = localElements(next, sizes, sizesByAxis) * per;
      const Dv = collectiveVolume(collective, inBytes, outBytes);
      const ofOutput = collective.volume === 'output';
      const what = ofOutput ? 'per-chip output bytes' : 'per-chip input bytes';
      // The inputs (and their type text) are made when the figure is explained, not per costing.
      const typed = ofOutput ? next : current;
      const D = explained(Dv, 'B', what, () => ({
        [what]: input(Dv, 'B', `${formatType(typed, order)} as ${model.kv}`),
      }));
      // The same α–β terms as a collective statement; the two steps run one after the other.
      const c = collectiveAffine(collective, axes, mesh);
      const tComm = c.active ? c.a + c.b * Dv : 0;
      const tCommFigure = explainCollectiveTime(c, D, tComm, mesh);
      const oh = mesh.hardware.op_overhead;
      ops.push({
        role: 'cache',
        name: `${d.name}_${collective === CACHE_CONVERSION.move ? 'a2a' : 'gather'}`,
        op: kind,
        axes: formatAxes(axes, order),
        type: formatType(next, order),
        fused: undefined,
        flops: ZERO_FLOPS,
        bytes: ZERO_BYTES,
        commBytes: D,
        computeTime: ZERO_SECONDS,
        memoryTime: ZERO_SECONDS,
        commTime: tCommFigure,
        time: oh ? explained(tComm + oh, 's', 't_comm + op_overhead', () => ({ t_comm: input(tComm, 's'), op_overhead: input(oh, 's') })) : tCommFigure,
        bound: 'comm',
        id: `cache.${d.name}.${kind}`,
        uses: [],
        resultBytes: 0,
      });
      current = next;
    };
    if (moved.length) {
      const next: ShardType = {
        dims: current.dims.map((dim) => ({
          letter: dim.letter,
          axes: [...dim.axes.filter((a) => !moved.includes(a)), ...moved.filter((a) => to.get(a) === dim.letter)],
        })),
        partialsum: [],
      };
      emit(CACHE_CONVERSION.move, moved, next);
    }
    if (dropped.length) {
      const next: ShardType = { dims: current.dims.map((dim) => ({ letter: dim.letter, axes: dim.axes.filter((a) => !dropped.includes(a)) })), partialsum: [] };
      emit(CACHE_CONVERSION.drop, dropped, next);
    }
  });
  if (ops.length === 0) return null;
  const totals = emptyTotals();
  for (const o of ops) {
    addTotals(totals, { time: o.time.value, flops: 0, commBytes: o.commBytes.value, computeTime: 0, memoryTime: 0, commTime: o.commTime.value, allToAllTime: o.op === 'all_to_all' ? o.commTime.value : 0, byBound: { compute: 0, memory: 0, comm: o.time.value } });
  }
  return { role: 'cache', block: `${prefill.name} → ${decode.name}`, ops, ...totals };
}
