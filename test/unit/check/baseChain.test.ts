// One base-chain walker (check/baseChain.ts) serves every declaration kind: models, hardware and
// workloads merge fields along `= base`, meshes merge axes, layouts merge fields and phases. So a
// cycle, an unknown base and a chain past the limit are reported the same way for each kind.

import { describe, expect, it } from 'vitest';
import { analyze, sourceFromText } from '../../../server/src/engine/index';
import { MAX_BASE_CHAIN } from '../../../server/src/engine/check/baseChain';

function findings(text: string): string[] {
  const a = analyze(sourceFromText(text), { cost: false });
  return a.diagnostics.map((d) => `${a.lineIndex.positionAt(d.span.start).line + 1} ${d.code}: ${d.message}`);
}

describe('a `= base` cycle', () => {
  it.each([
    ['model', 'model a = b { layers = 2 }\nmodel b = a { E = 8 }\n'],
    ['workload', 'workload a = b { batch = 2 }\nworkload b = a { prompt = 8 }\n'],
    ['hardware', 'hardware a = b { flops = 1 TFLOP/s }\nhardware b = a { hbm = 1 GiB }\n'],
    ['layout', 'layout a = b { overlap = none }\nlayout b = a { overlap = none }\n'],
  ])('of %ss is reported on the base of each declaration in it, with the path', (kind, text) => {
    expect(findings(text)).toEqual([`1 bad-value: ${kind} a starts from itself (a → b → a)`, `2 bad-value: ${kind} b starts from itself (b → a → b)`]);
  });

  it('of meshes is reported once, and a layout on such a mesh is not costed', () => {
    const text = 'mesh a = b { x = 2 }\nmesh b = a { y = 2 }\nlayout l { model = palm_8b, mesh = b, workload { batch = 8, prompt = 8, generate = 8 }, ffn = ws2d, attention = batch }\n';
    expect(findings(text)).toEqual(['1 bad-value: mesh a starts from itself (a → b → a)']);
    expect(analyze(sourceFromText(text), { cost: false }).uncostable.map((u) => u.reason)).toEqual(['its mesh could not be resolved']);
  });
});

describe('a chain longer than the limit', () => {
  const chain = (kind: string, root: string, body: string) =>
    [`${kind} d0${root} { ${body} }`, ...Array.from({ length: MAX_BASE_CHAIN + 2 }, (_, i) => `${kind} d${i + 1} = d${i} { ${body} }`)].join('\n');

  it.each([
    ['model', '', 'layers = 2, E = 8, F = 32, H = 2, Q = 4, V = 64'],
    // A mesh's chain ends in its hardware, which is not a mesh and does not count.
    ['mesh', ' = tpu_v4', 'x = 2'],
  ])('of a %s is cut on the base of the declaration whose chain it is', (kind, root, body) => {
    const limits = findings(chain(kind, root, body)).filter((f) => f.includes(' limit: '));
    // d0 … d63 have chains of at most 64 declarations.
    expect(limits[0]).toBe(`${MAX_BASE_CHAIN + 1} limit: ${kind} d${MAX_BASE_CHAIN} starts from a chain of more than ${MAX_BASE_CHAIN} declarations; shorten the chain`);
  });

  it('of layouts is cut the same way', () => {
    const lines = ['layout d0 { model = palm_8b, mesh = tpu_v4 { x = 4 }, workload { batch = 8, prompt = 8, generate = 8 }, ffn = ws2d, attention = batch }'];
    for (let i = 1; i <= MAX_BASE_CHAIN + 1; i++) lines.push(`layout d${i} = d${i - 1} { }`);
    const limits = findings(lines.join('\n')).filter((f) => f.includes(' limit: '));
    expect(limits).toEqual([`${MAX_BASE_CHAIN + 1} limit: layout d${MAX_BASE_CHAIN} starts from a chain of more than ${MAX_BASE_CHAIN} declarations; shorten the chain`, `${MAX_BASE_CHAIN + 2} limit: layout d${MAX_BASE_CHAIN + 1} starts from a chain of more than ${MAX_BASE_CHAIN} declarations; shorten the chain`]);
  });
});

describe('a chain that resolves', () => {
  it('merges every kind base first, own fields last', () => {
    const text = [
      'hardware h0 = tpu_v4 { hbm = 16 GiB }',
      'hardware h1 = h0 { price = 2 }',
      'mesh m0 = h1 { x = 2, y = 2 }',
      'mesh m1 = m0 { y = 4, z = 2 }',
      'model p0 = palm_8b { layers = 2 }',
      'model p1 = p0 { weights = int8 }',
      'workload w0 { batch = 8, prompt = 64, generate = 8 }',
      'workload w1 = w0 { batch = 16 }',
      'layout l0 { model = p1, mesh = m1, workload = w1, ffn = ws2d, attention = batch, measured { prefill = 1 s } }',
      'layout l1 = l0 { decode { ffn = ws1d } }',
    ].join('\n');
    const a = analyze(sourceFromText(text), { cost: false });
    expect(a.diagnostics).toEqual([]);
    const l1 = a.layouts.find((l) => l.name === 'l1')!;
    expect(l1.mesh.hardware.hbm).toBe(16 * 2 ** 30);
    expect(l1.mesh.hardware.extra.price).toBe(2);
    expect(l1.mesh.axes.map((x) => `${x.name}${x.size}`)).toEqual(['x2', 'y4', 'z2']);
    expect([l1.model.layers, l1.model.weights]).toEqual([2, 'int8']);
    expect(l1.workload).toEqual({ batch: 16, prompt: 64, generate: 8 });
    // palm_8b is a swiglu model: the built-in names stand for their swiglu variants.
    expect([l1.prefill.ffn.name, l1.decode.ffn.name]).toEqual(['ws2d_swiglu', 'ws1d_swiglu']);
    // Measured results describe one configuration: l1 does not inherit l0's.
    expect(l1.measured).toBeUndefined();
    expect(a.layouts.find((l) => l.name === 'l0')!.measured?.prefill_s).toBe(1);
  });
});
