// Relative links of a Markdown page that lead nowhere: a file that does not exist, or an anchor
// (`#…`) that is neither a heading of the target page nor an explicit `<a id="…">` in it.
// Anchors are GitHub's: the heading text in lower case, punctuation dropped, spaces as `-`, and
// `-1`, `-2`, … after repeats.

import { existsSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';

/** The page without its fenced code blocks (their `#` lines and brackets are code, not Markdown). */
function prose(markdown: string): string {
  const out: string[] = [];
  let fence: string | undefined;
  for (const line of markdown.split('\n')) {
    const t = line.trim();
    if (fence === undefined) {
      const open = /^(`{3,}|~{3,})/.exec(t);
      if (open) fence = open[1];
      out.push(open ? '' : line);
    } else {
      // A closing fence: the opening's character only, at least as many of them.
      if (t.length >= fence.length && /^(`+|~+)$/.test(t) && t[0] === fence[0]) fence = undefined;
      out.push('');
    }
  }
  return out.join('\n');
}

export function anchorsOf(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  const text = prose(markdown);
  for (const line of text.split('\n')) {
    const h = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (h) {
      const slug = h[1]
        .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
        .toLowerCase()
        .replace(/[^\p{L}\p{N}\s_-]/gu, '')
        .replace(/\s/g, '-');
      const n = seen.get(slug) ?? 0;
      seen.set(slug, n + 1);
      anchors.add(n === 0 ? slug : `${slug}-${n}`);
    }
  }
  for (const m of text.matchAll(/<a\s+(?:id|name)="([^"]+)"/g)) anchors.add(m[1]);
  return anchors;
}

/**
 * Every broken relative link of `page` (repository-relative path, text `markdown`), as
 * `target: reason`. `read` gives the text of another page.
 */
export function brokenLinks(page: string, markdown: string, read: (relative: string) => string, root = join(__dirname, '../../..')): string[] {
  const problems: string[] = [];
  for (const m of prose(markdown).matchAll(/\]\(([^)\s]+)\)/g)) {
    const target = m[1];
    if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto:, vscode: …
    const [path, anchor] = target.split('#', 2);
    const file = path ? normalize(join(dirname(page), path)) : page;
    if (!existsSync(join(root, file))) {
      problems.push(`${target}: no file ${file}`);
      continue;
    }
    if (anchor !== undefined && file.endsWith('.md') && !anchorsOf(file === page ? markdown : read(file)).has(anchor)) {
      problems.push(`${target}: ${file} has no heading or anchor '${anchor}'`);
    }
  }
  return problems;
}
