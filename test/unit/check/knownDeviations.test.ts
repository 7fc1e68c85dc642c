// Where the checker does not yet do what spec/language.md says. Each test asserts the spec and is
// marked `it.fails` while the deviation stands: when the checker is fixed the test starts to
// "fail" (it passes), and the `.fails` must then be removed so it guards the fix.

import { expect, it } from 'vitest';
import { analyze, sourceFromText } from '../../../server/src/engine/index';

function diagnosticsOf(text: string) {
  const analysis = analyze(sourceFromText(text, 'file:///deviation.shard'), { cost: false });
  return analysis.diagnostics.map((d) => ({ code: d.code, text: text.slice(d.span.start, d.span.end), at: d.span.start, message: d.message }));
}

const POD = 'mesh pod = tpu_v4 { x = 4, y = 4, z = 4 }\n';

// Spec §3: "The same diagnostic for the same token is reported once." A layout whose ffn and
// attention apply to both phases gets the residual finding once per phase, on one token, with
// messages that differ only in "(prefill)" / "(decode)".
it('a residual mismatch for both phases is reported once on the attention value', () => {
  const text = `${POD}layout l {
  model = palm_540b
  mesh = pod
  workload { batch = 64, prompt = 2048, generate = 64 }
  ffn = ws2d
  attention = wg_xyz_batch
}
`;
  const found = diagnosticsOf(text).filter((d) => d.code === 'type-mismatch');
  expect(found.map((d) => d.text)).toEqual(['wg_xyz_batch']);
});

// Same rule, not-divisible: B = 6 over the 64 chips of ws2d_batch's B_xyz is the same finding
// in prefill and decode (one batch size), yet it is reported twice, and so is the padding warning.
it('a size finding that holds in both phases is reported once', () => {
  const text = `${POD}layout l { model = palm_540b, mesh = pod, workload { batch = 6, prompt = 2048, generate = 64 }, ffn = ws2d, attention = batch }\n`;
  const found = diagnosticsOf(text).filter((d) => d.code === 'not-divisible' && d.message.includes('B = 6'));
  const withoutPhase = found.map((d) => d.message.replace(/ ?\((prefill|decode)\)/g, ''));
  expect(withoutPhase.length).toBe(new Set(withoutPhase).size);
});

// Spec §1/§3: a quantity of the wrong kind or with an unknown unit is `unit`, range "the
// quantity" (`1.2 TB/s`), as it is for a count written with a unit (`128 GB`). The checker puts
// the first two on the unit word alone (records.ts readValue: `value.unit && r.fixes`, and an
// empty fixes array is truthy).
it('a wrong-kind or unknown unit is reported on the whole quantity', () => {
  const text = 'hardware h { flops = 275 TFLOP/s, hbm = 1.2 TB/s, hbm_bw = 1.2 TB/s, link_bw = 45 KB/s }\n';
  const found = diagnosticsOf(text).filter((d) => d.code === 'unit');
  expect(found.map((d) => d.text)).toEqual(['1.2 TB/s', '45 KB/s']);
});

// Spec §3: "unknown-axis: an axis the layout's mesh does not have … An axis letter reported as
// unknown-axis gets no other diagnostic." A block with a block-level error once skipped the
// layout checks entirely, so a mistyped axis (`w` for `z`) was reported only as bad-collective and
// never as unknown-axis; now its axes are still checked against the mesh (layoutResolver.ts
// phaseBlocks) and only the size checks are skipped.
it('an axis the mesh lacks is unknown-axis, and only that, in a block with an error', () => {
  const text = `${POD}ffn mine {
  in h : BLE_xyz
  a = all_gather(h, yw) : BLE_x
  out h
}
layout l { model = palm_540b, mesh = pod, workload { batch = 64, prompt = 2048, generate = 64 }, ffn = mine, attention = none }
`;
  const onW = diagnosticsOf(text).filter((d) => d.at === text.indexOf('yw)') + 1 || d.text === 'yw');
  expect(onW.map((d) => `${d.code} ${d.text}`)).toEqual(['unknown-axis w']);
});

// Spec §3: "the parser recovers and keeps checking the rest … one mistake is reported once".
// A let statement whose argument list does not parse is kept with the arguments read so far,
// and the checker then reports `bad-call` on that partial list (range `(h `, with the space) for
// the same mistake.
it('a syntax error inside an argument list is not also a bad-call', () => {
  const text = 'ffn f {\n  in h : BLE_xyz\n  a = all_gather(h yz) : BLE_x\n  out h\n}\n';
  expect(diagnosticsOf(text).map((d) => `${d.code} ${d.text}`)).toEqual(['syntax yz']);
});

// Spec §2.1: `add` of two partial sums over the same axes is allowed, and `add` operands must have
// equal types, so two partial sums over x with different shardings are a type-mismatch. The
// checker reports `partialsum` on the first operand instead, as if partial sums were not allowed.
it('add of two partial sums over the same axes but different types is a type-mismatch', () => {
  const text = `ffn f {
  in h : BLE_xyz
  weight w : E_x F_yz
  a = all_gather(h, yz) : BLE_x
  p = einsum(a, w) : BLF_yz (partialsum-x)
  q = all_gather(p, y) : BLF_z (partialsum-x)
  s = add(p, q)
  out h
}
`;
  expect(diagnosticsOf(text).map((d) => `${d.code} ${d.text}`)).toEqual(['type-mismatch q']);
});
