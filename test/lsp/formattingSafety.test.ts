// Formatting must never change what a file means, and formatting twice must give what formatting
// once gave. Checked on every example and every prelude file through the engine directly (the
// protocol path is covered by editing.test.ts).

import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyze, sourceFromText } from '../../server/src/engine/index';
import { PRELUDE_FILES } from '../../server/src/engine/prelude/index';
import { formatEdits } from '../../server/src/engine/features/formatting';
import { ROOT } from './harness';

function format(text: string): string {
  const analysis = analyze(sourceFromText(text, 'file:///format.shard'), { cost: false });
  let out = text;
  for (const e of [...formatEdits(analysis)].sort((a, b) => b.span.start - a.span.start)) out = out.slice(0, e.span.start) + e.newText + out.slice(e.span.end);
  return out;
}

const examples = readdirSync(path.join(ROOT, 'examples'))
  .filter((f) => f.endsWith('.shard'))
  .map((f) => [`examples/${f}`, readFileSync(path.join(ROOT, 'examples', f), 'utf8')] as const);
const prelude = PRELUDE_FILES.map((f) => [f.uri, f.text] as const);

/** A text with the block statements squeezed to single spaces, as someone might type them. */
function squeezed(text: string): string {
  return text.replace(/^( +)(\w+(?: \w+)?) +(=|:) +/gm, '$1$2 $3 ').replace(/\) +: /g, ') : ');
}

describe('formatting keeps meaning and is idempotent', () => {
  it.each([...examples, ...prelude])('%s', (_name, text) => {
    for (const input of [text, squeezed(text)]) {
      const once = format(input);
      expect(format(once)).toBe(once);
      // Only spaces within lines change.
      expect(once.replace(/[ \t]+/g, '')).toBe(input.replace(/[ \t]+/g, ''));
      const before = analyze(sourceFromText(input, 'file:///a.shard'), { cost: false }).diagnostics.map((d) => `${d.code}:${d.message}`);
      const after = analyze(sourceFromText(once, 'file:///a.shard'), { cost: false }).diagnostics.map((d) => `${d.code}:${d.message}`);
      expect(after).toEqual(before);
    }
  });

  it('has work to do on squeezed text (so the checks above are not vacuous)', () => {
    const ffn = PRELUDE_FILES.find((f) => f.uri.endsWith('/ffn.shard'))!.text;
    const input = squeezed(ffn);
    expect(input).not.toBe(ffn);
    const once = format(input);
    expect(once).not.toBe(input);
    expect(once).toContain('  weight w_in  : E_x F_yz\n  weight w_out : F_yz E_x\n');
  });
});
