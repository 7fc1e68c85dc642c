// Show Sharding follows the cursor: which value is under it, which layouts (and phases) use the
// block it is in, and the tiles of that value in the chosen one. The editor sends a position and
// its last choice; everything else (what a position means, which layouts use a block) is
// answered here, so the client never reads the text.
//
// - In a block: the value the statement defines (its name, operation, arguments or type), or a
//   value named in an argument. Choices: every layout and phase whose ffn, attention or
//   unembedding is this block.
// - In a layout: that layout's prefill and decode; the value is the one asked for when the
//   layout has it, else the FFN's first weight (what one most often wants to see first).

import type { Analysis } from '../analysis';
import type { CheckedValue, Phase, ResolvedLayout } from '../check/resolved';
import { isBlockDecl, type BlockDecl } from '../syntax/ast';
import { blockOfRole, tileMap, valueNames, VALUE_ROLES, type TileMap, type ValueRole } from '../sharding/tiles';
import { declAt, locate } from './locate';

export interface ShardingChoice {
  layout: string;
  phase: Phase;
}

/** What Show Sharding draws for a position; `none` says in one sentence why there is nothing. */
export type ShardingAt =
  | { kind: 'none'; reason: string }
  | {
      kind: 'tiles';
      /** `ROLE.NAME` drawn. */
      value: string;
      /** Every layout and phase the view may switch to for this position, in file order, prefill first. */
      choices: ShardingChoice[];
      chosen: ShardingChoice;
      /** Every `ROLE.NAME` of the chosen layout and phase (a value chooser). */
      values: string[];
      tiles: TileMap;
    };

export interface ShardingPreference {
  layout?: string;
  phase?: Phase;
  /** `ROLE.NAME`, used inside a layout declaration. */
  value?: string;
}

const PHASES: readonly Phase[] = ['prefill', 'decode'];

export const NOTHING_DRAWABLE = 'Put the cursor on a value of a block (an input, weight, cache or statement) or inside a layout to see where its tiles live.';

/** The name of the value the cursor is on inside `block`, if any. */
function valueNameAt(analysis: Analysis, block: BlockDecl, offset: number): string | undefined {
  const at = locate(analysis, offset);
  if (!at) return undefined;
  switch (at.kind) {
    case 'valueDef':
      return at.name.text;
    case 'op':
    case 'axesArg':
      return at.stmt.name.text;
    case 'type':
      return at.stmt.kind === 'let' ? at.stmt.name.text : at.stmt.kind === 'out' ? undefined : at.stmt.names[0]?.text;
    case 'ref': {
      // An operand (`einsum(a, w_in)`): the value it names, defined in this block.
      const target = at.ref.target;
      if (target.source !== block.source) return undefined;
      for (const stmt of block.stmts) {
        if (stmt.kind === 'let' && stmt.name.start === target.span.start) return stmt.name.text;
        if (stmt.kind !== 'let' && stmt.kind !== 'out') for (const n of stmt.names) if (n.start === target.span.start) return n.text;
      }
      return undefined;
    }
    default:
      return undefined;
  }
}

/** The role `block` plays in a layout's phase, or null when it plays none. */
function roleOf(layout: ResolvedLayout, phase: Phase, block: BlockDecl): ValueRole | null {
  for (const role of VALUE_ROLES) if (blockOfRole(layout, phase, role)?.decl === block) return role;
  return null;
}

function pick(choices: ShardingChoice[], pref: ShardingPreference): ShardingChoice {
  const same = (c: ShardingChoice) => c.layout === pref.layout;
  return choices.find((c) => same(c) && c.phase === pref.phase) ?? choices.find(same) ?? choices.find((c) => c.phase === (pref.phase ?? 'decode')) ?? choices[0];
}

function drawn(analysis: Analysis, choices: ShardingChoice[], chosen: ShardingChoice, value: string): ShardingAt {
  const layout = analysis.layouts.find((l) => l.name === chosen.layout)!;
  const values = valueNames(layout, chosen.phase);
  const role = value.slice(0, value.indexOf('.')) as ValueRole;
  const checked: CheckedValue | undefined = blockOfRole(layout, chosen.phase, role)?.byName.get(value.slice(value.indexOf('.') + 1));
  if (!checked?.type) return { kind: 'none', reason: `'${value}' has no type in layout '${chosen.layout}' (${chosen.phase}): fix the errors of its statement first.` };
  return { kind: 'tiles', value, choices, chosen, values, tiles: tileMap(layout, chosen.phase, value) };
}

/** What Show Sharding draws for the cursor at `offset`, honouring the view's last choice where it applies. */
export function shardingAt(analysis: Analysis, offset: number, pref: ShardingPreference = {}): ShardingAt {
  const decl = declAt(analysis, offset);
  if (!decl) return { kind: 'none', reason: NOTHING_DRAWABLE };
  if (isBlockDecl(decl)) {
    const name = valueNameAt(analysis, decl, offset);
    if (!name) return { kind: 'none', reason: NOTHING_DRAWABLE };
    const choices: ShardingChoice[] = [];
    const roles = new Map<string, ValueRole>();
    for (const layout of analysis.layouts) {
      for (const phase of PHASES) {
        const role = roleOf(layout, phase, decl);
        if (!role) continue;
        choices.push({ layout: layout.name, phase });
        roles.set(`${layout.name}/${phase}`, role);
      }
    }
    if (!choices.length) return { kind: 'none', reason: `No costed layout of this file uses block '${decl.name.text}': add one (\`ffn = ${decl.name.text}\`) to see its tiles on a mesh.` };
    const chosen = pick(choices, pref);
    return drawn(analysis, choices, chosen, `${roles.get(`${chosen.layout}/${chosen.phase}`)}.${name}`);
  }
  if (decl.kind !== 'layout') return { kind: 'none', reason: NOTHING_DRAWABLE };
  const layout = analysis.layouts.find((l) => l.name === decl.name.text);
  if (!layout) return { kind: 'none', reason: `Layout '${decl.name.text}' is not costed (see its diagnostics), so there is nothing to draw.` };
  const choices = PHASES.map((phase) => ({ layout: layout.name, phase }));
  const chosen = pick(choices, pref);
  const values = valueNames(layout, chosen.phase);
  const firstWeight = layout[chosen.phase].ffn.values.find((v) => v.op === 'weight');
  const value = pref.value && values.includes(pref.value) ? pref.value : firstWeight ? `ffn.${firstWeight.name}` : values[0];
  if (!value) return { kind: 'none', reason: NOTHING_DRAWABLE };
  return drawn(analysis, choices, chosen, value);
}

/**
 * Where the statement of `ROLE.NAME` (a timeline bar's key) is written, for a layout's phase:
 * its span when its block is in this file; undefined for a built-in block (the prelude), a
 * fused op (`layer.…`) or a name the phase does not have.
 */
export function opSpanOf(analysis: Analysis, layoutName: string, phase: Phase, key: string): { start: number; end: number } | undefined {
  const layout = analysis.layouts.find((l) => l.name === layoutName);
  const dot = key.indexOf('.');
  const role = key.slice(0, dot) as ValueRole;
  if (!layout || dot < 0 || !(VALUE_ROLES as readonly string[]).includes(role)) return undefined;
  const block = blockOfRole(layout, phase, role);
  const value = block?.byName.get(key.slice(dot + 1));
  if (!block || !value || block.decl.source !== analysis.source) return undefined;
  return { start: value.stmt.start, end: value.stmt.end };
}
