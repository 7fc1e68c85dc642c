// Network tiers (docs/language.md "Network tiers"): a GPU preset's scale-up domain and scale-out
// network, and how a mesh's axes are laid on them, innermost (first) axis first. Expectations
// are the presets' data-sheet figures and the α–β formulas of cost-model.md, written here.

import { describe, expect, it } from 'vitest';
import { costShard } from './helpers/shard';
import { collectiveAffine } from '../../../server/src/engine/cost/collectives';
import { GATHER, REDUCE } from '../../../server/src/engine/ops/collectives';
import type { MeshSpec } from '../../../server/src/engine/check/resolved';

const GB = 1e9;
const US = 1e-6;
/** Per GPU, one direction: NVLink 4 (H100), NVLink 5 (GB200), one 400 Gb/s NIC, its step latency. */
const NVLINK4 = 450 * GB, NVLINK5 = 900 * GB, NIC = 400e9 / 8, NET_LATENCY = 5 * US;

const MODEL = 'model tiny { layers = 1, E = 1024, F = 4096, H = 16, K = 16, Q = 64, V = 1024 }';

/** The mesh a layout on `mesh` resolves to. */
function meshOf(mesh: string, prefix = ''): MeshSpec {
  const { layout } = costShard(`${MODEL}\n${prefix}\nlayout l { model = tiny, mesh = ${mesh}, workload { batch = 64, prompt = 64, generate = 4 }, ffn = ws1d, attention = heads }`);
  return layout.mesh;
}

function axis(mesh: MeshSpec, name: string) {
  return mesh.axes.find((a) => a.name === name)!;
}

describe('axes on tiers', () => {
  it('h100 8×8: x fills an 8-GPU node (NVLink), y runs over the network', () => {
    const m = meshOf('h100 { x = 8, y = 8 }');
    expect(axis(m, 'x')).toMatchObject({ tier: 'scale-up', link_bw: NVLINK4, topology: 'switch' });
    expect(axis(m, 'y')).toMatchObject({ tier: 'scale-out', link_bw: NIC, topology: 'switch', latency: NET_LATENCY });
  });

  it('the declaration order decides which axis is innermost', () => {
    const m = meshOf('h100 { y = 8, x = 8 }');
    expect(axis(m, 'y').tier).toBe('scale-up');
    expect(axis(m, 'x')).toMatchObject({ tier: 'scale-out', link_bw: NIC });
  });

  it('axes that fit in one domain together all use NVLink', () => {
    const m = meshOf('h100 { x = 2, y = 4 }');
    expect([axis(m, 'x').tier, axis(m, 'y').tier]).toEqual(['scale-up', 'scale-up']);
    expect(axis(m, 'y').link_bw).toBe(NVLINK4);
  });

  it('an axis that leaves the domain part-way spans both tiers: 4 × 4 on 8-GPU nodes gives y 2 in a node × 2 nodes', () => {
    const y = axis(meshOf('h100 { x = 4, y = 4 }'), 'y');
    expect(y.tier).toBe('spans');
    expect(y.scaleUp).toEqual({ size: 2, link_bw: NVLINK4, topology: 'switch' });
    expect(y.link_bw).toBe(NIC);
  });

  it('explicit per-axis settings win over the tier', () => {
    const y = axis(meshOf('h100 { x = 8, y = 8, link_bw_y = 100 GB/s }'), 'y');
    expect(y.link_bw).toBe(100 * GB);
    expect(y.tier).toBe('scale-out');
    // Declared by hand as the network, exactly as the preset derives it: the same axis.
    const byHand = axis(meshOf('h100 { x = 8, y = 8, link_bw_y = 50 GB/s, topology_y = switch }'), 'y');
    expect(byHand).toEqual(axis(meshOf('h100 { x = 8, y = 8 }'), 'y'));
  });

  it('GB200 NVL72: 64 GPUs are one NVLink domain; past 72 the network starts', () => {
    const m = meshOf('gb200_nvl72 { x = 8, y = 8 }');
    expect([axis(m, 'x').link_bw, axis(m, 'y').link_bw]).toEqual([NVLINK5, NVLINK5]);
    const big = meshOf('gb200_nvl72 { x = 64, y = 2 }');
    expect(axis(big, 'x').tier).toBe('scale-up');
    expect(axis(big, 'y')).toMatchObject({ tier: 'scale-out', link_bw: NIC });
  });

  it('A100 nodes have one 200 Gb/s NIC per GPU', () => {
    expect(axis(meshOf('a100 { x = 8, y = 2 }'), 'y').link_bw).toBe(200e9 / 8);
  });

  it('hardware without tiers (TPU ICI, a user hardware) keeps one link for every axis', () => {
    const m = meshOf('tpu_v4 { x = 4, y = 4, z = 4 }');
    for (const a of m.axes) expect(a.tier).toBeUndefined();
    const own = meshOf('gpu { x = 8, y = 8 }', 'hardware gpu { flops = 1 PFLOP/s, hbm = 80 GB, hbm_bw = 3 TB/s, link_bw = 400 GB/s, topology = switch }');
    expect(axis(own, 'y').link_bw).toBe(400 * GB);
  });
});

describe('collectives over the network tier', () => {
  it('all_gather over y on 8×8 H100s: α_net + D·(P−1)/P / NIC', () => {
    const c = collectiveAffine(GATHER, ['y'], meshOf('h100 { x = 8, y = 8 }'));
    expect(c.a).toBe(NET_LATENCY);
    expect(c.b).toBeCloseTo(7 / 8 / NIC, 25);
  });

  it('all_reduce over xy on 8×8 H100s: one phase in the node, one across nodes', () => {
    // all_reduce keeps its volume D in each phase: D·7/8/NVLink + α_net + D·7/8/NIC.
    const c = collectiveAffine(REDUCE, ['x', 'y'], meshOf('h100 { x = 8, y = 8 }'));
    expect(c.a).toBe(NET_LATENCY);
    expect(c.b).toBeCloseTo(7 / 8 / NVLINK4 + 7 / 8 / NIC, 25);
  });
});

describe('hierarchical collectives: an axis across two tiers (x = 16 on 8-GPU nodes)', () => {
  // x = 16: 8 GPUs inside each node over NVLink, then 2 nodes over the network.
  const x16 = () => meshOf('h100 { x = 16 }');

  it('all_gather: the in-node phase moves the output of half the axis, the network phase the whole', () => {
    // Phase 1 (NVLink, 8 GPUs) gathers D/2: (D/2)·7/8 / 450 GB/s; phase 2 (network, 2 nodes)
    // gathers D: α_net + D·1/2 / 50 GB/s.
    const c = collectiveAffine(GATHER, ['x'], x16());
    expect(c.a).toBe(NET_LATENCY);
    expect(c.b).toBeCloseTo((1 / 2) * (7 / 8) / NVLINK4 + (1 / 2) / NIC, 25);
    const D = 64e6;
    expect(c.a + c.b * D).toBeCloseTo(5e-6 + (32e6 * 7) / 8 / 450e9 + 64e6 / 2 / 50e9, 15);
    // In µs: 5 + 62.2 + 640 = 707.2.
    expect((c.a + c.b * D) / US).toBeCloseTo(5 + 62.222 + 640, 2);
  });

  it('all_reduce: D·7/8 over NVLink, then D·1/2 over the network', () => {
    const c = collectiveAffine(REDUCE, ['x'], x16());
    expect(c.a).toBe(NET_LATENCY);
    expect(c.b).toBeCloseTo(7 / 8 / NVLINK4 + 1 / 2 / NIC, 25);
  });

  it('costs exactly what the same chips as two axes (8 in a node × 2 nodes) cost', () => {
    for (const def of [GATHER, REDUCE]) {
      const one = collectiveAffine(def, ['x'], x16());
      const two = collectiveAffine(def, ['x', 'y'], meshOf('h100 { x = 8, y = 2 }'));
      expect([one.a, one.b]).toEqual([two.a, two.b]);
    }
  });

  it('without tiers (link_bw_x declared) the axis is one phase at its declared link', () => {
    const c = collectiveAffine(GATHER, ['x'], meshOf('h100 { x = 16, link_bw_x = 50 GB/s }'));
    expect(c.b).toBeCloseTo(15 / 16 / NIC, 25);
  });
});

describe('a layout on a tiered mesh costs the same as the mesh written out by hand', () => {
  it('h100 { x = 8, y = 8 } = h100 { x = 8, y = 8, link_bw_y = 50 GB/s, topology_y = switch }', () => {
    const at = (mesh: string) => costShard(`${MODEL}\nlayout l { model = tiny, mesh = ${mesh}, workload { batch = 64, prompt = 64, generate = 4 }, ffn = ws2d, attention = heads }`).cost;
    const plain = at('h100 { x = 8, y = 8 }');
    const byHand = at('h100 { x = 8, y = 8, link_bw_y = 50 GB/s, topology_y = switch }');
    const allNvlink = at('h100 { x = 8, y = 8, link_bw_y = 450 GB/s, topology_y = switch }');
    expect(plain.totalLatency.value).toBe(byHand.totalLatency.value);
    // The network is slower than NVLink: the old all-NVLink reading understated the time.
    expect(plain.decode.pass.latency.value).toBeGreaterThan(allNvlink.decode.pass.latency.value);
  });
});
