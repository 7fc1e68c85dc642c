// What a command may touch besides its arguments. Passing it in (rather than writing to
// process.stdout directly) lets tests run commands in-process and read what they printed.

export interface Io {
  /** Writes to standard output as is. */
  out(text: string): void;
  /**
   * Writes text already encoded as UTF-8 to standard output (where that saves encoding it again).
   * Returns true when the bytes are out already and the caller may fill them again (a file:
   * Node writes to it synchronously); otherwise they must be left alone.
   */
  outBytes?(bytes: Uint8Array): boolean | void;
  /** Prints `shardlens: MESSAGE` on standard error. */
  error(message: string): void;
  /** Writes to standard error as is (notes such as `wrote FILE`, diagnostics beside a report). */
  note(text: string): void;
  cwd: string;
  version: string;
}

export function processIo(version: string): Io {
  return {
    out: (text) => {
      if (text) process.stdout.write(text);
    },
    outBytes: (bytes) => {
      process.stdout.write(bytes);
      return process.stdout.writableLength === 0;
    },
    error: (message) => {
      process.stderr.write(`shardlens: ${message}\n`);
    },
    note: (text) => {
      if (text) process.stderr.write(text);
    },
    cwd: process.cwd(),
    version,
  };
}
