// Which layouts a command works on. The engine picks a layout by name (pickLayout) and says why a
// name does not do; the CLI words that with the file's name and, for a name the file does not
// have, the names it does have: a mistyped `--layout` is a usage mistake (exit 2), a layout that
// cannot be costed is a finding (exit 1).

import { PickLayoutError, type Analysis } from '../engine/index';
import { listChoices } from './args';
import { CliError, EXIT_FINDINGS, usageError } from './errors';

function unknownLayout(name: string, file: string, names: readonly string[], command: string): CliError {
  const have = names.length ? `its layouts are ${listChoices(names.map((n) => `'${n}'`))}` : 'it has no layouts';
  return usageError(`no layout '${name}' in '${file}'; ${have}`, command);
}

/** The CliError for a layout the engine could not pick. */
export function layoutError(e: PickLayoutError, file: string, command: string): CliError {
  return e.problem === 'missing' ? unknownLayout(e.layout, file, e.names, command) : new CliError(e.message, EXIT_FINDINGS);
}

/** A `--layout` that names nothing is a usage mistake; say which layouts there are. */
export function checkLayoutNames(analysis: Analysis, wanted: readonly string[], file: string, command: string): void {
  const names = [...new Set([...analysis.layouts.map((l) => l.name), ...analysis.uncostable.map((u) => u.name)])];
  for (const name of wanted) if (!names.includes(name)) throw unknownLayout(name, file, names, command);
}

/** Runs `f`, turning the engine's PickLayoutError into the CLI's wording of it. */
export function withLayout<T>(file: string, command: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof PickLayoutError) throw layoutError(e, file, command);
    throw e;
  }
}
