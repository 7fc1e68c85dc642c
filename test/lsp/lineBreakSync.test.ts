// Incremental sync across line breaks that an edit joins. LSP counts \n, \r\n and \r as line
// breaks, so an edit can turn a lone \r and a lone \n into one \r\n break by inserting the \r
// before an \n, inserting the \n after an \r, or deleting whatever separated them.
// vscode-languageserver-textdocument's incremental update (1.0.12) works out the line starts of
// the inserted text without looking at its neighbours. It then counts a line that is not there,
// and the client's next edit lands between the \r and the \n. The server's text then no longer
// matches the editor's, and it answered with lines that the editor does not have. The LSP fuzz
// run found this after 1,075 edits (seed 1638605484); these cases reproduce it in two edits.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DocumentSymbol, FoldingRange, TextDocumentContentChangeEvent } from 'vscode-languageserver-protocol';
import { startInMemory, type TestClient } from './harness';
import { lineLengths } from '../unit/fuzz/oracle';

const at = (line: number, character: number) => ({ line, character });

/** Each case's first edit turns its text into JOINED: line 0 then ends in one \r\n break. */
const JOINED = 'model tiny {\r\n  layers = 2\n}\n';
const CASES: { name: string; text: string; join: TextDocumentContentChangeEvent }[] = [
  { name: 'inserting \\r before an \\n', text: 'model tiny {\n  layers = 2\n}\n', join: { range: { start: at(0, 12), end: at(0, 12) }, text: '\r' } },
  { name: 'inserting \\n after a lone \\r', text: 'model tiny {\r  layers = 2\n}\n', join: { range: { start: at(1, 0), end: at(1, 0) }, text: '\n' } },
  { name: 'deleting what separates \\r and \\n', text: 'model tiny {\rx\n  layers = 2\n}\n', join: { range: { start: at(1, 0), end: at(1, 1) }, text: '' } },
];
/** Then an edit at the start of line 1, which in JOINED begins after the \r\n. */
const NEXT: TextDocumentContentChangeEvent = { range: { start: at(1, 0), end: at(1, 0) }, text: '# c\n' };
const EXPECTED = 'model tiny {\r\n# c\n  layers = 2\n}\n';

describe('incremental sync when an edit joins \\r and \\n into one line break', () => {
  let client: TestClient;
  beforeAll(async () => {
    client = await startInMemory();
  });
  afterAll(() => client.close());

  for (const { name, text, join } of CASES) {
    // Sent as two didChange notifications, and as one that carries both changes (fast typing).
    for (const burst of [false, true]) {
      it(`${name}${burst ? ', both changes in one notification' : ''}`, async () => {
        const uri = `file:///work/crlf-${CASES.findIndex((c) => c.name === name)}-${burst}.shard`;
        await client.open(uri, text);
        if (burst) await client.change(uri, [join, NEXT]);
        else {
          await client.change(uri, [join]);
          await client.change(uri, [NEXT]);
        }
        const lines = lineLengths(EXPECTED);
        const closing = EXPECTED.split(/\r\n|\r|\n/).indexOf('}');
        // The server's text is EXPECTED: the block folds from line 0 to the line before its `}`
        // (which stays visible), and its symbol ends at the `}`. With the wrong line starts, the server got 'model tiny {\r# c\n\n…' and
        // put the `}` one line further down.
        const folds = await client.request<FoldingRange[]>('textDocument/foldingRange', { textDocument: { uri } });
        expect(folds).toEqual([{ startLine: 0, endLine: closing - 1 }]);
        for (const f of folds) expect(f.endLine).toBeLessThan(lines.length);
        const symbols = await client.request<DocumentSymbol[]>('textDocument/documentSymbol', { textDocument: { uri } });
        expect(symbols.map((s) => [s.name, s.range.end])).toEqual([['tiny', at(closing, 1)]]);
      });
    }
  }

  it('the joined text itself has the lines LSP says it has', async () => {
    const uri = 'file:///work/crlf-joined.shard';
    await client.open(uri, CASES[0].text);
    await client.change(uri, [CASES[0].join]);
    const folds = await client.request<FoldingRange[]>('textDocument/foldingRange', { textDocument: { uri } });
    expect(folds).toEqual([{ startLine: 0, endLine: JOINED.split(/\r\n|\r|\n/).indexOf('}') - 1 }]);
  });
});
