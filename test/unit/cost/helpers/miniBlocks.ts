// A stand-in for the checker, for engine tests that must not depend on the parser: builds
// `CheckedBlock`s and `ResolvedLayout`s from terse statement lists. Types are annotated or
// inferred by the simplest rules (an elementwise result has its operand's type).

import type { CheckedBlock, CheckedValue, HardwareSpec, MeshSpec, ModelSpec, PhaseSpec, ResolvedLayout, WorkloadSpec } from '../../../../server/src/engine/check/resolved';
import type { ShardType } from '../../../../server/src/engine/check/shardType';

export function parseType(text: string): ShardType {
  const m = /^([^()]*?)\s*(?:\(partialsum-([a-z]+)\))?$/.exec(text.trim());
  if (!m) throw new Error(`bad type ${text}`);
  const dims: ShardType['dims'] = [];
  const body = m[1].replace(/\s+/g, '');
  for (let i = 0; i < body.length; ) {
    const letter = body[i++];
    const axes: string[] = [];
    if (body[i] === '_') {
      i++;
      while (i < body.length && /[a-z]/.test(body[i])) axes.push(body[i++]);
    }
    dims.push({ letter, axes });
  }
  return { dims, partialsum: m[2] ? [...m[2]] : [] };
}

function infer(op: string, args: string[], axes: string[], known: Map<string, ShardType>): ShardType | undefined {
  const t = known.get(args[0]);
  if (!t) return undefined;
  if (op === 'all_gather') return { dims: t.dims.map((d) => ({ letter: d.letter, axes: d.axes.filter((a) => !axes.includes(a)) })), partialsum: [...t.partialsum] };
  if (op === 'all_reduce') return { dims: t.dims.map((d) => ({ ...d, axes: [...d.axes] })), partialsum: t.partialsum.filter((a) => !axes.includes(a)) };
  return { dims: t.dims.map((d) => ({ ...d, axes: [...d.axes] })), partialsum: op === 'add' ? [...t.partialsum] : [] };
}

export function block(kind: 'ffn' | 'attention' | 'unembed', name: string, text: string): CheckedBlock {
  const values: CheckedValue[] = [];
  const byName = new Map<string, CheckedValue>();
  const types = new Map<string, ShardType>();
  let input: CheckedValue | undefined;
  let outName: string | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*/, '').trim();
    if (!line) continue;
    let m: RegExpExecArray | null;
    if ((m = /^(in|weight|cache)\s+([a-z_0-9, ]+?)\s*:\s*(.+)$/.exec(line))) {
      for (const n of m[2].split(',').map((s) => s.trim())) {
        const type = parseType(m[3]);
        const v: CheckedValue = { name: n, op: m[1], args: [], axes: [], type, stmt: {} as never };
        values.push(v); byName.set(n, v); types.set(n, type);
        if (m[1] === 'in') input = v;
      }
    } else if ((m = /^out\s+([a-z_0-9]+)$/.exec(line))) {
      outName = m[1];
    } else if ((m = /^([a-z_0-9]+)\s*=\s*([a-z_]+)\(([^)]*)\)\s*(?::\s*(.+))?$/.exec(line))) {
      const [, n, op, argText, ann] = m;
      const parts = argText.split(',').map((s) => s.trim());
      const collective = ['all_gather', 'reduce_scatter', 'all_reduce', 'all_to_all', 'slice'].includes(op);
      const args = collective ? [parts[0]] : parts;
      const axes = collective ? [...parts[1]] : [];
      const type = ann ? parseType(ann) : infer(op, args, axes, types);
      const v: CheckedValue = { name: n, op, args, axes, type, stmt: {} as never };
      if (op === 'einsum') {
        const [a, b] = args.map((x) => types.get(x));
        const has = (t: ShardType | undefined, l: string) => !!t?.dims.some((d) => d.letter === l);
        if (a && b && ((has(a, 'H') && !has(a, 'K') && has(b, 'K') && !has(b, 'H')) || (has(b, 'H') && !has(b, 'K') && has(a, 'K') && !has(a, 'H')))) v.groupedHeads = true;
      }
      if (type) types.set(n, type);
      values.push(v); byName.set(n, v);
    } else throw new Error(`cannot read: ${line}`);
  }
  return { name, kind, decl: {} as never, values, byName, input, output: outName ? byName.get(outName) : undefined, ok: true, isPrelude: false };
}

export const TPU_V4: HardwareSpec = {
  name: 'tpu_v4', flops: 275e12, hbm: 32 * 2 ** 30, hbm_bw: 1.2e12, link_bw: 45e9, topology: 'torus',
  flops_eff: 1, hbm_eff: 1, link_eff: 1, collective_latency: 0, op_overhead: 0, extra: {},
};

export function mesh(hw: HardwareSpec, sizes: Record<string, number>, opts: { wrap?: boolean; topology?: 'torus' | 'switch'; link_bw?: Record<string, number> } = {}): MeshSpec {
  const names = [...new Set(['x', 'y', 'z', ...Object.keys(sizes)])];
  const all4 = names.every((n) => (sizes[n] ?? 1) % 4 === 0 || (sizes[n] ?? 1) === 1);
  const axes = names.map((n) => ({
    name: n,
    size: sizes[n] ?? 1,
    link_bw: opts.link_bw?.[n] ?? hw.link_bw,
    topology: opts.topology ?? hw.topology,
    wrap: opts.wrap ?? all4,
  }));
  return { name: 'm', hardware: hw, axes, chips: axes.reduce((p, a) => p * a.size, 1) };
}

export function model(over: Partial<ModelSpec> & { dims: ModelSpec['dims'] }): ModelSpec {
  return {
    name: 'test', layers: 1, ffn: 'gelu', block: 'serial', weights: 'bf16', kv: 'bf16', params: 1e9, paramsGiven: true, tied_embeddings: true,
    ...over,
  };
}

export function layout(opts: {
  model: ModelSpec; mesh: MeshSpec; workload: WorkloadSpec;
  ffn: CheckedBlock; attention: CheckedBlock | null;
  decode?: { ffn?: CheckedBlock; attention?: CheckedBlock | null; workload?: Partial<WorkloadSpec> };
  prefill?: { ffn?: CheckedBlock; attention?: CheckedBlock | null; workload?: Partial<WorkloadSpec> };
  unembed?: CheckedBlock | null; overlap?: 'none' | 'collective_einsum'; kvBudget?: number;
}): ResolvedLayout {
  const phase = (p: 'prefill' | 'decode'): PhaseSpec => {
    const o = opts[p];
    return {
      phase: p,
      workload: { ...opts.workload, ...(o?.workload ?? {}) },
      ffn: o?.ffn ?? opts.ffn,
      attention: o && o.attention !== undefined ? o.attention : opts.attention,
      unembed: opts.unembed ?? null,
    };
  };
  return {
    name: 'l', decl: {} as never, model: opts.model, mesh: opts.mesh, workload: opts.workload,
    prefill: phase('prefill'), decode: phase('decode'), unembed: opts.unembed ?? null, overlap: opts.overlap ?? 'none',
    ...(opts.kvBudget !== undefined ? { kvBudget: opts.kvBudget } : {}),
  };
}
