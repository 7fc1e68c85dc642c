// The search requests (shardlens/sweep, /crossover, /best) over a real JSON-RPC connection: they
// run in the search thread (dist/searchWorker.js, built by the global setup), report work-done
// progress on the request's token, keep the server answering other requests meanwhile, and stop
// the thread when cancelled.

import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CancellationTokenSource } from 'vscode-jsonrpc/node';
import type { CodeAction, Hover } from 'vscode-languageserver-protocol';
import { liveSearchWorkers } from '../../server/src/lsp/search';
import type { BestWireResult, CrossoverResult, SweepResult } from '../../server/src/protocol/requests';
import { fixture, positionOf, ROOT, startInMemory, type TestClient } from './harness';

const SMALL_URI = 'file:///work/search-small.shard';
const SMALL = fixture('small.shard');
const PALM_URI = 'file:///work/palm540b.shard';
const PALM = readFileSync(path.join(ROOT, 'examples', 'palm540b.shard'), 'utf8');

interface ProgressEvent {
  token: string | number;
  value: { kind: 'begin' | 'report' | 'end'; title?: string; percentage?: number; message?: string; cancellable?: boolean };
}

async function until(probe: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('search requests', () => {
  let client: TestClient;
  const progress: ProgressEvent[] = [];
  beforeAll(async () => {
    client = await startInMemory();
    client.connection.onNotification('$/progress', (p: ProgressEvent) => progress.push(p));
    await client.open(SMALL_URI, SMALL);
    await client.open(PALM_URI, PALM);
  });
  afterAll(() => client.close());

  it('sweeps a layout in the search thread and reports progress on the given token', async () => {
    const token = 'sweep-1';
    const result = await client.request<SweepResult>('shardlens/sweep', { uri: SMALL_URI, layout: 'fast', batches: [1, 8, 64], chips: [16, 64], workDoneToken: token });
    expect(result.layout).toBe('fast');
    expect(result.chips).toEqual([16, 64]);
    expect(result.points).toHaveLength(6);
    expect(result.frontier.decode.length).toBeGreaterThan(0);
    for (const i of result.frontier.decode) expect(result.points[i].decode?.onFrontier).toBe(true);
    const mine = progress.filter((p) => p.token === token).map((p) => p.value);
    expect(mine[0]).toMatchObject({ kind: 'begin', title: 'Sweep of fast', cancellable: true });
    expect(mine.at(-1)).toEqual({ kind: 'end' });
    const reports = mine.filter((v) => v.kind === 'report');
    expect(reports.length).toBeGreaterThan(1);
    const percents = reports.map((v) => v.percentage!);
    expect(percents).toEqual([...percents].sort((a, b) => a - b));
    expect(percents.at(-1)).toBe(100);
    await until(() => liveSearchWorkers() === 0, 5000, 'the sweep thread exits');
  });

  it('computes the FFN crossover on the layout\'s model and mesh', async () => {
    const result = await client.request<CrossoverResult>('shardlens/crossover', { uri: PALM_URI, layout: 'low_latency' });
    expect(result.model).toBe('palm540b_int8');
    expect(result.lines.length).toBeGreaterThan(1);
    expect(result.switchPoints.length).toBeGreaterThan(0);
    // The envelope's segments join at the switch points.
    for (const [i, s] of result.switchPoints.entries()) expect(result.envelope[i + 1].from_tokens).toBe(s.tokens);
  });

  it('finds the best layouts, with text to insert, text to replace the declaration, and where it is', async () => {
    const result = await client.request<BestWireResult>('shardlens/best', { uri: SMALL_URI, layout: 'fast', top: 3 });
    expect(result.candidates.length).toBeGreaterThan(0);
    expect(result.candidates.length).toBeLessThanOrEqual(3);
    const first = result.candidates[0];
    expect(first.rank).toBe(1);
    expect(first.text).toMatch(/^layout fast_best1 \{$/m);
    expect(first.replacement).toMatch(/^layout fast \{$/m);
    expect(first.replacement).not.toMatch(/fast_best1/);
    // Nothing that cannot cross the wire (AST nodes, full cost objects).
    expect('layout' in first).toBe(false);
    expect('cost' in first).toBe(false);
    const start = positionOf(SMALL, 'layout fast');
    expect(result.declaration?.range.start).toEqual(start);
    expect(result.declaration?.version).toBe(1);
    for (let i = 1; i < result.candidates.length; i++) expect(result.candidates[i].latency_s).toBeGreaterThanOrEqual(result.candidates[i - 1].latency_s);
  });

  it('keeps answering hovers while a search runs', async () => {
    const search = client.request<SweepResult>('shardlens/sweep', { uri: PALM_URI, layout: 'low_latency', chips: [64, 128, 256, 512] });
    let searchDone = false;
    void search.then(() => (searchDone = true), () => (searchDone = true));
    await until(() => liveSearchWorkers() > 0, 5000, 'the search thread starts');
    const hover = await client.request<Hover | null>('textDocument/hover', { textDocument: { uri: SMALL_URI }, position: positionOf(SMALL, 'layout fast', 8) });
    expect(hover).not.toBeNull();
    expect(searchDone).toBe(false);
    expect((await search).points.length).toBe(44);
  });

  it('stops the search thread when the request is cancelled and answers RequestCancelled', async () => {
    const source = new CancellationTokenSource();
    const token = 'sweep-cancel';
    const request = client.connection.sendRequest('shardlens/sweep', { uri: PALM_URI, layout: 'low_latency', chips: [64, 128, 256, 512, 1024], workDoneToken: token }, source.token);
    // Cancel once the search is under way (a report has arrived), not before it started.
    await until(() => progress.some((p) => p.token === token && p.value.kind === 'report'), 10000, 'a progress report');
    const started = Date.now();
    source.cancel();
    await expect(request).rejects.toMatchObject({ code: -32800 });
    // The search noticed the flag: well within the grace period after which it would be killed.
    expect(Date.now() - started).toBeLessThan(1500);
    await until(() => liveSearchWorkers() === 0, 5000, 'the cancelled thread exits');
    expect(progress.filter((p) => p.token === token).at(-1)?.value).toEqual({ kind: 'end' });
  });

  it('a new search of the same kind on the same document supersedes the running one', async () => {
    const first = client.request('shardlens/sweep', { uri: PALM_URI, layout: 'low_latency', chips: [64, 128, 256, 512, 1024] });
    await until(() => liveSearchWorkers() > 0, 5000, 'the first thread starts');
    const second = client.request<SweepResult>('shardlens/sweep', { uri: PALM_URI, layout: 'low_latency', batches: [1, 2] });
    await expect(first).rejects.toMatchObject({ code: -32800 });
    expect((await second).points).toHaveLength(2);
  });

  it('answers null for an unknown document and an error for an unknown layout or bad parameters', async () => {
    expect(await client.request('shardlens/sweep', { uri: 'file:///not/open.shard', layout: 'fast' })).toBeNull();
    await expect(client.request('shardlens/best', { uri: SMALL_URI, layout: 'nope' })).rejects.toMatchObject({ code: -32803, message: "no layout 'nope' in this file" });
    await expect(client.request('shardlens/sweep', { uri: SMALL_URI, layout: 'fast', chips: [48] })).rejects.toMatchObject({ code: -32602 });
    await expect(client.request('shardlens/best', { uri: SMALL_URI, layout: 'fast', objective: 'speed' })).rejects.toMatchObject({ code: -32602 });
    await expect(client.request('shardlens/sweep', { uri: SMALL_URI })).rejects.toMatchObject({ code: -32602 });
    await until(() => liveSearchWorkers() === 0, 5000, 'no thread left behind');
  });

  it('offers "Replace with the best layout for this workload" inside a layout, as a command', async () => {
    const at = positionOf(SMALL, 'mesh pod =', 2);
    const inside = await client.request<CodeAction[]>('textDocument/codeAction', { textDocument: { uri: SMALL_URI }, range: { start: positionOf(SMALL, 'layout fast', 3), end: positionOf(SMALL, 'layout fast', 3) }, context: { diagnostics: [] } });
    const action = inside.find((a) => a.title === 'Replace with the best layout for this workload');
    expect(action).toMatchObject({ kind: 'refactor.rewrite', command: { command: 'shardlens.findBestLayout', arguments: [{ uri: SMALL_URI, layout: 'fast', replace: true }] } });
    expect(action?.edit).toBeUndefined();
    // Outside any layout (the mesh declaration at the top): not offered.
    const outside = await client.request<CodeAction[]>('textDocument/codeAction', { textDocument: { uri: SMALL_URI }, range: { start: at, end: at }, context: { diagnostics: [] } });
    expect(outside.some((a) => a.title.startsWith('Replace with the best'))).toBe(false);
    // Quick fixes only: not offered either.
    const quick = await client.request<CodeAction[]>('textDocument/codeAction', { textDocument: { uri: SMALL_URI }, range: { start: positionOf(SMALL, 'layout fast', 3), end: positionOf(SMALL, 'layout fast', 3) }, context: { diagnostics: [], only: ['quickfix'] } });
    expect(quick.some((a) => a.title.startsWith('Replace with the best'))).toBe(false);
  });
});
