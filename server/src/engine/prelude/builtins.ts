// The built-in ffn layouts, as the prelude itself marks them: a comment line
//
//   # @builtin "2D weight-stationary" default
//
// right above an `ffn` declaration makes it a built-in layout with that title; `default` (on one
// layout) makes it the one tried first where the engine picks a layout for the user. Search, the
// better-layout hint, the crossover chart, completion and the checker's name resolution all read
// this list, so a new layout is its blocks in the prelude, marked, and nothing else.

import type { File } from '../syntax/ast';
import { parse } from '../syntax/parser';
import { PRELUDE_FILES } from './index';
import { ATTENTION_SHARDINGS, attentionFamilyName, familyMemberName, K_CLASS_NAMES, type AttentionSharding } from './names';

export interface BuiltinFfn {
  name: string;
  /** The layout's name in Pope et al. (2022), for messages: "2D weight-stationary". */
  title: string;
  /** The attention shardings the prelude has a family for (`<ffn>_heads…`, `<ffn>_batch…`), heads first. */
  attention: readonly AttentionSharding[];
}

/**
 * A built-in mixture-of-experts ffn layout (prelude/moe.shard), marked
 * `# @builtin-moe "Title" dense ws2d ws1d`: the dense built-in ffns named after `dense` share its
 * residual stream, so their attention families pair with it (search, the better-layout hint) and
 * the first is the default block of an MoE model's dense layers (`dense_layers`).
 */
export interface BuiltinMoeFfn {
  name: string;
  title: string;
  dense: readonly string[];
}

export interface PreludeBuiltins {
  /**
   * The marked ffn layouts in declaration order, which is the paper's (ws1d, ws2d, wg_x, wg_xy,
   * wg_xyz): the order search tries them, hints and the crossover chart list them.
   */
  ffns: readonly BuiltinFfn[];
  /**
   * The same names, the `default` one first (ws2d, ws1d, wg_x, wg_xy, wg_xyz): the order in which
   * a layout whose ffn has no unembedding of its own tries theirs (spec §5), and messages list them.
   */
  byPreference: readonly string[];
  /** The marked mixture-of-experts ffn layouts, in prelude order. */
  moeFfns: readonly BuiltinMoeFfn[];
}

/** `# @builtin "Title" [default]`, the whole comment. */
const BUILTIN_MARK = /^#\s*@builtin\s+"([^"]+)"(\s+default)?\s*$/;

/** `# @builtin-moe "Title" dense NAME…`, the whole comment. */
const MOE_MARK = /^#\s*@builtin-moe\s+"([^"]+)"\s+dense((?:\s+[A-Za-z_][A-Za-z0-9_]*)+)\s*$/;

/** True for a doc-comment line (without its `#`) that is a built-in mark, which hovers leave out. */
export function isBuiltinMark(line: string): boolean {
  return BUILTIN_MARK.test(`#${line}`) || MOE_MARK.test(`#${line}`);
}

/** The built-ins of parsed prelude files. */
export function readBuiltins(files: readonly File[]): PreludeBuiltins {
  const ffns: BuiltinFfn[] = [];
  const moeFfns: BuiltinMoeFfn[] = [];
  const defaults: string[] = [];
  const blockNames = new Set<string>();
  for (const f of files) for (const d of f.decls) blockNames.add(d.name.text);
  const hasFamily = (family: string) => blockNames.has(family) || K_CLASS_NAMES.some((k) => blockNames.has(familyMemberName(family, k)));
  for (const file of files) {
    const text = file.source.text;
    let c = 0;
    for (const d of file.decls) {
      if (d.kind !== 'ffn') continue;
      // The comment on the line right above the declaration (comments are in text order).
      while (c < file.comments.length && file.comments[c].end <= d.start) c++;
      const above = c > 0 ? file.comments[c - 1] : undefined;
      if (!above || !/^[ \t]*\r?\n[ \t]*$/.test(text.slice(above.end, d.start))) continue;
      const comment = text.slice(above.start, above.end);
      const moe = MOE_MARK.exec(comment);
      if (moe) moeFfns.push({ name: d.name.text, title: moe[1], dense: moe[2].trim().split(/\s+/) });
      const mark = BUILTIN_MARK.exec(comment);
      if (!mark) continue;
      const name = d.name.text;
      ffns.push({ name, title: mark[1], attention: ATTENTION_SHARDINGS.filter((s) => hasFamily(attentionFamilyName(name, s))) });
      if (mark[2]) defaults.push(name);
    }
  }
  const names = ffns.map((f) => f.name);
  return { ffns, byPreference: [...defaults, ...names.filter((n) => !defaults.includes(n))], moeFfns };
}

let bundled: PreludeBuiltins | undefined;

/**
 * The built-ins of the prelude shipped with the engine. The prelude is constant, so this is read
 * once per process, like a table.
 */
export function preludeBuiltins(): PreludeBuiltins {
  return (bundled ??= readBuiltins(PRELUDE_FILES.map((s) => parse(s))));
}

/** The built-in ffn layouts' names, in the paper's order (ws1d first). */
export function builtinFfnNames(): string[] {
  return preludeBuiltins().ffns.map((f) => f.name);
}

/** The title of a built-in ffn layout ("1D weight-stationary"), dense or MoE, or undefined for any other name. */
export function builtinFfnTitle(name: string): string | undefined {
  const b = preludeBuiltins();
  return (b.ffns.find((f) => f.name === name) ?? b.moeFfns.find((f) => f.name === name))?.title;
}
