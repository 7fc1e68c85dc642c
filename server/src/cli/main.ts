// Entry of the `shardlens` command (bundled to dist/cli.js, launched by bin/shardlens.js).
// Its one job besides calling run(): make sure that nothing, not even an engine bug, reaches the
// user as a stack trace. Expected failures print `shardlens: MESSAGE`; anything else prints
// `shardlens: internal error: MESSAGE` and exits 2. SHARDLENS_DEBUG=1 adds the stack for us.

import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import pkg from '../../../package.json';
import { CliError, EXIT_USAGE } from './errors';
import { processIo } from './io';
import { run } from './run';

const io = processIo(pkg.version);

function internalError(e: unknown): void {
  const message = e instanceof Error ? e.message : String(e);
  io.error(`internal error: ${message.split('\n')[0]}`);
  if (process.env.SHARDLENS_DEBUG && e instanceof Error && e.stack) process.stderr.write(e.stack + '\n');
  process.exitCode = EXIT_USAGE;
}

/**
 * Starts the language server in this process. The server is its own bundle (dist/server.js, built
 * from server/src/lsp/main.ts), loaded only now so that `check` never pays for it and so that the
 * CLI still works while the server entry does not exist yet. Loading it starts the connection; it
 * reads `--stdio` from process.argv, which we were given.
 */
function startLsp(): void {
  const serverBundle = path.join(__dirname, 'server.js');
  if (!existsSync(serverBundle)) {
    throw new CliError('the language server is not built (dist/server.js is missing; run `npm run build`)', EXIT_USAGE);
  }
  // createRequire keeps esbuild from trying to bundle the server into the CLI.
  createRequire(__filename)(serverBundle);
}

// `shardlens check big.shard | head` closes the pipe early; that is the reader's choice, not an error.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  internalError(e);
});
process.on('uncaughtException', (e) => {
  internalError(e);
  process.exit(EXIT_USAGE);
});
process.on('unhandledRejection', (e) => {
  internalError(e);
  process.exit(EXIT_USAGE);
});

run(process.argv.slice(2), io, startLsp).then(
  (result) => {
    // Set exitCode instead of calling process.exit so piped output is flushed before we leave.
    if (result.exitCode !== undefined) process.exitCode = result.exitCode;
  },
  (e: unknown) => {
    if (e instanceof CliError) {
      // The pointer to the help stays on the same line: the contract promises one-line errors.
      io.error(e.hint ? `${e.message} (${e.hint})` : e.message);
      process.exitCode = e.exitCode;
    } else {
      internalError(e);
    }
  },
);
