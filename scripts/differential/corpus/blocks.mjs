// User-written blocks for the corpus, made from the built-in blocks of the prelude: a family
// (one ffn layout with its gelu and swiglu variants, its attention members and its unembed) is
// copied under new names with the mesh axes renamed (x y z → a permutation of them, or other
// letters such as p q r). A renamed copy of a correct block is correct, so these exercise the
// checker and cost model on blocks that are not built-ins, on meshes whose axes are not x y z.
// `mutate` breaks one statement of a copy, for layouts whose diagnostics come from a block.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const BUILTIN_FFNS = ['ws1d', 'ws2d', 'wg_x', 'wg_xy', 'wg_xyz'];
const COLLECTIVES = 'all_gather|reduce_scatter|all_reduce|all_to_all|slice';

/** Every `ffn|attention|unembed NAME { … }` of the prelude, comments dropped: name → {kind, name, lines}. */
export function readPreludeBlocks(preludeDir) {
  const blocks = new Map();
  for (const file of ['ffn.shard', 'attention.shard', 'unembed.shard']) {
    let current = null;
    for (const raw of readFileSync(join(preludeDir, file), 'utf8').split('\n')) {
      const line = raw.replace(/#.*$/, '').trimEnd();
      const head = /^(ffn|attention|unembed) ([a-z0-9_]+) \{$/.exec(line);
      if (head) {
        current = { kind: head[1], name: head[2], lines: [] };
        continue;
      }
      if (!current) continue;
      if (line === '}') {
        blocks.set(current.name, current);
        current = null;
      } else if (line.trim()) current.lines.push(line);
    }
  }
  return blocks;
}

/** The blocks of one built-in family: the ffn (gelu and swiglu), its attention members, its unembed. */
export function familyOf(blocks, ffn) {
  return [...blocks.values()].filter(
    (b) => b.name === ffn || b.name === `${ffn}_swiglu` || b.name === `${ffn}_unembed` || b.name.startsWith(`${ffn}_heads_`) || b.name.startsWith(`${ffn}_batch_`),
  );
}

/** `axes` rewritten letter by letter through `map` (x → map.x …). */
const renameLetters = (axes, map) => [...axes].map((a) => map[a] ?? a).join('');

/**
 * One statement with its mesh axes renamed: the AXES argument of a collective, the axes after `_`
 * in the type and the partialsum axes. Value names (`w_in`) sit left of the `:` outside a
 * collective's second argument, so they are left alone.
 */
export function renameAxesInStatement(line, map) {
  const colon = line.indexOf(':');
  if (colon < 0) return line;
  const left = line.slice(0, colon).replace(new RegExp(`\\b(${COLLECTIVES})\\(([^,()]+),\\s*([a-z]+)\\)`), (_, op, arg, axes) => `${op}(${arg}, ${renameLetters(axes, map)})`);
  const right = line
    .slice(colon)
    .replace(/_([a-z]+)/g, (_, axes) => `_${renameLetters(axes, map)}`)
    .replace(/partialsum-([a-z]+)/g, (_, axes) => `partialsum-${renameLetters(axes, map)}`);
  return left + right;
}

/** A copy of `block` named `prefix + name`, axes renamed through `map`. */
export function renamedBlock(block, prefix, map) {
  return { kind: block.kind, name: `${prefix}${block.name}`, lines: block.lines.map((l) => renameAxesInStatement(l, map)) };
}

export function blockText(block) {
  return `${block.kind} ${block.name} {\n${block.lines.join('\n')}\n}\n`;
}

/** Statement lines of the form `NAME = OP(ARGS) : TYPE` (their indexes in block.lines). */
function assignments(block) {
  return block.lines.flatMap((l, i) => (/^\s*[a-z0-9_]+\s*=\s*[a-z_]+\(/.test(l) ? [i] : []));
}

/** `lines` with line `i` replaced, or null (the mutation does not apply) when `text` is null. */
function withLine(lines, i, text) {
  if (text === null || text === lines[i]) return null;
  const out = [...lines];
  out[i] = text;
  return out;
}

/**
 * One mistake in a copy of `block`, of a kind picked with `random`; returns the broken block and
 * a short label (kept in a comment in the corpus, so a differing file says what it tests).
 */
export function mutate(block, random, axisLetters) {
  const { lines } = block;
  const stmts = assignments(block);
  const at = random.pick(stmts);
  const line = lines[at];
  const otherAxis = (letter) => random.pick(axisLetters.filter((a) => a !== letter));
  const mutations = [
    ['annotation axis changed', () => {
      const colon = line.indexOf(':');
      const m = colon < 0 ? null : /_([a-z]+)/.exec(line.slice(colon));
      if (!m) return null;
      const i = colon + m.index + 1;
      return withLine(lines, at, line.slice(0, i) + otherAxis(line[i]) + line.slice(i + 1));
    }],
    ['annotation dropped', () => withLine(lines, at, line.replace(/\s*:.*$/, ''))],
    ['unknown dim letter', () => withLine(lines, at, line.replace(/:(\s*)[A-Z]/, ':$1N'))],
    ['duplicate dim letter', () => withLine(lines, at, line.replace(/:(\s*)([A-Z])/, ':$1$2$2'))],
    ['unknown operation', () => withLine(lines, at, line.replace(/=\s*[a-z_]+\(/, '= frobnicate('))],
    ['collective over an unknown axis', () => (new RegExp(`(${COLLECTIVES})\\(`).test(line) ? withLine(lines, at, line.replace(/,\s*[a-z]+\)/, ', w)')) : null)],
    ['extra argument', () => withLine(lines, at, line.replace(/\)(\s*:|$)/, ', h)$1'))],
    ['weight declared as a partial sum', () => {
      const w = lines.findIndex((l) => /^\s*weight /.test(l));
      return withLine(lines, w, `${lines[w]} (partialsum-${axisLetters[0]})`);
    }],
    ['statement moved before its operand', () => {
      const next = stmts[stmts.indexOf(at) + 1];
      if (next === undefined) return null;
      const out = [...lines];
      [out[at], out[next]] = [out[next], out[at]];
      return out;
    }],
    ['statement deleted', () => lines.filter((_, i) => i !== at)],
    ['out removed', () => lines.filter((l) => !/^\s*out /.test(l))],
  ];
  for (;;) {
    const [label, apply] = random.pick(mutations);
    const broken = apply();
    if (broken) return { block: { ...block, lines: broken }, label };
  }
}
