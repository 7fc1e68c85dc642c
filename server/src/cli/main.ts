// Entry of the `shardlens` command (bundled to dist/cli.js, launched by bin/shardlens.js).
// Its one job besides calling run(): make sure that nothing, not even an engine bug, reaches the
// user as a stack trace. Expected failures print `shardlens: MESSAGE`; anything else prints
// `shardlens: internal error: MESSAGE` and exits 2. SHARDLENS_DEBUG=1 adds the stack for us.

import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { constants as osConstants } from 'node:os';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import pkg from '../../../package.json';
import { SERVER_NODE_OPTIONS } from '../protocol/serverProcess';
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
 * Starts the language server, in a child Node process started with the server's Node options
 * (SERVER_NODE_OPTIONS: its heap is tuned for re-analysing a file at every edit) unless this
 * process already has them. The child shares our standard input and output, which carry the LSP
 * messages; we only wait for it, pass on the signals that ask it to stop, and exit as it does.
 * The server is its own bundle (dist/server.js, built from server/src/lsp/main.ts) and reads
 * `--stdio` from its arguments.
 */
function startLsp(): void {
  const serverBundle = path.join(__dirname, 'server.js');
  if (!existsSync(serverBundle)) {
    throw new CliError('the language server is not built (dist/server.js is missing; run `npm run build`)', EXIT_USAGE);
  }
  if (SERVER_NODE_OPTIONS.every((o) => process.execArgv.includes(o))) {
    // createRequire keeps esbuild from trying to bundle the server into the CLI.
    createRequire(__filename)(serverBundle);
    return;
  }
  // `--stdio` is the only transport (run.ts checks it was given).
  const child = spawn(process.execPath, [...SERVER_NODE_OPTIONS, serverBundle, '--stdio'], { stdio: 'inherit' });
  const forward = (signal: NodeJS.Signals) => () => child.kill(signal);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, forward(signal));
  child.on('error', (e) => {
    io.error(`could not start the language server: ${e.message}`);
    process.exit(EXIT_USAGE);
  });
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 128 + (osConstants.signals[signal] ?? 0) : 0)));
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
