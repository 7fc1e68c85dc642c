// Where each `layout NAME { … }` declaration sits in a `.shard` text, found with a small scan
// (comments skipped, braces counted). The status bar uses it to know which layout the cursor
// is in, and the compare view to reveal a layout, without a round trip to the server for
// something this local. Offsets are UTF-16 indices into the text, as TextDocument.positionAt takes.

export interface LayoutRange {
  name: string;
  /** The declaration from the `layout` keyword through the closing brace (or the end of text). */
  start: number;
  end: number;
  nameStart: number;
  nameEnd: number;
}

const NAME_CHAR = /[a-z0-9_]/;

export function findLayoutRanges(text: string): LayoutRange[] {
  const ranges: LayoutRange[] = [];
  let depth = 0;
  let open: LayoutRange | undefined;
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === '#') {
      const eol = text.indexOf('\n', i);
      i = eol < 0 ? text.length : eol;
      continue;
    }
    if (c === '{') depth++;
    else if (c === '}') {
      depth = Math.max(0, depth - 1);
      if (depth === 0 && open) {
        open.end = i + 1;
        ranges.push(open);
        open = undefined;
      }
    } else if (depth === 0 && text.startsWith('layout', i) && (i === 0 || !NAME_CHAR.test(text[i - 1])) && /\s/.test(text[i + 6] ?? '')) {
      const m = /^layout\s+([a-z_][a-z0-9_]*)/.exec(text.slice(i, i + 200));
      if (m) {
        if (open) ranges.push({ ...open, end: i });
        const nameStart = i + m[0].length - m[1].length;
        open = { name: m[1], start: i, end: text.length, nameStart, nameEnd: nameStart + m[1].length };
        i += m[0].length;
        continue;
      }
    }
    i++;
  }
  if (open) ranges.push(open);
  return ranges;
}

/** The layout whose declaration contains `offset`, if any. */
export function layoutAt(text: string, offset: number): LayoutRange | undefined {
  return findLayoutRanges(text).find((r) => offset >= r.start && offset <= r.end);
}
