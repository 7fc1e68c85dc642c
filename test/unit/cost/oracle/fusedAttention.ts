// TEST ORACLE: fused attention (`attention_kernel = fused`, cost-model.md "Fused attention") read
// from the rule as written, over the oracle's own unfused ops of one block: a softmax over a T
// the block does not split, whose operand is an einsum read by nothing else and whose result is
// read by one einsum alone, becomes one op with the two einsums' FLOPs and the HBM bytes of what
// the three read from outside them plus the result.

import { explained, input, type Explained, type Input } from '../../../../server/src/engine/cost/explained';
import type { OpCost } from '../../../../server/src/engine/cost/types';
import { localBytes, type BlockContext } from './ops';

function nameOf(id: string): string {
  return id.slice(id.indexOf('.') + 1);
}

function timeWithOverhead(core: number, ctx: BlockContext, tCompute: number, tMemory: number): Explained {
  const oh = ctx.mesh.hardware.op_overhead;
  const formula = 'max(t_compute, t_memory)';
  if (oh === 0) return explained(core, 's', formula, () => ({ t_compute: input(tCompute, 's'), t_memory: input(tMemory, 's') }));
  return explained(core + oh, 's', `${formula} + op_overhead`, () => ({ [formula]: input(core, 's'), op_overhead: input(oh, 's') }));
}

/** The block's ops with each fusable attention chain replaced by one op at its value einsum. */
export function fuseAttentionOps(ops: readonly OpCost[], ctx: BlockContext): OpCost[] {
  const readers = (id: string) => ops.filter((o) => o.uses.includes(id));
  const replaced = new Map<string, OpCost>(); // value einsum id → fused op
  const dropped = new Set<string>();
  const outputName = ctx.block.output?.name;
  for (const p of ops) {
    if (p.op !== 'softmax' || p.uses.length !== 1) continue;
    const sType = ctx.block.byName.get(nameOf(p.uses[0]))?.type;
    const tDim = sType?.dims.find((d) => d.letter === 'T');
    if (!tDim || tDim.axes.length) continue;
    const s = ops.find((o) => o.id === p.uses[0]);
    if (!s || s.op !== 'einsum' || readers(s.id).length !== 1) continue;
    const pReaders = readers(p.id);
    if (pReaders.length !== 1 || pReaders[0].op !== 'einsum') continue;
    if (s.name === outputName || p.name === outputName) continue;
    const o = pReaders[0];

    const outside = [...s.uses, ...o.uses].filter((u) => u !== s.id && u !== p.id);
    const terms: { key: string; bytes: number }[] = outside.map((id) => {
      const name = nameOf(id);
      return { key: `bytes(${name})`, bytes: localBytes(name, ctx.block.byName.get(name)!.type!, ctx) };
    });
    terms.push({ key: `bytes(${o.name})`, bytes: o.resultBytes });
    const byteTotal = terms.reduce((sum, t) => sum + t.bytes, 0);
    const flopTotal = s.flops.value + o.flops.value;
    const hw = ctx.mesh.hardware;
    const tc = flopTotal / (hw.flops * hw.flops_eff);
    const tm = byteTotal / (hw.hbm_bw * hw.hbm_eff);
    const bytes = explained(byteTotal, 'B', terms.map((t) => t.key).join(' + '), () => {
      const inputs: Record<string, Input> = {};
      for (const t of terms) inputs[t.key] = input(t.bytes, 'B');
      return inputs;
    });
    const fused: OpCost = {
      role: o.role, name: o.name, op: o.op, axes: o.axes, type: o.type,
      fused: [s.id, p.id, o.id],
      flops: explained(flopTotal, 'FLOP', `flops(${s.name}) + flops(${o.name})`, () => ({ [`flops(${s.name})`]: input(s.flops.value, 'FLOP'), [`flops(${o.name})`]: input(o.flops.value, 'FLOP') })),
      bytes,
      commBytes: o.commBytes,
      computeTime: explained(tc, 's', 'flops / (flops_peak·flops_eff)', () => ({ flops: input(flopTotal, 'FLOP'), flops_peak: input(hw.flops, 'FLOP/s'), flops_eff: input(hw.flops_eff, '') })),
      memoryTime: explained(tm, 's', 'bytes / (hbm_bw·hbm_eff)', () => ({ bytes: input(byteTotal, 'B'), hbm_bw: input(hw.hbm_bw, 'B/s'), hbm_eff: input(hw.hbm_eff, '') })),
      commTime: o.commTime,
      time: timeWithOverhead(Math.max(tc, tm), ctx, tc, tm),
      bound: tc > tm ? 'compute' : 'memory',
      id: o.id,
      uses: outside,
      resultBytes: o.resultBytes,
    };
    replaced.set(o.id, fused);
    dropped.add(s.id);
    dropped.add(p.id);
  }
  const out: OpCost[] = [];
  for (const o of ops) if (!dropped.has(o.id)) out.push(replaced.get(o.id) ?? o);
  return out;
}
