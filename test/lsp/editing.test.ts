import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CodeAction, TextEdit } from 'vscode-languageserver-protocol';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { fixture, positionOf, startInMemory, type TestClient } from './harness';

describe('formatting and code actions', () => {
  let client: TestClient;
  let n = 0;
  beforeAll(async () => {
    client = await startInMemory();
  });
  afterAll(() => client.close());

  async function open(text: string): Promise<string> {
    const uri = `file:///work/edit${n++}.shard`;
    await client.open(uri, text);
    return uri;
  }

  function apply(text: string, edits: TextEdit[]): string {
    return TextDocument.applyEdits(TextDocument.create('file:///x', 'shard', 1, text), edits);
  }

  async function format(text: string): Promise<string> {
    const uri = await open(text);
    const edits = await client.request<TextEdit[]>('textDocument/formatting', { textDocument: { uri }, options: { tabSize: 2, insertSpaces: true } });
    return apply(text, edits);
  }

  it('aligns the = and : columns of a block, idempotently, and leaves records alone', async () => {
    const messy = [
      'hardware chip {',
      '  flops = 275 TFLOP/s',
      '  hbm_bw    = 1.2 TB/s',
      '}',
      'ffn f {',
      '  in h : BLE_xyz',
      '  weight w_in: E_x F_yz',
      '  weight w_out   :   F_yz E_x',
      '  a = all_gather(h,yz) : BLE_x',
      '  bb = einsum(a, w_in)   :   BLF_yz (partialsum-x)',
      '  c = reduce_scatter(bb, x) : BLF_xyz',
      '  d = gelu(c)',
      '  out d',
      '}',
      '',
    ].join('\n');
    const once = await format(messy);
    expect(once).toBe(
      [
        'hardware chip {',
        '  flops = 275 TFLOP/s',
        '  hbm_bw    = 1.2 TB/s',
        '}',
        'ffn f {',
        '  in h : BLE_xyz',
        '  weight w_in  : E_x F_yz',
        '  weight w_out : F_yz E_x',
        '  a  = all_gather(h, yz)     : BLE_x',
        '  bb = einsum(a, w_in)       : BLF_yz (partialsum-x)',
        '  c  = reduce_scatter(bb, x) : BLF_xyz',
        '  d  = gelu(c)',
        '  out d',
        '}',
        '',
      ].join('\n'),
    );
    expect(await format(once)).toBe(once);
  });

  it('keeps a wider : column that the first statement sets, and trailing comments', async () => {
    const text = 'ffn f {\n  in h : BLE_xyz\n  a = all_gather(h, yz)        : BLE_x   # gather\n  bb = gelu(a)      : BLE_x\n  out bb\n}\n';
    const formatted = await format(text);
    expect(formatted).toBe('ffn f {\n  in h : BLE_xyz\n  a  = all_gather(h, yz)       : BLE_x   # gather\n  bb = gelu(a)                 : BLE_x\n  out bb\n}\n');
    expect(await format(formatted)).toBe(formatted);
  });

  it('leaves a declaration with a syntax error alone', async () => {
    const broken = 'ffn f {\n  in h : BLE_xyz\n  a =   (h)\n  out a\n}\n';
    expect(await format(broken)).toBe(broken);
  });

  async function actions(text: string, at: { line: number; character: number }): Promise<CodeAction[]> {
    const uri = await open(text);
    const diagnostics = await client.diagnosticsOfVersion(uri, 1);
    return client.request<CodeAction[]>('textDocument/codeAction', { textDocument: { uri }, range: { start: at, end: at }, context: { diagnostics } });
  }

  function applyAction(text: string, action: CodeAction): string {
    return apply(text, Object.values(action.edit!.changes!)[0]);
  }

  it('offers the diagnostic\'s own fix: set the annotation to the inferred type', async () => {
    const text = fixture('small.shard').replace('e = all_gather(d, x)        : BLF_yz', 'e = all_gather(d, x)        : BLF_xyz');
    const list = await actions(text, positionOf(text, 'BLF_xyz\n  f ='));
    const fix = list.find((a) => a.title === 'Set the annotation to BLF_yz')!;
    expect(fix.kind).toBe('quickfix');
    expect(fix.isPreferred).toBe(true);
    expect(fix.diagnostics?.[0].code).toBe('type-mismatch');
    expect(applyAction(text, fix)).toBe(fixture('small.shard'));
  });

  it('writes a type with its spaces (B_x LF_yz), and the fix that inserts it leaves a file without errors', async () => {
    // h splits B over x and w_in splits F over y and z: the einsum's result is B over x, F over yz.
    const block = (annotation: string) => `mesh pod = tpu_v4 { x = 4, y = 4, z = 4 }\n\nffn f {\n  in h : B_x LE\n  weight w_in  : E F_yz\n  weight w_out : F_yz E\n  a = einsum(h, w_in)  : ${annotation}\n  b = gelu(a)\n  c = einsum(b, w_out) : B_x LE (partialsum-yz)\n  y = all_reduce(c, yz) : B_x LE\n  out y\n}\n`;
    const text = block('BLF_yz');
    const list = await actions(text, positionOf(text, 'BLF_yz'));
    const fix = list.find((a) => a.title.startsWith('Set the annotation'))!;
    expect(fix.title).toBe('Set the annotation to B_x LF_yz');
    const fixed = applyAction(text, fix);
    expect(fixed).toBe(block('B_x LF_yz'));
    const uri = await open(fixed);
    const after = await client.diagnosticsOfVersion(uri, 1);
    expect(after.filter((d) => d.severity === 1)).toEqual([]);
  });

  it('inserts the missing reduce_scatter before a non-linearity of a partial sum', async () => {
    const text = fixture('small.shard').replace('d = gelu(c)', 'd = gelu(b)');
    const list = await actions(text, positionOf(text, 'gelu(b)', 5));
    const fix = list.find((a) => a.title.startsWith('Insert reduce_scatter'))!;
    expect(fix.title).toBe('Insert reduce_scatter(b, x) before gelu');
    const fixed = applyAction(text, fix);
    expect(fixed).toContain('  b_sum = reduce_scatter(b, x) : BLF_xyz\n  d = gelu(b_sum)');
    const uri = await open(fixed);
    const after = await client.diagnosticsOfVersion(uri, 1);
    expect(after.filter((d) => d.severity === 1)).toEqual([]);
  });

  it('inserts the missing all_gather before an einsum whose operands disagree', async () => {
    // Without the gather, h (E over xyz) meets w_in (E over x).
    const text = fixture('small.shard').replace('b = einsum(a, w_in)', 'b = einsum(h, w_in)');
    const list = await actions(text, positionOf(text, 'einsum(h, w_in)', 'einsum(h, '.length));
    const fix = list.find((a) => a.title.startsWith('Insert all_gather'))!;
    expect(fix.title).toBe('Insert all_gather(h, yz) before the einsum');
    expect(applyAction(text, fix)).toContain('  h_g = all_gather(h, yz) : BLE_x\n  b = einsum(h_g, w_in)');
  });

  it('adds a missing field with the schema\'s example value', async () => {
    const text = 'workload w {\n  batch = 8\n}\n';
    const list = await actions(text, positionOf(text, 'w {'));
    const fix = list.find((a) => a.title.startsWith('Add'))!;
    expect(fix.title).toBe('Add `prompt`, `generate`');
    expect(applyAction(text, fix)).toBe('workload w {\n  batch = 8\n  prompt = 2048\n  generate = 64\n}\n');
    const inline = 'workload w { batch = 8 }\n';
    const one = (await actions(inline, positionOf(inline, 'w {'))).find((a) => a.title.startsWith('Add'))!;
    expect(applyAction(inline, one)).toBe('workload w { batch = 8, prompt = 2048, generate = 64 }\n');
  });

  it('replaces a layout\'s blocks with the better layout a hint found', async () => {
    const text = fixture('small.shard');
    const uri = await open(text);
    const diagnostics = await client.diagnostics(uri, (p) => p.diagnostics.some((d) => d.code === 'better-layout'));
    const at = positionOf(text, 'fast {');
    const list = await client.request<CodeAction[]>('textDocument/codeAction', { textDocument: { uri }, range: { start: at, end: at }, context: { diagnostics } });
    const fix = list.find((a) => a.title.startsWith('Use '))!;
    expect(fix.title).toBe('Use wg_xyz + batch for prefill');
    expect(applyAction(text, fix)).toContain('  prefill { ffn = wg_xyz, attention = batch }\n}');
  });

  it('offers to write down an inferred type', async () => {
    const text = fixture('small.shard');
    const list = await actions(text, positionOf(text, 'd = gelu'));
    const annotate = list.find((a) => a.kind === 'refactor.rewrite')!;
    expect(applyAction(text, annotate)).toContain('d = gelu(c) : BLF_xyz\n');
  });
});
