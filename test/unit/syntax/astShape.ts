// The shape of a syntax tree without positions: what "the same AST modulo spans" compares.
//
// Spans (`start`/`end`, and span-only members such as `keyword`, `eq`, `argsSpan`, `letterSpan`)
// and the back-pointer to the source are dropped. A record's `body` span is kept only as "braces
// were written", which the printer preserves. Axis letters inside one group or partialsum are a
// set (spec §1 type identity), and the printer writes them in mesh order, so they are compared
// sorted.

const SPAN_ONLY_KEYS = new Set(['start', 'end', 'keyword', 'eq', 'argsSpan', 'letterSpan', 'source']);

export function astShape(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(astShape);
  if (node === null || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node as Record<string, unknown>)) {
    if (SPAN_ONLY_KEYS.has(key) || value === undefined) continue;
    if (key === 'body') {
      out.hasBraces = true;
      continue;
    }
    if (key === 'axes' && Array.isArray(value)) {
      out.axes = value.map((a) => (a as { letter: string }).letter).sort();
      continue;
    }
    out[key] = astShape(value);
  }
  return out;
}
