import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InsertTextFormat, type CompletionItem, type SignatureHelp } from 'vscode-languageserver-protocol';
import { fixture, startInMemory, withCursor, type TestClient } from './harness';
import { formatSeconds, type JsonLayout, type ReportJson } from '../../server/src/engine/index';

describe('completion and signature help', () => {
  let client: TestClient;
  let n = 0;
  beforeAll(async () => {
    client = await startInMemory();
  });
  afterAll(() => client.close());

  /** Opens the marked text as a new document and asks for completions at the `|`. */
  async function complete(marked: string): Promise<CompletionItem[]> {
    const { text, position } = withCursor(marked);
    const uri = `file:///work/complete${n++}.shard`;
    await client.open(uri, text);
    return (await client.request<CompletionItem[] | null>('textDocument/completion', { textDocument: { uri }, position })) ?? [];
  }
  const labels = (items: CompletionItem[]) => items.map((i) => i.label);

  it('offers declaration keywords at the top level, as snippets', async () => {
    const items = await complete('|\n');
    expect(labels(items)).toEqual(expect.arrayContaining(['hardware', 'mesh', 'model', 'workload', 'layout', 'ffn', 'attention', 'unembed']));
    expect(items.find((i) => i.label === 'mesh')!.insertTextFormat).toBe(InsertTextFormat.Snippet);
  });

  it('offers the fields of the declaration kind, missing ones only, with schema examples', async () => {
    const items = await complete('model m {\n  layers = 2\n  |\n}\n');
    expect(labels(items)).toContain('E');
    expect(labels(items)).toContain('weights');
    expect(labels(items)).not.toContain('layers');
    expect(labels(items)).not.toContain('flops');
    expect(items.find((i) => i.label === 'E')!.insertText).toBe('E = ${1:4096}');
  });

  it('offers model fields inside a layout\'s inline model override', async () => {
    const items = await complete('layout l {\n  model = palm_540b { | }\n}\n');
    expect(labels(items)).toContain('weights');
    expect(labels(items)).not.toContain('mesh');
  });

  it('offers dtypes, names in scope (with the prelude), and block names for field values', async () => {
    expect(labels(await complete('model m = palm_540b { weights = | }\n'))).toEqual(['bf16', 'int8', 'fp8', 'int4', 'mxfp4']);
    const models = labels(await complete('model mine { layers = 1 }\nlayout l {\n  model = |\n}\n'));
    expect(models).toEqual(expect.arrayContaining(['mine', 'palm_540b', 'palm_8b']));
    const ffns = labels(await complete('layout l {\n  ffn = |\n}\n'));
    expect(ffns).toEqual(expect.arrayContaining(['ws2d', 'ws1d', 'wg_xyz']));
    expect(ffns).not.toContain('ws2d_batch');
    const attention = labels(await complete('layout l {\n  attention = |\n}\n'));
    expect(attention).toEqual(expect.arrayContaining(['heads', 'batch', 'none', 'ws2d_batch']));
    expect(labels(await complete('mesh m = |\n'))).toEqual(expect.arrayContaining(['tpu_v4', 'h100']));
  });

  it('offers `batch` and `heads` first for attention, only members for the model\'s K, each with its predicted decode time', async () => {
    const layout = (attention: string) => `mesh pod = tpu_v4 { x = 4, y = 4, z = 4 }\nlayout l {\n  model = palm_540b\n  mesh = pod\n  workload { batch = 64, prompt = 2048, generate = 64 }\n  ffn = ws2d\n  attention = ${attention}\n}\n`;
    const items = await complete(layout('|'));
    const sorted = [...items].sort((a, b) => (a.sortText ?? a.label).localeCompare(b.sortText ?? b.label));
    expect(labels(sorted).slice(0, 2)).toEqual(['batch', 'heads']);
    // PaLM 540B has K = 1 (multiquery): the _gqa and _mha members are not offered.
    expect(labels(items)).toContain('ws2d_batch_mqa');
    expect(labels(items).filter((l) => /_(gqa|mha)$/.test(l))).toEqual([]);
    // The time each choice predicts is the layout's decode step when it is written with that choice.
    const report = async (attention: string) => {
      const uri = `file:///work/complete${n++}.shard`;
      await client.open(uri, layout(attention));
      return (await client.request<ReportJson>('shardlens/report', { uri })).layouts[0] as JsonLayout;
    };
    for (const choice of ['batch', 'heads']) {
      const expected = `decode ${formatSeconds((await report(choice)).decode!.step_s!)}/token`;
      expect(items.find((i) => i.label === choice)!.labelDetails?.description).toBe(expected);
    }
    // The other choices follow, fastest first.
    const rest = sorted.slice(2).filter((i) => /^decode /.test(i.labelDetails?.description ?? '') && i.label !== 'none');
    const seconds = rest.map((i) => {
      const [, v, unit] = /^decode ([0-9.]+) (µs|ms|s)\//.exec(i.labelDetails!.description!)!;
      return Number(v) * { µs: 1e-6, ms: 1e-3, s: 1 }[unit as 's'];
    });
    expect(seconds.length).toBeGreaterThan(0);
    expect(seconds).toEqual([...seconds].sort((a, b) => a - b));
  });

  it('offers units of the field\'s kind after a number', async () => {
    const items = labels(await complete('hardware h {\n  hbm_bw = 1.2 |\n}\n'));
    expect(items).toContain('TB/s');
    expect(items).not.toContain('GiB');
  });

  it('offers operations with snippet arguments after `name =` in a block', async () => {
    const text = fixture('small.shard').replace('  d = gelu(c)\n', '  d = |\n');
    const items = await complete(text);
    const rs = items.find((i) => i.label === 'reduce_scatter')!;
    expect(rs.insertText).toBe('reduce_scatter(${1:t}, ${2:AXES}) : ${3:TYPE}');
    expect(items.find((i) => i.label === 'gelu')!.insertText).toBe('gelu(${1:t})');
  });

  it('offers earlier values as operands, and mesh axes for a collective\'s axes argument', async () => {
    const values = labels(await complete(fixture('small.shard').replace('d = gelu(c)', 'd = gelu(|)')));
    expect(values).toEqual(['h', 'w_in', 'w_out', 'a', 'b', 'c']);
    const axes = await complete(fixture('small.shard').replace('e = all_gather(d, x)', 'e = all_gather(d, |)'));
    expect(labels(axes)).toEqual(['x', 'y', 'z']);
    expect(axes[0].detail).toContain('pod: 4');
  });

  it('offers dim letters in a type and axis letters after `_`', async () => {
    const dims = labels(await complete(fixture('small.shard').replace('weight w_out : F_yz E_x', 'weight w_out : |')));
    expect(dims).toEqual(expect.arrayContaining(['B', 'L', 'T', 'E', 'F', 'H', 'K', 'Q', 'V']));
    const axes = labels(await complete(fixture('small.shard').replace('weight w_out : F_yz E_x', 'weight w_out : F_|')));
    expect(axes).toEqual(['x', 'y', 'z']);
  });

  it('gives signature help with the active argument', async () => {
    const { text, position } = withCursor(fixture('small.shard').replace('c = reduce_scatter(b, x)', 'c = reduce_scatter(b, |x)'));
    await client.open('file:///work/sig.shard', text);
    const help = await client.request<SignatureHelp>('textDocument/signatureHelp', { textDocument: { uri: 'file:///work/sig.shard' }, position });
    expect(help.signatures[0].label).toBe('reduce_scatter(t, AXES) : TYPE');
    expect(help.activeParameter).toBe(1);
  });
});
