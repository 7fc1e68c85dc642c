// The parser against spec §1–2: what each construct parses to, with exact UTF-16 spans, and
// recovery that never loses the rest of the file.

import { describe, expect, it } from 'vitest';
import { parse, parseTypeText } from '../../../server/src/engine/syntax/parser';
import { LineIndex } from '../../../server/src/engine/syntax/lineIndex';
import type { BlockDecl, LetStmt, NumberValue, RecordDecl } from '../../../server/src/engine/syntax/ast';

function parseText(text: string) {
  return parse({ uri: 'test.shard', text, isPrelude: false });
}

function groupsOf(typeText: string) {
  const { type, errors } = parseTypeText(typeText);
  expect(errors).toEqual([]);
  return {
    groups: type!.dims.map((g) => `${g.letter}:${g.axes.map((a) => a.letter).join('')}`),
    partialsum: type!.partialsum?.axes.map((a) => a.letter).join('') ?? '',
  };
}

describe('tensor types (spec §1)', () => {
  it('reads groups written together or separated by spaces', () => {
    expect(groupsOf('BLE_xyz').groups).toEqual(['B:', 'L:', 'E:xyz']);
    expect(groupsOf('E_xF_yz').groups).toEqual(['E:x', 'F:yz']);
    expect(groupsOf('E_x F_yz').groups).toEqual(['E:x', 'F:yz']);
    expect(groupsOf('B_xyzLHQ').groups).toEqual(['B:xyz', 'L:', 'H:', 'Q:']);
  });

  it('reads the partialsum suffix with or without a space', () => {
    expect(groupsOf('BLF_yz (partialsum-x)')).toEqual({ groups: ['B:', 'L:', 'F:yz'], partialsum: 'x' });
    expect(groupsOf('BLE(partialsum-yz)')).toEqual({ groups: ['B:', 'L:', 'E:'], partialsum: 'yz' });
  });

  it('gives each letter and axis its own one-character span', () => {
    const text = 'E_x F_yz (partialsum-z)';
    const { type } = parseTypeText(text);
    const f = type!.dims[1];
    expect(text.slice(f.letterSpan.start, f.letterSpan.end)).toBe('F');
    expect(f.axes.map((a) => text.slice(a.start, a.end))).toEqual(['y', 'z']);
    expect(type!.partialsum!.axes.map((a) => a.start)).toEqual([text.lastIndexOf('z')]);
    expect(text.slice(type!.start, type!.end)).toBe(text);
  });

  it('reports an axis letter without `_` and a `_` without axes as syntax errors', () => {
    expect(parseTypeText('BLx').errors.map((e) => e.start)).toEqual([2]);
    expect(parseTypeText('BL_').errors.length).toBe(1);
  });
});

describe('quantities (spec §1)', () => {
  const valueOf = (fieldText: string) => {
    const file = parseText(`hardware h { ${fieldText} }`);
    expect(file.errors).toEqual([]);
    return (file.decls[0] as RecordDecl).fields[0].value as NumberValue;
  };

  it('reads the numeral and the unit, with or without a space', () => {
    expect([valueOf('flops = 275 TFLOP/s').text, valueOf('flops = 275 TFLOP/s').unit?.text]).toEqual(['275', 'TFLOP/s']);
    expect(valueOf('hbm = 32GiB').unit?.text).toBe('GiB');
    expect(valueOf('flops_eff = 30%').unit?.text).toBe('%');
    expect(valueOf('op_overhead = 1e-3 s')).toMatchObject({ text: '1e-3', value: 0.001 });
    expect(valueOf('price = 1.1e9')).toMatchObject({ text: '1.1e9', value: 1.1e9, unit: undefined });
  });

  it('does not take the next field\'s name for a unit when a separator is missing', () => {
    const file = parseText('model m {\n  E = 1024 F = 4096\n}');
    const fields = (file.decls[0] as RecordDecl).fields;
    expect((fields[0].value as NumberValue).unit).toBeUndefined();
    expect(file.errors.map((e) => file.source.text.slice(e.start, e.end))).toEqual(['F']);
  });
});

describe('declarations (spec §2)', () => {
  it('separates fields by new lines, `,` and `;`', () => {
    const file = parseText('workload w { batch = 1, prompt = 2; generate = 3\n}');
    expect((file.decls[0] as RecordDecl).fields.map((f) => f.name.text)).toEqual(['batch', 'prompt', 'generate']);
    expect(file.errors).toEqual([]);
  });

  it('reads a base and overrides, inline records, and dimension-letter fields', () => {
    const file = parseText('model m = palm_540b { weights = int8, E = 18432 }\nlayout l { workload { batch = 8 }, model = palm_8b { kv = int8 } }');
    expect(file.errors).toEqual([]);
    const [model, layout] = file.decls as RecordDecl[];
    expect(model.base?.text).toBe('palm_540b');
    expect(model.fields.map((f) => f.name.text)).toEqual(['weights', 'E']);
    expect(layout.fields[0].value.kind).toBe('record');
    expect(layout.fields[1].value).toMatchObject({ kind: 'name', name: { text: 'palm_8b' } });
  });

  it('keeps comments out of the tree and records their spans', () => {
    const text = '# about\nmesh m = tpu_v4 { x = 4 }  # four chips\n';
    const file = parseText(text);
    expect(file.errors).toEqual([]);
    expect(file.comments.map((c) => text.slice(c.start, c.end))).toEqual(['# about', '# four chips']);
  });

  it('treats CRLF like LF', () => {
    const file = parseText('workload w {\r\n  batch = 1\r\n  prompt = 2\r\n  generate = 3\r\n}\r\n');
    expect(file.errors).toEqual([]);
    expect((file.decls[0] as RecordDecl).fields.length).toBe(3);
  });

  it('reports records nested too deeply without overflowing', () => {
    const deep = `layout l { ${'a { '.repeat(5000)}${'} '.repeat(5000)}}`;
    const file = parseText(deep);
    expect(file.errors.length).toBeGreaterThan(0);
  });
});

describe('blocks (spec §2.1)', () => {
  it('reads every statement form', () => {
    const file = parseText('attention a {\n  in h : BLE\n  weight w_q : E H Q\n  cache kc, vc : BTKQ\n  q = einsum(h, w_q) : BLHQ\n  out q\n}');
    expect(file.errors).toEqual([]);
    const block = file.decls[0] as BlockDecl;
    expect(block.stmts.map((s) => s.kind)).toEqual(['in', 'weight', 'cache', 'let', 'out']);
    const cache = block.stmts[2];
    expect(cache.kind === 'cache' && cache.names.map((n) => n.text)).toEqual(['kc', 'vc']);
    const q = block.stmts[3] as LetStmt;
    expect([q.op.text, q.args.map((a) => a.text)]).toEqual(['einsum', ['h', 'w_q']]);
    expect(file.source.text.slice(q.eq.start, q.eq.end)).toBe('=');
  });

  it('lets `in`, `out`, `weight` and `cache` name values when followed by `=`', () => {
    const file = parseText('ffn f {\n  in h : BLE\n  out = gelu(h)\n  weight = gelu(out)\n  out weight\n}');
    expect(file.errors).toEqual([]);
    expect((file.decls[0] as BlockDecl).stmts.map((s) => s.kind)).toEqual(['in', 'let', 'let', 'out']);
  });

  it('closes an unclosed block at the next declaration and keeps parsing it', () => {
    const file = parseText('ffn a {\n  in h : BLE\n\nffn b {\n  in h : BLE\n  out h\n}\n');
    expect(file.decls.map((d) => d.name.text)).toEqual(['a', 'b']);
    expect((file.decls[1] as BlockDecl).stmts.length).toBe(2);
    expect(file.errors.length).toBe(1);
  });
});

describe('positions (LSP: zero-based lines, UTF-16 characters)', () => {
  it('finds the line starts of a text whose only line breaks are \\n (its fast path)', () => {
    // Lines start at 0, 2 (after "a\n"), 5 (after "bb\n"), 6 (after the empty line).
    const lines = new LineIndex('a\nbb\n\nccc');
    expect(lines.lineCount).toBe(4);
    expect([0, 1, 2, 3].map((l) => lines.lineStart(l))).toEqual([0, 2, 5, 6]);
    expect(lines.positionAt(7)).toEqual({ line: 3, character: 1 });
    expect(lines.offsetAt({ line: 1, character: 99 })).toBe(4);
    expect(new LineIndex('x\n').lineCount).toBe(2);
    expect(new LineIndex('').lineCount).toBe(1);
  });

  it('counts a character outside the BMP as two UTF-16 units but one CLI column', () => {
    const text = 'x\n🚀 = 1\r\nlast';
    const lines = new LineIndex(text);
    const eq = text.indexOf('=');
    expect(lines.positionAt(eq)).toEqual({ line: 1, character: 3 });
    expect(lines.humanPosition(eq)).toEqual({ line: 2, column: 3 });
    expect(lines.positionAt(text.indexOf('last'))).toEqual({ line: 2, character: 0 });
    expect(lines.offsetAt({ line: 1, character: 99 })).toBe(text.indexOf('\r'));
  });
});
