import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CodeLens, InlayHint } from 'vscode-languageserver-protocol';
import { formatSeconds, sig, type JsonLayout, type ReportJson } from '../../server/src/engine/index';
import { fixture, positionOf, startInMemory, type TestClient } from './harness';

const URI = 'file:///work/costs.shard';
const TEXT = fixture('small.shard');
const doc = { uri: URI };

describe('code lenses, inlay hints, settings and the report request', () => {
  let client: TestClient;
  beforeAll(async () => {
    client = await startInMemory();
    await client.open(URI, TEXT);
  });
  afterAll(() => client.close());

  const wholeFile = { start: { line: 0, character: 0 }, end: { line: TEXT.split('\n').length, character: 0 } };
  const hintsOn = async (needle: string) => {
    const hints = await client.request<InlayHint[]>('textDocument/inlayHint', { textDocument: doc, range: wholeFile });
    return hints.filter((h) => h.position.line === positionOf(TEXT, needle).line).map((h) => h.label);
  };

  it('puts the decode figures, Compare, Explain, Sweep and Best above each layout', async () => {
    const all = await client.request<CodeLens[]>('textDocument/codeLens', { textDocument: doc });
    // Blocks have a lens of their own (Show sharding), asserted below.
    const lenses = all.filter((l) => l.command?.command !== 'shardlens.showSharding');
    expect(lenses.every((l) => l.range.start.line === positionOf(TEXT, 'layout fast').line)).toBe(true);
    // Both phases, each with what bounds it as the report has it (the notes Problems leaves out by
    // default), memory in binary units against 32 GiB of HBM.
    const report = await client.request<ReportJson>('shardlens/report', { uri: URI });
    const fast = report.layouts[0] as JsonLayout;
    const title = lenses[0].command!.title;
    const decode = `decode ${formatSeconds(fast.decode!.step_s!)}/token ${fast.decode!.bound}-bound`;
    expect(title.startsWith(`prefill ${formatSeconds(fast.prefill!.latency_s!)} ${fast.prefill!.bound}-bound · ${decode} · MFU `), title).toBe(true);
    // Last, what the figures are: small.shard runs on the nominal tpu_v4 (no calibration field).
    expect(title).toMatch(/ · MFU [0-9.]+% · [0-9.]+ [KMG]iB \/ 32 GiB HBM · roofline \(nominal tpu_v4\)$/);
    expect(lenses.slice(1).map((l) => l.command)).toEqual([
      { title: 'Compare', command: 'shardlens.compareLayouts', arguments: ['fast'] },
      { title: 'Explain', command: 'shardlens.explainLayout', arguments: ['fast'] },
      { title: 'Sweep', command: 'shardlens.showSweep', arguments: ['fast'] },
      { title: 'Best', command: 'shardlens.findBestLayout', arguments: ['fast'] },
    ]);
  });

  it('puts Show sharding above each block a layout uses, pointing at its first weight', async () => {
    const lenses = (await client.request<CodeLens[]>('textDocument/codeLens', { textDocument: doc })).filter((l) => l.command?.command === 'shardlens.showSharding');
    expect(lenses).toHaveLength(1);
    expect(lenses[0].range.start.line).toBe(positionOf(TEXT, 'ffn my2d').line);
    expect(lenses[0].command!.title).toBe('Show sharding');
    // The offset of `w_in` in `weight w_in  : E_x F_yz`: where the view starts.
    expect(lenses[0].command!.arguments).toEqual([{ uri: doc.uri, offset: TEXT.indexOf('w_in  :') }]);
  });

  it('shows inferred types by default, and per-op time or volume as shardlens.inlayHints.detail says', async () => {
    expect(await hintsOn('d = gelu')).toEqual([': BLF_xyz']);
    expect(await hintsOn('a = all_gather')).toEqual([]);

    client.settings = { inlayHints: { detail: 'time' } };
    await client.connection.sendNotification('workspace/didChangeConfiguration', { settings: {} });
    const timed = await hintsOn('a = all_gather');
    expect(timed).toHaveLength(1);
    // Named for the layout and phase it is for, and placed at the end of the line.
    expect(timed[0]).toMatch(/^fast · decode: [0-9.]+ (ns|µs|ms) comm$/);
    const line = TEXT.split('\n')[positionOf(TEXT, 'a = all_gather').line];
    const hints = await client.request<InlayHint[]>('textDocument/inlayHint', { textDocument: doc, range: wholeFile });
    const onLine = hints.filter((h) => h.position.line === positionOf(TEXT, 'a = all_gather').line);
    expect(onLine.map((h) => h.position.character)).toEqual([line.trimEnd().length]);

    // Past a trailing comment: the hint ends the line, it does not split the statement from its comment.
    const commented = TEXT.replace('a = all_gather(h, yz)       : BLE_x', 'a = all_gather(h, yz)       : BLE_x   # gather');
    await client.open('file:///work/commented.shard', commented);
    const commentedHints = await client.request<InlayHint[]>('textDocument/inlayHint', { textDocument: { uri: 'file:///work/commented.shard' }, range: wholeFile });
    const gatherLine = positionOf(commented, 'a = all_gather').line;
    expect(commentedHints.filter((h) => h.position.line === gatherLine).map((h) => h.position.character)).toEqual([commented.split('\n')[gatherLine].length]);

    client.settings = { inlayHints: { detail: 'volume' } };
    await client.connection.sendNotification('workspace/didChangeConfiguration', { settings: {} });
    // 64 × 1 × 256 bf16 = 32,768 B = 32 KiB.
    expect(await hintsOn('a = all_gather')).toEqual(['fast · decode: D = 32 KiB']);
    expect(await hintsOn('b = einsum')).toEqual([]);

    client.settings = { inlayHints: { detail: 'off' } };
    await client.connection.sendNotification('workspace/didChangeConfiguration', { settings: {} });
    expect(await hintsOn('d = gelu')).toEqual([]);
    client.settings = {};
    await client.connection.sendNotification('workspace/didChangeConfiguration', { settings: {} });
  });

  it('describes the last decode step when shardlens.decode.context is `last`', async () => {
    const hover = async () => {
      const h = await client.request<{ contents: { value: string } }>('textDocument/hover', { textDocument: doc, position: positionOf(TEXT, 'all_gather(h') });
      return h.contents.value;
    };
    expect(await hover()).toContain('decode (mean step, T = 2080)');
    client.settings = { decode: { context: 'last' } };
    await client.connection.sendNotification('workspace/didChangeConfiguration', { settings: {} });
    expect(await hover()).toContain('decode (last step, T = 2112)');
    client.settings = {};
    await client.connection.sendNotification('workspace/didChangeConfiguration', { settings: {} });
  });

  it('answers shardlens/report with the report JSON', async () => {
    const report = await client.request<{ file: string; layouts: { name: string; costed: boolean; decode: { step_s: number } }[] }>('shardlens/report', { uri: URI });
    expect(report.file).toBe(URI);
    expect(report.layouts.map((l) => [l.name, l.costed])).toEqual([['fast', true]]);
    expect(report.layouts[0].decode.step_s).toBeGreaterThan(0);
    expect(await client.request('shardlens/report', { uri: 'file:///not/open.shard' })).toBeNull();
  });

  it('answers shardlens/explain with the formulas behind a layout\'s figures', async () => {
    const text = await client.request<string>('shardlens/explain', { uri: URI, layout: 'fast', phase: 'decode' });
    expect(text.split('\n')[0]).toBe('layout fast');
    expect(text).toContain('decode');
    expect(text).toMatch(/=.*=/);
    expect(await client.request('shardlens/explain', { uri: URI, layout: 'nope' })).toBeNull();
  });
});

describe('a layout\'s measured { } figures beside the prediction, in its code lens', () => {
  const MEASURED_URI = 'file:///work/measured.shard';
  // The same layout twice more: a whole decode recorded by the paper, and a prefill measured alone.
  const MEASURED = `${TEXT}\nlayout fast_paper = fast {\n  measured { prefill = 0.29 s, decode = 1.82 s, source = paper }\n}\n\nlayout fast_prefill = fast {\n  measured { prefill = 40 ms }\n}\n`;
  let client: TestClient;
  beforeAll(async () => {
    client = await startInMemory();
    await client.open(MEASURED_URI, MEASURED);
  });
  afterAll(() => client.close());

  const lensTitle = async (layout: string) => {
    const lenses = await client.request<CodeLens[]>('textDocument/codeLens', { textDocument: { uri: MEASURED_URI } });
    return lenses.find((l) => l.range.start.line === positionOf(MEASURED, `layout ${layout} `).line && !l.command!.command)!.command!.title;
  };
  const predicted = async (layout: string) => (await client.request<ReportJson>('shardlens/report', { uri: MEASURED_URI })).layouts.find((l) => l.name === layout) as JsonLayout;

  it('the decode time per token (the whole decode over the 64 generated tokens) and measured ÷ predicted', async () => {
    const p = await predicted('fast_paper');
    // 1.82 s over generate = 64 tokens; the ratio is the whole decode against the predicted one.
    const expected = `paper ${formatSeconds(1.82 / 64)}/token, ${sig(1.82 / p.decode!.latency_s, 2)}× the prediction`;
    const title = await lensTitle('fast_paper');
    expect(title).toMatch(/^prefill [0-9.]+ (µs|ms) \w+-bound · decode [0-9.]+ (µs|ms)\/token \w+-bound · MFU /);
    expect(title.endsWith(` · ${expected} · roofline (nominal tpu_v4)`), title).toBe(true);
  });

  it('the prefill when only the prefill is measured; nothing for a layout without measured { }', async () => {
    const p = await predicted('fast_prefill');
    const title = await lensTitle('fast_prefill');
    expect(title.endsWith(` · measured prefill ${formatSeconds(0.04)}, ${sig(0.04 / p.prefill!.latency_s, 2)}× the prediction · roofline (nominal tpu_v4)`), title).toBe(true);
    expect(await lensTitle('fast')).not.toMatch(/measured|paper|prediction/);
  });
});
