// Reading the files named on the command line. Every failure becomes one line naming the file and
// the reason in words (`no such file`), never an errno dump, and exits with status 2 (cli.md).

import { promises as fs } from 'node:fs';
import { formatBytes } from '../engine/index';
import { CliError, EXIT_USAGE, usageError } from './errors';

export const STDIN_NAME = '<stdin>';

export interface InputFile {
  /** The name used in output: the path as given, or `<stdin>` for `-`. */
  name: string;
  text: string;
}

const REASONS: Record<string, string> = {
  ENOENT: 'no such file',
  ENOTDIR: 'no such file',
  EISDIR: 'is a directory',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  ELOOP: 'too many symbolic links',
  ENAMETOOLONG: 'name too long',
  EMFILE: 'too many open files',
};

// A .shard file is a few kilobytes; refusing huge inputs keeps a mistaken `check /dev/zero` or a
// binary from hanging the process or filling memory.
const MAX_BYTES = 16 * 2 ** 20;

function cannotRead(name: string, reason: string): CliError {
  return new CliError(`cannot read '${name}': ${reason}`, EXIT_USAGE);
}

function decode(name: string, bytes: Buffer): string {
  if (bytes.length > MAX_BYTES) throw cannotRead(name, `larger than ${formatBytes(MAX_BYTES)}`);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw cannotRead(name, 'not UTF-8 text');
  }
  // TextDecoder drops a leading BOM already; offsets are then relative to the text the engine sees.
  return text;
}

export async function readInput(path: string): Promise<InputFile> {
  if (path === '-') return { name: STDIN_NAME, text: decode(STDIN_NAME, await readStdin()) };
  let bytes: Buffer;
  try {
    const stat = await fs.stat(path);
    if (stat.isDirectory()) throw cannotRead(path, 'is a directory');
    bytes = await fs.readFile(path);
  } catch (e) {
    if (e instanceof CliError) throw e;
    const code = (e as NodeJS.ErrnoException).code ?? '';
    throw cannotRead(path, REASONS[code] ?? (code ? code.toLowerCase() : String((e as Error).message)));
  }
  return { name: path, text: decode(path, bytes) };
}

async function readStdin(): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of process.stdin) {
      const b = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
      size += b.length;
      chunks.push(b);
      // Stop reading early; decode() turns the oversized buffer into the one-line refusal.
      if (size > MAX_BYTES) break;
    }
  } catch (e) {
    throw cannotRead(STDIN_NAME, (e as Error).message);
  }
  return Buffer.concat(chunks);
}

/** `-` may appear once: standard input cannot be read twice. */
export function checkStdinOnce(paths: readonly string[], command: string): void {
  if (paths.filter((p) => p === '-').length > 1) {
    throw usageError("'-' (standard input) may be given only once", command);
  }
}
