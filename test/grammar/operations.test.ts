// The grammar's operation names come from the operation table (scripts/grammar/operations.ts):
// the committed grammar must be what the table derives, so adding an operation to the table and
// running `node scripts/grammar/update.mjs` is all it takes to colour it.

import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { updateGrammarText } from '../../scripts/grammar/operations';
import { allOperations } from '../../server/src/engine/ops/index';

const grammarPath = resolve(dirname(fileURLToPath(import.meta.url)), '../../syntaxes/shard.tmLanguage.json');

describe('grammar operation patterns', () => {
  const text = readFileSync(grammarPath, 'utf8');
  it('are the ones the operation table derives (run node scripts/grammar/update.mjs)', () => {
    expect(updateGrammarText(text)).toBe(text);
  });
  it('name every operation of the table', () => {
    for (const op of allOperations()) expect(text, op.name).toMatch(new RegExp(`[(|]${op.name}[|)]`));
  });
  it('would see a grammar that lags the table', () => {
    const last = allOperations()[allOperations().length - 1].name;
    const stale = text.replace(`|${last})`, ')');
    expect(stale).not.toBe(text);
    expect(updateGrammarText(stale)).not.toBe(stale);
  });
});
