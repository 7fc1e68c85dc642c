// How findings are reported (spec §3): one mistake once, later statements carrying on from the
// annotation, and a stable order.

import { expect, it } from 'vitest';
import { analyze, sourceFromText } from '../../../server/src/engine/index';

function diagnosticsOf(text: string) {
  const analysis = analyze(sourceFromText(text, 'file:///reporting.shard'), { cost: false });
  return analysis.diagnostics.map((d) => `${d.code} \`${text.slice(d.span.start, d.span.end)}\``);
}

it('after an error in an annotated statement, later statements use the annotated type', () => {
  // b's einsum is wrong (E sharded over z and x), but b is annotated partial over x: gelu(b) is
  // then a non-linearity of a partial sum, a second and separate mistake.
  const text = `ffn f {
  in h : BLE_xyz
  weight w : E_x F_yz
  a = all_gather(h, xy) : BLE_z
  b = einsum(a, w) : BLF_yz (partialsum-x)
  c = gelu(b)
  out h
}
`;
  expect(diagnosticsOf(text)).toEqual(['sharding-mismatch `w`', 'partialsum `b`']);
});

it('after an error in an unannotated statement, the value is unknown and nothing more is said', () => {
  const text = `ffn f {
  in h : BLE_xyz
  a = all_gather(h, w)
  b = gelu(a)
  c = einsum(b, b) : BLE
  out c
}
`;
  expect(diagnosticsOf(text)).toEqual(['bad-collective `w`']);
});

it('sorts findings on one token by code', () => {
  // The second `half` is both a duplicate and incomplete: two codes at one position.
  const text = 'model half { layers = 2, E = 1024, F = 4096, H = 8, Q = 128, V = 32000 }\nmodel half { layers = 2 }\n';
  expect(diagnosticsOf(text)).toEqual(['duplicate-name `half`', 'missing-field `half`']);
});

it('a mistake in a block used by several layouts is reported once per layout, on the same token', () => {
  const text = `mesh pod = tpu_v4 { x = 4, y = 4, z = 4 }
ffn mine {
  in h : BLE_xyz
  a = slice(h, w) : BLE_xyzw
  b = all_gather(a, w) : BLE_xyz
  out b
}
layout one { model = palm_540b, mesh = pod, workload { batch = 64, prompt = 2048, generate = 64 }, ffn = mine, attention = none }
layout two { model = palm_540b, mesh = pod, workload { batch = 64, prompt = 2048, generate = 64 }, ffn = mine, attention = none }
`;
  const axisFindings = analyze(sourceFromText(text), { cost: false }).diagnostics.filter((d) => d.code === 'unknown-axis');
  // Three `w` tokens, each named once for layout one and once for layout two.
  expect(axisFindings.map((d) => d.layout).sort()).toEqual(['one', 'one', 'one', 'two', 'two', 'two']);
  expect(new Set(axisFindings.map((d) => `${d.span.start}|${d.message}`)).size).toBe(6);
});
