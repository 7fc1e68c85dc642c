// When prefill and decode attention blocks store the KV cache differently (heads-sharded in
// prefill, batch-sharded in decode, say), the prefilled cache must be re-laid out once before the
// first decode step (cost-model.md §3). The collectives that do it: an all_to_all over the axes
// that move between dims, an all_gather over the axes the decode layout drops; axes it adds are
// a free slice.

import type { CheckedBlock, CheckedValue, MeshSpec, ModelSpec } from '../check/resolved';
import { formatAxes, formatType, type ShardType } from '../check/shardType';
import { CACHE_CONVERSION, collectiveVolume, type CollectiveDef } from '../ops/index';
import { collectiveAffine, explainCollectiveTime, participatingAxes, type CollectiveAffine } from './collectives';
import { meshKey } from './plan';
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

/** One collective of a conversion: what it moves, from which layout to which. Sizes come later. */
interface ConversionStep {
  collective: CollectiveDef;
  axes: string[];
  from: ShardType;
  to: ShardType;
  name: string;
  axesText: string;
  typeText: string;
  id: string;
  affine: CollectiveAffine;
}

/**
 * The steps of a conversion depend on the two blocks and the mesh only (meshKey), not on the
 * pass's sizes: they are worked out once per (prefill block, decode block, mesh), and each costing
 * only sizes them (the better-layout search costs thousands of prefills that convert).
 */
const conversionPlans = new WeakMap<CheckedBlock, WeakMap<CheckedBlock, Map<string, ConversionStep[]>>>();

function conversionSteps(prefill: CheckedBlock, decode: CheckedBlock, mesh: MeshSpec): ConversionStep[] {
  let byDecode = conversionPlans.get(prefill);
  if (!byDecode) conversionPlans.set(prefill, (byDecode = new WeakMap()));
  let byMesh = byDecode.get(decode);
  if (!byMesh) byDecode.set(decode, (byMesh = new Map()));
  const key = meshKey(mesh);
  let steps = byMesh.get(key);
  if (!steps) byMesh.set(key, (steps = planSteps(prefill, decode, mesh)));
  return steps;
}

function planSteps(prefill: CheckedBlock, decode: CheckedBlock, mesh: MeshSpec): ConversionStep[] {
  const src = caches(prefill);
  const dst = caches(decode);
  const steps: ConversionStep[] = [];
  const order = mesh.axes.map((a) => a.name);
  const live = participatingAxes(order, mesh).map((a) => a.name);
  dst.forEach((d, i) => {
    const s = src.find((c) => c.name === d.name) ?? src[i];
    if (!s || !s.type || !d.type) return;
    const from = axisHome(s.type);
    const to = axisHome(d.type);
    const moved = live.filter((a) => from.has(a) && to.has(a) && from.get(a) !== to.get(a));
    const dropped = live.filter((a) => from.has(a) && !to.has(a));
    let current: ShardType = s.type;
    const step = (collective: CollectiveDef, axes: string[], next: ShardType) => {
      steps.push({
        collective, axes, from: current, to: next,
        name: `${d.name}_${collective === CACHE_CONVERSION.move ? 'a2a' : 'gather'}`,
        axesText: formatAxes(axes, order),
        typeText: formatType(next, order),
        id: `cache.${d.name}.${collective.kind}`,
        affine: collectiveAffine(collective, axes, mesh),
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
      step(CACHE_CONVERSION.move, moved, next);
    }
    if (dropped.length) {
      const next: ShardType = { dims: current.dims.map((dim) => ({ letter: dim.letter, axes: dim.axes.filter((a) => !dropped.includes(a)) })), partialsum: [] };
      step(CACHE_CONVERSION.drop, dropped, next);
    }
  });
  return steps;
}

/** The ops that turn the prefill cache layout into the decode one, per layer; null when equal. */
export function cacheConversion(prefill: CheckedBlock | null, decode: CheckedBlock | null, sizes: PassSizes, mesh: MeshSpec, model: ModelSpec): BlockCost | null {
  // The same block stores the same cache: nothing to convert.
  if (!prefill || !decode || prefill === decode) return null;
  const steps = conversionSteps(prefill, decode, mesh);
  if (steps.length === 0) return null;
  const sizesByAxis = axisSizes(mesh);
  const order = mesh.axes.map((a) => a.name);
  const per = bytesPerElement(model.kv);
  const oh = mesh.hardware.op_overhead;
  const ops: OpCost[] = steps.map((st) => {
    const inBytes = localElements(st.from, sizes, sizesByAxis) * per;
    const outBytes = localElements(st.to, sizes, sizesByAxis) * per;
    const Dv = collectiveVolume(st.collective, inBytes, outBytes);
    const ofOutput = st.collective.volume === 'output';
    const what = ofOutput ? 'per-chip output bytes' : 'per-chip input bytes';
    // The inputs (and their type text) are made when the figure is explained, not per costing.
    const typed = ofOutput ? st.to : st.from;
    const D = explained(Dv, 'B', what, () => ({
      [what]: input(Dv, 'B', `${formatType(typed, order)} as ${model.kv}`),
    }));
    // The same α–β terms as a collective statement; the two steps run one after the other.
    const c = st.affine;
    const tComm = c.active ? c.a + c.b * Dv : 0;
    const tCommFigure = explainCollectiveTime(c, D, tComm, mesh);
    return {
      role: 'cache',
      name: st.name,
      op: st.collective.kind,
      axes: st.axesText,
      type: st.typeText,
      fused: undefined,
      flops: ZERO_FLOPS,
      bytes: ZERO_BYTES,
      commBytes: D,
      computeTime: ZERO_SECONDS,
      memoryTime: ZERO_SECONDS,
      commTime: tCommFigure,
      time: oh ? explained(tComm + oh, 's', 't_comm + op_overhead', () => ({ t_comm: input(tComm, 's'), op_overhead: input(oh, 's') })) : tCommFigure,
      bound: 'comm',
      id: st.id,
      uses: [],
      resultBytes: 0,
    };
  });
  const totals = emptyTotals();
  for (const o of ops) {
    addTotals(totals, { time: o.time.value, flops: 0, commBytes: o.commBytes.value, computeTime: 0, memoryTime: 0, commTime: o.commTime.value, allToAllTime: o.op === 'all_to_all' ? o.commTime.value : 0, byBound: { compute: 0, memory: 0, comm: o.time.value } });
  }
  return { role: 'cache', block: `${prefill.name} → ${decode.name}`, ops, ...totals };
}
