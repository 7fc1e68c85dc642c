// The CLI's expected failures. Each carries the exit status it maps to, so the one place that
// prints errors (main.ts) never has to guess, and nothing the user can cause ends in a stack trace.

/** Exit statuses of cli.md: 0 clean, 1 errors found in the input, 2 bad usage or unreadable input. */
export const EXIT_OK = 0;
export const EXIT_FINDINGS = 1;
export const EXIT_USAGE = 2;

export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT_USAGE,
    /** A second line pointing at the help, shown for usage mistakes only. */
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** A mistake on the command line: unknown option, missing argument, bad value. */
export function usageError(message: string, command?: string): CliError {
  const hint = command ? `see 'shardlens ${command} --help'` : "see 'shardlens --help'";
  return new CliError(message, EXIT_USAGE, hint);
}
