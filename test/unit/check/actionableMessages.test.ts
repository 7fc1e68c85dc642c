// Messages a user can act on (issue 15): one finding per cause when a mesh axis does not divide
// the model, suggestions for a hardware name that extends a known one, the attention blocks that
// fit an ffn without a `heads`/`batch` family, and an out-of-memory message that says which KV
// cache it counts. Expectations are derived from the sizes in the texts, not from the messages.

import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyze, sourceFromText } from '../../../server/src/engine/index';
import type { Diagnostic } from '../../../server/src/engine/diagnostics';
import { similarNames } from '../../../server/src/engine/check/similarNames';
import { formatBytes } from '../../../server/src/engine/report/format';

const TUTORIAL = readFileSync(path.resolve(__dirname, '../../../examples/tutorial.shard'), 'utf8');

function analysed(text: string, cost = false) {
  return analyze(sourceFromText(text, 'file:///messages.shard'), { cost });
}

function diagnostics(text: string, code: string, cost = false): Diagnostic[] {
  return analysed(text, cost).diagnostics.filter((d) => d.code === code);
}

describe('not-divisible: one finding per cause', () => {
  // The tutorial's file on a 3×4×4 mesh: 48 chips, and an x axis of 3 that divides nothing.
  const text = TUTORIAL.replace('mesh pod = tpu_v4 { x = 4, y = 4, z = 4 }', 'mesh pod = tpu_v4 { x = 3, y = 4, z = 4 }');
  const found = diagnostics(text, 'not-divisible');
  const causes = (layout: string) =>
    found.filter((d) => d.layout === layout).map((d) => /: ([A-Z]) = (\d+) is not divisible by (\d+) /.exec(d.message)!.slice(1).join(' '));

  it('reports each dim size over each shard count once per layout, not at every type that splits it', () => {
    // LLaMA 65B: E = 8192, F = 22016, H = K = 64, V = 32000. my_1d splits E and F over xyz (48);
    // the built-in attention splits H and K over xyz; the built-in unembedding splits V over xyz
    // and E over x (3). None of them divides.
    expect(causes('one_d').sort()).toEqual(['E 8192 3', 'E 8192 48', 'F 22016 48', 'H 64 48', 'K 64 48', 'V 32000 48']);
    expect(causes('two_d').sort()).toEqual(['E 8192 3', 'E 8192 48', 'F 22016 48', 'H 64 48', 'K 64 48', 'V 32000 48']);
  });

  it('lands on the first place the block writes the dim that way, with the others as related places', () => {
    const e48 = found.find((d) => d.layout === 'one_d' && d.message.includes('E = 8192 is not divisible by 48'))!;
    // `in h : BLE_xyz` is my_1d's first type that splits E over xyz.
    const first = text.indexOf('BLE_xyz', text.indexOf('ffn my_1d')) + 'BL'.length;
    expect(e48.span.start).toBe(first);
    // my_1d writes E over xyz twice more: `n = layernorm(h) : BLE_xyz` and `y = … : BLE_xyz`.
    const body = text.slice(text.indexOf('ffn my_1d'), text.indexOf('\n}', text.indexOf('ffn my_1d')));
    const places = body.split('\n').filter((line) => /E_xyz/.test(line)).length;
    const related = (e48.related ?? []).filter((r) => r.message.includes('split 48 ways here too'));
    expect(related).toHaveLength(places - 1);
  });

  it('gives a small padding waste to three significant digits, never 0.0%', () => {
    // E = 8192 over x = 3: 2731 per chip, 2731 · 3 − 8192 = 1 padded element of 8193.
    const e3 = found.find((d) => d.layout === 'one_d' && d.message.includes('E = 8192 is not divisible by 3 '))!;
    expect(e3.message).toContain(`each chip holds 2731, padding wastes ${(100 / 8193).toPrecision(3)}%`);
    for (const d of found) expect(d.message).not.toMatch(/wastes 0\.0%/);
  });
});

describe('unknown names: suggestions by edits and by extension', () => {
  const message = (text: string) => diagnostics(text, 'unknown-name')[0]?.message;

  it('suggests the known hardware a name extends', () => {
    expect(message('mesh m = h100_sxm { x = 8 }\n')).toBe('no hardware or mesh named `h100_sxm`; did you mean `h100`?');
    expect(message('mesh m = tpu_v4_pod { x = 4, y = 4, z = 4 }\n')).toMatch(/did you mean `tpu_v4`\?$/);
  });

  it('still suggests names a couple of edits away, closest first', () => {
    expect(message('mesh m = tpu_v9 { x = 4, y = 4, z = 4 }\n')).toMatch(/did you mean `tpu_v4` or /);
  });

  it('is the one matching rule for every kind of record', () => {
    const text = `mesh pod = tpu_v4 { x = 4, y = 4, z = 4 }
workload chat { batch = 8, prompt = 128, generate = 8 }
layout l {
  model = palm_62b_chat
  mesh = pod
  workload = chat_long
  ffn = ws2d
  attention = batch
}
`;
    const messages = diagnostics(text, 'unknown-name').map((d) => d.message);
    expect(messages).toContain('no model named `palm_62b_chat`; did you mean `palm_62b`?');
    expect(messages).toContain('no workload named `chat_long`; did you mean `chat`?');
  });

  it('ranks by edits, then extension, keeping the candidates\' order; a short common start says nothing', () => {
    expect(similarNames('h100_sxm', ['a100', 'h100', 'h200'])).toEqual(['h100']);
    expect(similarNames('tpu', ['h100', 'tpu_v4', 'tpu_v5e'])).toEqual(['tpu_v4', 'tpu_v5e']);
    expect(similarNames('tp', ['tpu_v4', 'tpu_v5e'])).toEqual([]);
    expect(similarNames('tpu_v5', ['tpu_v5e_pod', 'tpu_v4', 'tpu_v5e'])).toEqual(['tpu_v4', 'tpu_v5e', 'tpu_v5e_pod']);
  });
});

describe('an ffn without a heads/batch family', () => {
  // my_2d is the user's own block: `attention = heads` would need `my_2d_heads_mha`.
  const text = TUTORIAL.replace('  ffn = my_2d\n  attention = ws2d_heads', '  ffn = my_2d\n  attention = heads');
  const error = diagnostics(text, 'unknown-name').find((d) => d.layout === 'two_d')!;

  it('names the attention blocks that read and write its residual stream, the asked-for sharding first', () => {
    expect(error.message).toMatch(/^my_2d has no heads-sharded attention \(`my_2d_heads`\); attention blocks that read and write my_2d's residual stream BLE_xyz: /);
    expect(error.message).toContain('`attention = ws2d_heads`');
    const suggested = [...error.message.matchAll(/`attention = (\w+)`/g)].map((m) => m[1]);
    expect(suggested[0]).toMatch(/_heads$/);
    // It no longer points at `attention = batch`, which my_2d has no family for either.
    expect(error.message).not.toContain('use `attention = batch`');
  });

  it('offers each suggested attention as a quick fix on the `attention` value, the first preferred', () => {
    const suggested = [...error.message.matchAll(/`attention = (\w+)`/g)].map((m) => m[1]);
    expect(text.slice(error.span.start, error.span.end)).toBe('heads');
    expect(error.fixes?.map((f) => f.edits.map((e) => e.newText).join())).toEqual(suggested);
    expect(error.fixes?.map((f) => !!f.preferred)).toEqual(suggested.map((_, i) => i === 0));
    for (const f of error.fixes!) expect(f.edits[0].span).toEqual(error.span);
  });

  it('suggests only blocks with which the layout checks', () => {
    const suggested = [...error.message.matchAll(/`attention = (\w+)`/g)].map((m) => m[1]);
    expect(suggested.length).toBeGreaterThan(1);
    for (const name of suggested) {
      const fixed = text.replace('  ffn = my_2d\n  attention = heads', `  ffn = my_2d\n  attention = ${name}`);
      const errors = analysed(fixed).diagnostics.filter((d) => d.severity === 'error');
      expect(errors, name).toEqual([]);
    }
  });
});

describe('out-of-memory names the KV cache it counts', () => {
  // Prefill's activations for 2048 sequences of 2048 tokens decide: the phase is prefill, and the
  // KV figure is decode's cache at T = prompt + generate, held from the prefill on.
  const text = `mesh pod = tpu_v4 { x = 4, y = 4, z = 4 }
layout l {
  model = palm_540b { weights = int8 }
  mesh = pod
  workload { batch = 2048, prompt = 2048, generate = 64 }
  prefill { ffn = wg_xyz, attention = batch }
  decode { ffn = ws2d, attention = batch }
}
`;

  it('in prefill: the decode KV cache, at its longest', () => {
    const analysis = analysed(text, true);
    const oom = analysis.diagnostics.find((d) => d.code === 'out-of-memory')!;
    const kv = analysis.costs.get('l')!.memory.kv.value;
    expect(oom.message).toContain('(prefill)');
    expect(oom.message).toContain(`+ decode KV cache (at T = prompt + generate, held from the prefill on) ${formatBytes(kv)} +`);
  });

  it('in decode: the KV cache', () => {
    // Long generations: 512 sequences of 64 + 32,768 tokens of multiquery cache beside the int8
    // weights, prefilled one sequence at a time (split over heads, as one sequence cannot be
    // split over the batch): decode's activations (512 tokens) outweigh prefill's (64), so the
    // decode total is the larger one.
    const decodeHeavy = text
      .replace('batch = 2048, prompt = 2048, generate = 64', 'batch = 512, prompt = 64, generate = 32768')
      .replace('  prefill { ffn = wg_xyz, attention = batch }\n  decode { ffn = ws2d, attention = batch }\n', '  prefill { batch = 1, attention = heads }\n  ffn = ws2d\n  attention = batch\n');
    const oom = diagnostics(decodeHeavy, 'out-of-memory', true)[0];
    expect(oom.message).toContain('(decode)');
    expect(oom.message).toMatch(/ \+ KV cache [0-9.]+ [KMGT]?i?B \+ /);
    expect(oom.message).not.toContain('decode KV cache');
  });
});

describe('a count larger than what it counts is an error, not a silent clamp', () => {
  const span = (text: string, d: Diagnostic) => text.slice(d.span.start, d.span.end);

  it('dense_layers and local_layers above layers, top_k above X: one bad-value each, on the value written', () => {
    const text = [
      'model deep = deepseek_v3 { dense_layers = 100 }', // deepseek_v3 has 61 layers
      'model windowed = palm_8b { window = 512, local_layers = 99 }', // palm_8b has 32
      'model routed = mixtral_8x22b { top_k = 9 }', // 8 experts
      'model fine = mixtral_8x22b { top_k = 8 }',
      '',
    ].join('\n');
    const found = diagnostics(text, 'bad-value');
    expect(found.map((d) => span(text, d))).toEqual(['100', '99', '9']);
    expect(found[0].message).toContain('61 layers');
    expect(found[1].message).toContain('32 layers');
    expect(found[2].message).toContain('8 routed experts');
  });

  it('a derived model that shrinks the whole is reported once, naming the new size; plain uses are not reported again', () => {
    const text = [
      'model base = deepseek_v3 { dense_layers = 3 }',
      'model short = base { layers = 2 }',
      'mesh m = h100 { x = 8 }',
      'layout a { model = base, mesh = m, workload { batch = 8, prompt = 64, generate = 4 }, ffn = moe_ep_x, attention = none }',
      '',
    ].join('\n');
    const found = diagnostics(text, 'bad-value').filter((d) => /dense_layers/.test(d.message));
    expect(found).toHaveLength(1);
    expect(found[0].message).toContain('2 layers');
  });
});
