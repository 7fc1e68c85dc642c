// `shardlens/layouts` and `shardlens/layoutStatus`: the client lists, picks, reveals and inserts
// after layouts, and fills its status bar, by asking the server (it never scans the text).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Range } from 'vscode-languageserver-protocol';
import { formatPercent, formatSeconds, sig, type JsonLayout, type LayoutStatus, type ReportJson } from '../../server/src/engine/index';
import type { LayoutLocation } from '../../server/src/protocol/requests';
import { fixture, positionOf, startInMemory, type TestClient } from './harness';

const TRICKY_URI = 'file:///work/tricky.shard';
const TRICKY = [
  '# layout commented_out {',
  'mesh m = tpu_v4 { x = 4 }',
  'layout first {',
  '  model = palm_540b { weights = int8 }   # braces in a comment }',
  '  prefill { ffn = ws2d }',
  '}',
  'ffn my_layout_block {',
  '  in h : BLE',
  '  out h',
  '}',
  'layout   second{ model = m }',
  'layout unfinished {',
  '  mesh = m',
].join('\n');

const SMALL_URI = 'file:///work/small-layouts.shard';
const SMALL = fixture('small.shard');
const UNCOSTABLE_URI = 'file:///work/uncostable.shard';
// A layout that resolves on no mesh: the checker reports it and the report lists it as not costed.
const UNCOSTABLE = `${SMALL}\nlayout broken {\n  model = tiny\n  workload = chat\n  ffn = my2d\n}\n`;

/** The text a range covers. */
function slice(text: string, r: Range): string {
  const lines = text.split('\n');
  const offset = (p: Range['start']) => lines.slice(0, p.line).reduce((n, l) => n + l.length + 1, 0) + p.character;
  return text.slice(offset(r.start), offset(r.end));
}

describe('the layouts of a document, from the server', () => {
  let client: TestClient;
  beforeAll(async () => {
    client = await startInMemory();
    await client.open(TRICKY_URI, TRICKY);
    await client.open(SMALL_URI, SMALL);
    await client.open(UNCOSTABLE_URI, UNCOSTABLE);
  });
  afterAll(() => client.close());

  it('lists each layout declaration with its name and extent, ignoring comments and other blocks', async () => {
    const layouts = (await client.request<LayoutLocation[]>('shardlens/layouts', { uri: TRICKY_URI }))!;
    expect(layouts.map((l) => l.name)).toEqual(['first', 'second', 'unfinished']);
    const [first, second, unfinished] = layouts;
    expect(slice(TRICKY, first.nameRange)).toBe('first');
    expect(slice(TRICKY, first.range)).toMatch(/^layout first \{[\s\S]*prefill \{ ffn = ws2d \}\n\}$/);
    expect(slice(TRICKY, second.range)).toBe('layout   second{ model = m }');
    expect(slice(TRICKY, unfinished.range).startsWith('layout unfinished {')).toBe(true);
    expect(slice(TRICKY, unfinished.range).trimEnd().endsWith('mesh = m')).toBe(true);
  });

  it('answers null for a document it does not have', async () => {
    expect(await client.request('shardlens/layouts', { uri: 'file:///work/nowhere.shard' })).toBeNull();
  });

  it("gives the status bar the figures of the layout around the cursor, as the report has them", async () => {
    const report = await client.request<ReportJson>('shardlens/report', { uri: SMALL_URI });
    const fast = report.layouts.find((l) => l.name === 'fast') as JsonLayout;
    const position = positionOf(SMALL, 'ffn = my2d\n');
    for (const decodeContext of ['mean', 'last'] as const) {
      const status = await client.request<LayoutStatus>('shardlens/layoutStatus', { uri: SMALL_URI, position, decodeContext });
      const step = decodeContext === 'last' ? fast.decode!.step_s_last! : fast.decode!.step_s!;
      expect(status).toEqual({
        layout: 'fast',
        costed: true,
        decode: { time: formatSeconds(step), mfu: formatPercent(fast.decode!.mfu), bound: fast.decode!.bound },
        prefill: { time: formatSeconds(fast.prefill!.latency_s), mfu: formatPercent(fast.prefill!.mfu), bound: fast.prefill!.bound },
        // small.shard runs on the built-in tpu_v4, which sets no calibration field.
        basis: { kind: 'roofline', label: 'roofline (nominal tpu_v4)' },
      });
    }
  });

  it('puts a layout\'s measured { } decode beside the prediction in the status', async () => {
    const uri = 'file:///work/measured-status.shard';
    const text = `${SMALL}\nlayout fast_measured = fast {\n  measured { decode = 1 s }\n}\n`;
    await client.open(uri, text);
    const report = await client.request<ReportJson>('shardlens/report', { uri });
    const predicted = report.layouts.find((l) => l.name === 'fast_measured')!.decode!.latency_s;
    const status = await client.request<LayoutStatus>('shardlens/layoutStatus', { uri, position: positionOf(text, 'decode = 1 s'), decodeContext: 'mean' });
    // 1 s over the 64 generated tokens, and 1 s against the predicted whole decode.
    expect(status).toMatchObject({ layout: 'fast_measured', costed: true, measured: `measured ${formatSeconds(1 / 64)}/token, ${sig(1 / predicted, 2)}× the prediction` });
  });

  it('has no status outside layouts, and says why a layout is not costed', async () => {
    expect(await client.request('shardlens/layoutStatus', { uri: SMALL_URI, position: positionOf(SMALL, 'workload chat'), decodeContext: 'mean' })).toBeNull();
    const status = await client.request<LayoutStatus>('shardlens/layoutStatus', { uri: UNCOSTABLE_URI, position: positionOf(UNCOSTABLE, 'layout broken', 8), decodeContext: 'mean' });
    expect(status).toMatchObject({ layout: 'broken', costed: false });
  });
});
