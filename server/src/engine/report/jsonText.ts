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
   * Puts an object or array written whole at `indent`. A text long enough to be written on its
   * own is made once per object (layouts share their configuration's figures).
   */
  const putWhole = (v: object, indent: string): void => {
    let text = texts.get(v);
    if (text !== undefined) return put(text, true);
    text = JSON.stringify(v, null, 2);
    // JSON strings escape line breaks, so every one in the text starts a line to indent.
    if (text.length < PIECE_CHARS) return put(indent ? text.replace(/\n/g, `\n${indent}`) : text);
    // Split and joined, the text is one flat string (`replace` leaves one that is slow to copy).
    if (indent) text = text.split('\n').join(`\n${indent}`);
    texts.set(v, text);
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
    if (depth >= SHARED_DEPTH || typeof (v as { toJSON?: unknown }).toJSON === 'function' || !hasLargePart(v)) return putWhole(v, indent);
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
  for (const part of Object.values(v)) {
    if (part && typeof part === 'object' && (Array.isArray(part) ? part.length : Object.keys(part).length) > LARGE_PART) return true;
  }
  return false;
}
