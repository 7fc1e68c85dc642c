// A small argument parser. Hand-rolled rather than a library because the grammar is tiny and the
// contract (cli.md) wants exact one-line messages and exit status 2 for every mistake, which is
// easier to guarantee than to coax out of a general parser.
//
// Grammar: options and positionals in any order; `--name value` or `--name=value`; flags take no
// value; `--` ends options; a lone `-` is a positional (standard input).

import { usageError } from './errors';

export interface OptionSpec {
  /** Long name without dashes, e.g. `format`. */
  name: string;
  /** Placeholder shown in help, e.g. `NAME`; absent for a flag. */
  value?: string;
  /** Allowed values, checked here so every command reports a bad choice the same way. */
  choices?: readonly string[];
  /** May be given more than once (values accumulate in order). */
  repeat?: boolean;
  /** Another option this one is shorthand for, with the value it implies (`--json` → `--format json`). */
  alias?: { name: string; value: string };
  help: string;
}

export interface ParsedArgs {
  positionals: string[];
  /** The last value of each single option (flags map to 'true'). */
  options: Map<string, string>;
  /** Every value of each repeatable option. */
  lists: Map<string, string[]>;
  help: boolean;
}

/** Joins choices as prose: `a, b or c`. */
export function listChoices(choices: readonly string[]): string {
  return choices.length <= 1 ? choices.join('') : `${choices.slice(0, -1).join(', ')} or ${choices[choices.length - 1]}`;
}

export function parseArgs(argv: readonly string[], specs: readonly OptionSpec[], command: string): ParsedArgs {
  const byName = new Map(specs.map((s) => [s.name, s]));
  const out: ParsedArgs = { positionals: [], options: new Map(), lists: new Map(), help: false };
  let onlyPositionals = false;

  const set = (spec: OptionSpec, value: string, shownAs: string): void => {
    if (spec.choices && !spec.choices.includes(value)) {
      throw usageError(`${shownAs} must be ${listChoices(spec.choices)}, not '${value}'`, command);
    }
    if (spec.repeat) {
      const list = out.lists.get(spec.name) ?? [];
      list.push(value);
      out.lists.set(spec.name, list);
    }
    out.options.set(spec.name, value);
  };

  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (onlyPositionals || arg === '-' || !arg.startsWith('-')) {
      out.positionals.push(arg);
      continue;
    }
    if (arg === '--') {
      onlyPositionals = true;
      continue;
    }
    if (arg === '-h' || arg === '--help') {
      out.help = true;
      continue;
    }
    if (!arg.startsWith('--')) {
      // No short options besides -h: they would only save typing at the cost of ambiguity.
      throw usageError(`unknown option '${arg}' for '${command}'`, command);
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    const inline = eq < 0 ? undefined : arg.slice(eq + 1);
    const spec = byName.get(name);
    if (!spec) throw usageError(`unknown option '--${name}' for '${command}'`, command);

    if (spec.alias) {
      if (inline !== undefined) throw usageError(`option '--${name}' takes no value`, command);
      const target = byName.get(spec.alias.name);
      if (!target) throw new Error(`option spec: --${name} aliases missing --${spec.alias.name}`);
      set(target, spec.alias.value, `--${target.name}`);
      continue;
    }
    if (spec.value === undefined) {
      if (inline !== undefined) throw usageError(`option '--${name}' takes no value`, command);
      set(spec, 'true', `--${name}`);
      continue;
    }
    let value = inline;
    if (value === undefined) {
      const next = argv[i + 1];
      // `--layout --json` is far more likely a forgotten value than a layout named `--json`.
      if (next === undefined || (next.startsWith('-') && next !== '-')) {
        throw usageError(`option '--${name}' needs a value (${spec.value})`, command);
      }
      value = next;
      i++;
    }
    if (value === '') throw usageError(`option '--${name}' needs a non-empty value (${spec.value})`, command);
    set(spec, value, `--${name}`);
  }
  return out;
}
