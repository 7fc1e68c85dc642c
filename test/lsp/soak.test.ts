// Memory soak (issue 7): thousands of edits to a large (~5,000-line) file, as an editor sends them
// while someone types, with requests in between, must not make the server's heap grow without
// bound. The server runs in this process over the in-memory connection, so its heap is this
// process's heap; a forced GC (V8's gc, exposed at run time) before each reading makes the numbers
// comparable. Prints the readings.
//
// The edits are balanced (each one is undone later, numbers change within a small set) so the text
// stays the same size: any growth is what the server keeps, not what the document holds.

import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TextDocumentContentChangeEvent } from 'vscode-languageserver-protocol';
import { positionOf, startInMemory, type TestClient } from './harness';
import { rng } from '../unit/fuzz/oracle';
import { largeShardFile } from '../../bench/largeShardFile.mjs';

const EDITS = Math.round(1500 * Math.max(0.1, Number(process.env.SHARDLENS_FUZZ_RUNS ?? 1) || 1));
const WARMUP_EDITS = 200;
/** Every this many edits the editor asks for something (each request analyses a 5,000-line file). */
const REQUEST_EVERY = 30;

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

function heapMb(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed / 1e6;
}

describe('soak: the server heap stays bounded under thousands of edits', () => {
  let client: TestClient;
  beforeAll(async () => {
    client = await startInMemory({ settings: { inlayHints: { detail: 'time' } } });
  });
  afterAll(() => client.close());

  it(`${EDITS} edits to a 5,000-line file`, async () => {
    const uri = 'file:///soak/large.shard';
    const text = largeShardFile(5000);
    await client.open(uri, text);
    await client.diagnosticsOfVersion(uri, 1);
    const lines = text.split('\n');
    const next = rng(99);
    // Places to edit: an axis in a collective (changes the findings), the workload's batch (a new
    // costing each time), and a spot where a line is inserted and later removed.
    const axisAt = (i: number) => positionOf(text, `ffn ffn_${i} {`);
    const batchAt = positionOf(text, 'batch = 64', 'batch = '.length);
    const copies = lines.filter((l) => l.startsWith('ffn ffn_')).length;
    let batchText = '64';
    const pendingInserts: number[] = [];
    let version = 1;
    let warming = true;

    const edit = async (): Promise<void> => {
      const kind = next();
      let change: TextDocumentContentChangeEvent;
      if (kind < 0.5) {
        // Flip the axis of `c = reduce_scatter(b, x)` in a random copy, and flip it back next time.
        const i = Math.floor(next() * copies);
        const at = axisAt(i);
        const line = at.line + 6;
        const current = lines[line];
        const col = current.indexOf('(b, ') + 4;
        const to = current[col] === 'x' ? 'y' : 'x';
        lines[line] = current.slice(0, col) + to + current.slice(col + 1);
        change = { range: { start: { line, character: col }, end: { line, character: col + 1 } }, text: to };
      } else if (kind < 0.68) {
        // Typing numbers: after warm-up, any of 64 batch sizes, each a new costing of every
        // layout, which fills the engine's cost cache to its cap (COST_CACHE_SIZE entries).
        const to = warming ? (batchText === '64' ? '32' : '64') : String(16 * (1 + Math.floor(next() * 64)));
        change = { range: { start: batchAt, end: { line: batchAt.line, character: batchAt.character + batchText.length } }, text: to };
        batchText = to;
      } else if (pendingInserts.length < 3 && kind < 0.85) {
        const line = 4 + Math.floor(next() * 50);
        pendingInserts.push(line);
        change = { range: { start: { line, character: 0 }, end: { line, character: 0 } }, text: '# a comment being typed\n' };
        lines.splice(line, 0, '# a comment being typed');
      } else if (pendingInserts.length) {
        const line = pendingInserts.pop()!;
        change = { range: { start: { line, character: 0 }, end: { line: line + 1, character: 0 } }, text: '' };
        lines.splice(line, 1);
      } else {
        change = { range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: '' };
      }
      version = await client.change(uri, [change]);
      // Every few edits the editor asks for something, which analyses the current version.
      if (version % REQUEST_EVERY === 0) {
        const method = ['textDocument/hover', 'textDocument/inlayHint', 'textDocument/codeLens', 'textDocument/semanticTokens/full'][Math.floor(next() * 4)];
        const line = Math.floor(next() * lines.length);
        await client.request(method, { textDocument: { uri }, position: { line, character: 4 }, range: { start: { line, character: 0 }, end: { line: line + 40, character: 0 } } });
      }
    };

    for (let i = 0; i < WARMUP_EDITS; i++) await edit();
    await client.diagnosticsOfVersion(uri, version, () => true);
    warming = false;
    const warm = heapMb();
    const byCount: number[] = [];
    const readings: string[] = [`after ${WARMUP_EDITS} warm-up edits: ${warm.toFixed(1)} MB`];
    const started = Date.now();
    for (let i = 1; i <= EDITS; i++) {
      await edit();
      if (i % 500 === 0) {
        await client.diagnostics(uri, (p) => p.version === version, 60_000);
        byCount.push(heapMb());
        readings.push(`after ${i} more: ${byCount[byCount.length - 1].toFixed(1)} MB`);
      }
    }
    await client.diagnostics(uri, (p) => p.version === version, 60_000);
    const end = heapMb();
    readings.push(`end: ${end.toFixed(1)} MB (${EDITS} edits in ${((Date.now() - started) / 1000).toFixed(1)} s; file ${lines.length} lines)`);
    console.log(`soak heap readings (heapUsed after forced GC):\n  ${readings.join('\n  ')}`);
    // The document is back to about its original size, so what may grow is the engine's cost
    // cache: at most 1,000 entries (COST_CACHE_SIZE), referring to the texts of at most 4 versions
    // of the file. Anything beyond that is the server keeping what it no longer needs.
    expect(end - warm).toBeLessThan(100);
    // And the heap levels off: the last third of the edits adds little.
    expect(end - byCount[byCount.length - 2]).toBeLessThan(0.1 * end + 30);
  }, 280_000);
});
