// The text of `report --json`: exactly `JSON.stringify(report, null, 2)` and a line break, written
// in pieces. A sweep file's report runs to hundreds of megabytes, most of it the figures of a few
// configurations repeated under many layout names (buildReport shares one object per
// configuration): written whole it would be one string past V8's length limit, stringified anew
// for every layout. Here the top of the report is walked by hand, each object below it is
// stringified once however many layouts share it, and the text goes out in pieces.

/**
 * Small pieces are handed to `write` together when they add up to this many characters, a larger
 * one (an object's text) on its own: copying it into a joined string again for every layout that
 * shares it costs more than one more write.
 */
const PIECE_CHARS = 1 << 12;
/**
 * An object written whole keeps its text for the next time it is written when the text is at
 * least this long: a configuration's memory figures, a few hundred characters shared by every
 * layout of the configuration, are stringified once, not once per layout.
 */
const KEPT_CHARS = 256;
/** Objects this deep (report 0, its arrays 1, their entries 2) are written whole, once each. */
const SHARED_DEPTH = 3;
/**
 * Above that depth, only an object or array with a part of more entries than this (a layout's
 * figures, the list of layouts) is walked: anything smaller (a diagnostic) is written whole at
 * once, which is faster. Either way the text is the same.
 */
const LARGE_PART = 8;

/**
 * Writes `JSON.stringify(value, null, 2) + '\n'` through `write`, in pieces. `again` is true when
 * the piece is the text of an object written before (one that layouts share), so a writer that
 * encodes the text to bytes can keep the bytes of such a piece.
 */
export function writeJsonText(value: unknown, write: (text: string, again: boolean) => void): void {
  const texts = new Map<object, string>();
  let pending: string[] = [];
  let pendingChars = 0;
  const flush = () => {
    if (pending.length) write(pending.length === 1 ? pending[0] : pending.join(''), false);
    pending = [];
    pendingChars = 0;
  };
  const put = (text: string, again = false) => {
    if (text.length >= PIECE_CHARS) {
      flush();
      write(text, again);
      return;
    }
    pending.push(text);
    pendingChars += text.length;
    if (pendingChars >= PIECE_CHARS) flush();
  };

  /**
   * Puts an object or array written whole `depth` levels down. A text of KEPT_CHARS or more is made
   * once per object (layouts share their configuration's figures).
   */
  const putWhole = (v: object, depth: number): void => {
    let text = texts.get(v);
    if (text !== undefined) return put(text, true);
    text = indentedJson(v, depth);
    if (text.length >= KEPT_CHARS) texts.set(v, text);
    put(text);
  };

  /** JSON.stringify's text of each key, with its colon. */
  const keyTexts = new Map<string, string>();
  const keyText = (key: string): string => {
    let text = keyTexts.get(key);
    if (text === undefined) keyTexts.set(key, (text = `${JSON.stringify(key)}: `));
    return text;
  };

  const walk = (v: unknown, indent: string, depth: number): void => {
    if (v === null || typeof v !== 'object') {
      put(JSON.stringify(v));
      return;
    }
    if (depth >= SHARED_DEPTH || typeof (v as { toJSON?: unknown }).toJSON === 'function' || !hasLargePart(v)) return putWhole(v, depth);
    const inner = `${indent}  `;
    if (Array.isArray(v)) {
      if (!v.length) return put('[]');
      for (let i = 0; i < v.length; i++) {
        put(i ? `,\n${inner}` : `[\n${inner}`);
        // As JSON.stringify does: an undefined or function element is null.
        const item: unknown = v[i];
        if (item === undefined || typeof item === 'function' || typeof item === 'symbol') put('null');
        else walk(item, inner, depth + 1);
      }
      return put(`\n${indent}]`);
    }
    let first = true;
    for (const key of Object.keys(v)) {
      const item: unknown = (v as Record<string, unknown>)[key];
      // As JSON.stringify does: a property that is undefined or a function is left out.
      if (item === undefined || typeof item === 'function' || typeof item === 'symbol') continue;
      put(`${first ? '{' : ','}\n${inner}${keyText(key)}`);
      first = false;
      walk(item, inner, depth + 1);
    }
    put(first ? '{}' : `\n${indent}}`);
  };

  walk(value, '', 0);
  put('\n');
  flush();
}

/** Whether a value of `v` (an element, for an array) is an object or array of many entries. */
function hasLargePart(v: object): boolean {
  if (Array.isArray(v)) {
    for (const part of v) if (isLarge(part)) return true;
    return false;
  }
  for (const key in v) if (Object.hasOwn(v, key) && isLarge((v as Record<string, unknown>)[key])) return true;
  return false;
}

/** An array or object of more than LARGE_PART entries (counted without listing them). */
function isLarge(part: unknown): boolean {
  if (!part || typeof part !== 'object') return false;
  if (Array.isArray(part)) return part.length > LARGE_PART;
  let entries = 0;
  for (const key in part) if (Object.hasOwn(part, key) && ++entries > LARGE_PART) return true;
  return false;
}

/**
 * `JSON.stringify(v, null, 2)` as it reads `depth` levels down in a larger text (every line after
 * the first indented by two spaces a level): stringified inside as many one-element arrays and cut
 * out, which is one pass over the text instead of a second one to indent it.
 */
function indentedJson(v: object, depth: number): string {
  if (depth === 0) return JSON.stringify(v, null, 2);
  let wrapped: unknown = v;
  for (let i = 0; i < depth; i++) wrapped = [wrapped];
  const text = JSON.stringify(wrapped, null, 2);
  // `[\n  [\n    ` … before, `\n  ]\n]` … after: 2 + 2·i characters a level on each side but the innermost.
  let before = 0;
  let after = 0;
  for (let i = 0; i < depth; i++) {
    before += 2 + 2 * (i + 1);
    after += 2 + 2 * i;
  }
  return text.slice(before, text.length - after);
}
