// Writing the files a command was asked for (`compare --html/--svg`, `sweep --html`,
// `crossover --svg`): parent folders are made as needed, and a failure is one line naming the
// file and the reason in words, exit status 2 (cli.md), never an errno dump.

import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { CliError, EXIT_USAGE } from './errors';

export function writeOut(target: string, text: string): void {
  try {
    mkdirSync(path.dirname(path.resolve(target)), { recursive: true });
    writeFileSync(target, text);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const reason = code === 'EACCES' || code === 'EPERM' ? 'permission denied' : code === 'EISDIR' ? 'is a directory' : code === 'ENOTDIR' || code === 'EEXIST' ? 'a parent is not a directory' : String(code ?? (e as Error).message).toLowerCase();
    throw new CliError(`cannot write '${target}': ${reason}`, EXIT_USAGE);
  }
}
