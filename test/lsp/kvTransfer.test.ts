// The KV-cache transfer of a layout whose prefill and decode run on meshes of their own, in the
// editor: the layout's hover gives its bytes and time with their formulas, and its lens puts the
// time between the two phases. examples/palm62b.shard writes Pope Table 3's high-throughput row
// as the paper ran it: prefill on 32 TPU v4 chips, decode on 8.

import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CodeLens, Hover, MarkupContent } from 'vscode-languageserver-protocol';
import { formatBytes, formatSeconds, type ReportJson } from '../../server/src/engine/index';
import { positionOf, startInMemory, type TestClient } from './harness';

const URI = 'file:///work/palm62b.shard';
const TEXT = readFileSync(path.join(__dirname, '../../examples/palm62b.shard'), 'utf8');

describe('KV transfer in hovers and lenses', () => {
  let client: TestClient;
  let report: ReportJson;
  beforeAll(async () => {
    client = await startInMemory();
    await client.open(URI, TEXT);
    report = await client.request<ReportJson>('shardlens/report', { uri: URI });
  });
  afterAll(() => client.close());

  const hoverOn = async (layout: string) => {
    const h = await client.request<Hover | null>('textDocument/hover', { textDocument: { uri: URI }, position: positionOf(TEXT, `layout ${layout} {`, 'layout '.length) });
    return (h!.contents as MarkupContent).value;
  };
  const lensOf = async (layout: string) => {
    const lenses = await client.request<CodeLens[]>('textDocument/codeLens', { textDocument: { uri: URI } });
    const line = positionOf(TEXT, `layout ${layout} {`).line;
    return lenses.find((l) => l.range.start.line === line && l.command?.command === '')!.command!.title;
  };

  it('hovers the transfer: 2 (K, V) · 64 layers · 256 · 2 B a token, 512 prompts of 2048 tokens, 32 → 8 chips over ICI', async () => {
    const t = report.layouts.find((l) => l.name === 'high_throughput')!.kv_transfer!;
    const bytes = 2 * 64 * 256 * 2 * 2048 * 512; // 64 GiB
    expect(t.bytes).toBe(bytes);
    const md = await hoverOn('high_throughput');
    expect(md).toContain(`**KV transfer** ${formatBytes(bytes)} from \`v4_32\` (32 chips) to \`v4_8\` (8 chips) over the ICI: **${formatSeconds(t.time_s)}**`);
    // The formulas behind both figures, as `explain` writes them.
    expect(md).toContain('bytes: layers · cache elements per token · kv bytes · prompt · B');
    expect(md).toContain('time: α + bytes / (min(P_prefill, P_decode) · bw · link_eff)');
    expect(md).toContain(`total latency (prefill + KV transfer + decode) ${formatSeconds(report.layouts.find((l) => l.name === 'high_throughput')!.total_latency_s!)}`);
  });

  it('puts the transfer time in the lens between prefill and decode', async () => {
    const t = report.layouts.find((l) => l.name === 'high_throughput')!.kv_transfer!;
    const title = await lensOf('high_throughput');
    expect(title).toMatch(new RegExp(`-bound · KV transfer ${formatSeconds(t.time_s).replace(/[.]/g, '\\.')} · decode `));
  });

  it('says nothing of a transfer for a layout on one mesh', async () => {
    expect(await hoverOn('low_latency_16')).not.toContain('KV transfer');
    expect(await lensOf('low_latency_16')).not.toContain('KV transfer');
  });
});
