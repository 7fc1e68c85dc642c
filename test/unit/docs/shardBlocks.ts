// The ```shard code blocks of a Markdown page, with the markers that say how each is checked.
//
// Every ```shard block in docs/*.md and README.md is analysed by the real engine and must check
// clean: no error and no warning (information and hints, such as `better-layout`, are allowed:
// they are advice, and `shardlens check` exits 0 on them). HTML comments on the lines right
// above the opening fence change that, one marker per comment:
//
//   <!-- expect: not-divisible, unit -->
//       The block shows these diagnostics on purpose: each code must be reported (at any
//       severity), and every error or warning reported must be one of them.
//   <!-- part-of: examples/tutorial.shard -->
//       The block is the next part of that file. It is checked together with the parts before
//       it (joined by one blank line), and all the parts joined must be the file, byte for byte,
//       so the page shows exactly the file its commands run on.
//   <!-- after: examples/search/walkthrough.shard -->
//       The block is checked written after that file (as the repository has it, joined by one
//       blank line): text a page tells you to paste under a file.
//   <!-- fragment: WHY -->
//       Not checked: the block is not shard text that can stand anywhere (keep these rare, and
//       say why).
//
// Any other comment directly above a ```shard fence is a mistake in the page, and so is a
// marker on a block of another language.

export interface ShardBlockMarkers {
  /** Diagnostic codes the block shows on purpose. */
  expect: string[];
  /** Repository-relative path of the file this block is the next part of. */
  partOf?: string;
  /** Repository-relative path of the file this block is checked after. */
  after?: string;
  /** Why the block is not checked. */
  fragment?: string;
}

export interface ShardBlock {
  /** 1-based line of the opening fence in its page. */
  line: number;
  /** The code between the fences, without the fence's indentation, ending with a newline. */
  text: string;
  markers: ShardBlockMarkers;
}

/** A page that cannot be read as intended: a bad marker, an unclosed fence. */
export class PageError extends Error {}

const FENCE = /^(\s*)(`{3,}|~{3,})\s*([^`\s]*)/;
const COMMENT = /^\s*<!--\s*(.*?)\s*-->\s*$/;
const MARKER = /^(expect|part-of|after|fragment):\s*(.*)$/;

function readMarkers(comments: { text: string; line: number }[]): ShardBlockMarkers {
  const markers: ShardBlockMarkers = { expect: [] };
  for (const c of comments) {
    const m = MARKER.exec(c.text);
    if (!m) throw new PageError(`line ${c.line}: \`<!-- ${c.text} -->\` above a shard block is not a marker (expect:, part-of:, after:, fragment:)`);
    const [, name, value] = m;
    if (!value) throw new PageError(`line ${c.line}: marker \`${name}:\` needs a value`);
    if (name === 'expect') markers.expect.push(...value.split(',').map((s) => s.trim()).filter(Boolean));
    else if (name === 'part-of') markers.partOf = value;
    else if (name === 'after') markers.after = value;
    else markers.fragment = value;
  }
  if (markers.partOf && markers.after) throw new PageError(`a block cannot be both \`part-of\` and \`after\` (${markers.partOf})`);
  return markers;
}

/** The ```shard blocks of a page, in order. */
export function shardBlocks(markdown: string): ShardBlock[] {
  const lines = markdown.split('\n');
  const out: ShardBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = FENCE.exec(lines[i]);
    if (!open) continue;
    const [, indent, fence, info] = open;
    // The comments directly above the fence, nearest last.
    const comments: { text: string; line: number }[] = [];
    for (let j = i - 1; j >= 0; j--) {
      const c = COMMENT.exec(lines[j]);
      if (!c) break;
      comments.unshift({ text: c[1], line: j + 1 });
    }
    const isShard = info === 'shard';
    const markerComments = comments.filter((c) => MARKER.test(c.text));
    if (!isShard && markerComments.length) throw new PageError(`line ${markerComments[0].line}: a marker above a \`${info || 'plain'}\` block, not a shard block`);
    // Find the closing fence: the same character, at least as long, nothing after it.
    let close = -1;
    for (let j = i + 1; j < lines.length; j++) {
      const t = lines[j].trim();
      if (t.startsWith(fence) && /^[`~]+$/.test(t) && t[0] === fence[0] && t.length >= fence.length) {
        close = j;
        break;
      }
    }
    if (close < 0) throw new PageError(`line ${i + 1}: a code block that is never closed`);
    if (isShard) {
      const body = lines.slice(i + 1, close).map((l) => (l.startsWith(indent) ? l.slice(indent.length) : l.trimStart()));
      out.push({ line: i + 1, text: body.join('\n') + '\n', markers: readMarkers(comments) });
    }
    i = close;
  }
  return out;
}

/** What one analysis found, reduced to what the markers speak about. */
export interface Finding {
  code: string;
  severity: 'error' | 'warning' | 'information' | 'hint';
  /** 1-based line in the text that was checked. */
  line: number;
  message: string;
}

/**
 * What is wrong with a block's findings given its markers: an error or warning it does not
 * expect, or an expected code that was not reported. Empty when the block is as the page says.
 */
export function mismatches(findings: readonly Finding[], expect: readonly string[]): string[] {
  const problems: string[] = [];
  for (const f of findings) {
    if ((f.severity === 'error' || f.severity === 'warning') && !expect.includes(f.code)) {
      problems.push(`line ${f.line}: ${f.severity} ${f.code}: ${f.message}`);
    }
  }
  for (const code of expect) {
    if (!findings.some((f) => f.code === code)) problems.push(`expected \`${code}\`, which was not reported`);
  }
  return problems;
}
