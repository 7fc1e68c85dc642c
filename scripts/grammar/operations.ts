// The TextMate grammar colours operation names before the language server starts. Which names it
// colours, and as what, is derived here from the operation table (server/src/engine/ops), so the
// grammar never keeps a list of its own: `node scripts/grammar/update.mjs` writes the derived
// patterns into syntaxes/shard.tmLanguage.json, and test/grammar/operations.test.ts fails when the
// committed grammar differs from what this derives.

import { allOperations, type OperationDef } from '../../server/src/engine/ops/index';

/** The grammar's scope family of an operation. */
function family(op: OperationDef): 'collective' | 'einsum' | 'normalization' | 'elementwise' {
  if (op.takesAxes) return 'collective';
  if (op.class === 'einsum') return 'einsum';
  if (op.cost.kind === 'elementwise' && op.cost.normalises) return 'normalization';
  return 'elementwise';
}

function names(f: ReturnType<typeof family>): string {
  return allOperations().filter((o) => family(o) === f).map((o) => o.name).join('|');
}

interface Grammar {
  repository: { operation: { patterns: { begin?: string; match?: string; name?: string }[] } };
}

/** `grammar` with its operation patterns set from the table (the grammar object is changed and returned). */
export function withOperationPatterns(grammar: Grammar): Grammar {
  const patterns = grammar.repository.operation.patterns;
  for (const p of patterns) {
    if (p.begin !== undefined) p.begin = `\\b(${names('collective')})\\s*(\\()`;
    else if (p.name === 'support.function.einsum.shard') p.match = `\\b(${names('einsum')})\\b(?=\\s*\\()`;
    else if (p.name === 'support.function.elementwise.shard') p.match = `\\b(${names('elementwise')})\\b(?=\\s*\\()`;
    else if (p.name === 'support.function.normalization.shard') p.match = `\\b(${names('normalization')})\\b(?=\\s*\\()`;
  }
  return grammar;
}

/**
 * The grammar file's text with its operation patterns derived from the table. Only the pattern
 * strings change (each is unique in the file), so the file keeps its hand-written layout.
 */
export function updateGrammarText(text: string): string {
  const before = JSON.parse(text) as Grammar;
  const after = withOperationPatterns(JSON.parse(text) as Grammar);
  let out = text;
  before.repository.operation.patterns.forEach((p, i) => {
    const q = after.repository.operation.patterns[i];
    for (const key of ['begin', 'match'] as const) {
      const old = p[key];
      const now = q[key];
      if (old !== undefined && now !== undefined && old !== now) out = out.replace(JSON.stringify(old), JSON.stringify(now));
    }
  });
  return out;
}
