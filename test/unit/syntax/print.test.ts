import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, parseTypeText } from '../../../server/src/engine/syntax/parser';
import { printFile, printType } from '../../../server/src/engine/syntax/print';
import { PRELUDE_FILES } from '../../../server/src/engine/prelude/index';
import { analyze, sourceFromText } from '../../../server/src/engine/index';
import { astShape } from './astShape';

const EXAMPLES_DIR = join(__dirname, '../../../examples');

function parseText(text: string) {
  return parse({ uri: 'test.shard', text, isPrelude: false });
}

function typeOf(text: string) {
  const { type, errors } = parseTypeText(text);
  expect(errors).toEqual([]);
  return type!;
}

describe('printType: the canonical written form of spec §1', () => {
  it('concatenates groups and orders each group\'s axes x, y, z', () => {
    expect(printType(typeOf('E_x F_zy'))).toBe('E_xF_yz');
    expect(printType(typeOf('B_zyx L E'))).toBe('B_xyzLE');
  });

  it('keeps the written dim order, which records the logical shape (w_out is FE)', () => {
    expect(printType(typeOf('F_yz E_x'))).toBe('F_yzE_x');
  });

  it('writes the partialsum suffix last, with one space and its axes in mesh order', () => {
    expect(printType(typeOf('BLF_yz(partialsum-x)'))).toBe('BLF_yz (partialsum-x)');
    expect(printType(typeOf('BLE_x (partialsum-zy)'))).toBe('BLE_x (partialsum-yz)');
  });

  it('follows a mesh\'s own axis order when given one', () => {
    expect(printType(typeOf('F_xyz (partialsum-wx)'), ['z', 'y', 'x', 'w'])).toBe('F_zyx (partialsum-xw)');
  });

  it('puts axes outside the order after it, alphabetically', () => {
    expect(printType(typeOf('E_wxa'))).toBe('E_xaw');
  });
});

describe('printFile', () => {
  it('prints the spec §2.1 ws2d block with aligned `=` and `:` columns', () => {
    const text = `ffn ws2d {
in h : BLE_xyz
weight w_in : E_x F_yz
weight w_out : F_yz E_x
a = all_gather(h, yz) : BLE_x
b = einsum(a, w_in) : BLF_yz (partialsum-x)
c = reduce_scatter(b, x) : BLF_xyz
out c
}`;
    expect(printFile(parseText(text))).toBe(
      [
        'ffn ws2d {',
        '  in h : BLE_xyz',
        '  weight w_in  : E_xF_yz',
        '  weight w_out : F_yzE_x',
        '  a = all_gather(h, yz)    : BLE_x',
        '  b = einsum(a, w_in)      : BLF_yz (partialsum-x)',
        '  c = reduce_scatter(b, x) : BLF_xyz',
        '  out c',
        '}',
        '',
      ].join('\n'),
    );
  });

  it('pads let names to the longest one and prints cache name lists and unannotated lets', () => {
    const text = 'attention a {\n cache kc,vc : B T K Q\n in h:BLE\n kt=append(kc, k)\n wide_name = gelu(h)\n out wide_name\n}';
    expect(printFile(parseText(text))).toBe(
      ['attention a {', '  cache kc, vc : BTKQ', '  in h : BLE', '  kt        = append(kc, k)', '  wide_name = gelu(h)', '  out wide_name', '}', ''].join('\n'),
    );
  });

  it('keeps quantities as written: numeral text and unit, a space before a unit word, none before %', () => {
    const text = 'hardware hw {\n flops = 275TFLOP/s\n hbm=32 GiB\n hbm_bw = 1.2e12\n link_bw = 45 GB/s\n flops_eff = 80 %\n}';
    expect(printFile(parseText(text))).toBe(
      ['hardware hw {', '  flops     = 275 TFLOP/s', '  hbm       = 32 GiB', '  hbm_bw    = 1.2e12', '  link_bw   = 45 GB/s', '  flops_eff = 80%', '}', ''].join('\n'),
    );
  });

  it('writes meshes, workloads and derived declarations on one line, as the spec does', () => {
    const text = 'mesh pod64 = tpu_v4 {\n x = 4\n y = 4; z = 4 }\nworkload chat { batch = 64, prompt = 1984, generate = 64 }\nmodel m = palm_540b { weights = int8 }\nmesh alias = pod64';
    expect(printFile(parseText(text))).toBe(
      [
        'mesh pod64 = tpu_v4 { x = 4, y = 4, z = 4 }',
        '',
        'workload chat { batch = 64, prompt = 1984, generate = 64 }',
        '',
        'model m = palm_540b { weights = int8 }',
        '',
        'mesh alias = pod64',
        '',
      ].join('\n'),
    );
  });

  it('prints nested records inline when flat, aligning only the `=` of scalar fields', () => {
    const text = `layout l {
  model = palm_540b { weights = bf16 }
  mesh = pod64
  workload { batch = 512, prompt = 2048, generate = 64 }
  prefill { ffn = wg_xyz, attention = batch }
  decode { ffn = ws2d, attention = batch }
}`;
    expect(printFile(parseText(text))).toBe(
      [
        'layout l {',
        '  model = palm_540b { weights = bf16 }',
        '  mesh  = pod64',
        '  workload { batch = 512, prompt = 2048, generate = 64 }',
        '  prefill { ffn = wg_xyz, attention = batch }',
        '  decode { ffn = ws2d, attention = batch }',
        '}',
        '',
      ].join('\n'),
    );
  });

  it('never throws on a tree with syntax errors', () => {
    const file = parseText('model m {\n layers = \n E = 3 4\n}\nffn f {\n a = einsum(\n in h : B_\n}');
    expect(file.errors.length).toBeGreaterThan(0);
    expect(() => printFile(file)).not.toThrow();
  });
});

describe('print then parse round-trips the prelude and the examples', () => {
  const sources = [
    ...PRELUDE_FILES.map((s) => ({ name: s.uri, text: s.text })),
    ...readdirSync(EXAMPLES_DIR)
      .filter((f) => f.endsWith('.shard'))
      .map((f) => ({ name: `examples/${f}`, text: readFileSync(join(EXAMPLES_DIR, f), 'utf8') })),
  ];
  it.each(sources)('$name', ({ text }) => {
    const original = parseText(text);
    expect(original.errors).toEqual([]);
    const printed = printFile(original);
    const reparsed = parseText(printed);
    expect(reparsed.errors).toEqual([]);
    expect(astShape(reparsed.decls)).toEqual(astShape(original.decls));
    // Canonical: printing the printed text changes nothing.
    expect(printFile(reparsed)).toBe(printed);
  });
});

describe('printing preserves meaning', () => {
  // The diagnostic fixtures are files full of mistakes: the printed text must have the same
  // findings (by code; ranges and line numbers in messages move). Files with syntax errors are
  // left out: a tree with holes has no text that means the same.
  const FIXTURES = join(__dirname, '../../fixtures/diagnostics');
  const fixtures = readdirSync(FIXTURES).filter((f) => f.endsWith('.shard') && !f.startsWith('syntax.'));
  it.each(fixtures)('%s', (name) => {
    const text = readFileSync(join(FIXTURES, name), 'utf8');
    const codes = (t: string) => analyze(sourceFromText(t), { cost: false }).diagnostics.map((d) => `${d.code} ${d.severity}`).sort();
    const printed = printFile(parseText(text));
    expect(codes(printed)).toEqual(codes(text));
  });
});
