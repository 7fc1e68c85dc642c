// Dispatch: parse the command line, validate it against the command table, run the command and
// return its exit status. Expected failures are CliErrors; main.ts turns anything else into the
// last-resort "internal error" line.

import { listChoices, parseArgs, type ParsedArgs } from './args';
import { COMMANDS, commandHelp, findCommand, generalHelp, type CommandSpec } from './commands';
import { EXIT_OK, EXIT_USAGE, usageError } from './errors';
import { runCheck, type CheckFormat } from './check';
import { runCompare, runExplain, runReport } from './report';
import { runShow, runTimeline } from './sharding';
import { readInput } from './input';
import { parseCountList, parseDtypes, parseDuration, parseTop, readMeasurements, runSearchCommand, runSearchWorker, WORKER_ARG, type CliSearchJob } from './search';
import { createShardService, powersOfTwoUpTo, type Objective } from '../engine/index';
import { isMainThread } from 'node:worker_threads';
import type { Io } from './io';

/** What `lsp` needs from the process; main.ts supplies the real one, tests a fake. */
export interface LspStarter {
  (): void;
}

export interface RunResult {
  /** Exit status; `undefined` means the process must stay alive (the language server is running). */
  exitCode: number | undefined;
}

function checkFileCount(spec: CommandSpec, args: ParsedArgs): void {
  const n = args.positionals.length;
  if (spec.files === 'none' && n > 0) throw usageError(`'${spec.name}' takes no file arguments (got '${args.positionals[0]}')`, spec.name);
  if (spec.files !== 'none' && n === 0) throw usageError(`'${spec.name}' needs a FILE ('-' for standard input)`, spec.name);
  if (spec.files === 'one' && n > 1) throw usageError(`'${spec.name}' takes one FILE, got ${n}`, spec.name);
}

function requireOption(spec: CommandSpec, args: ParsedArgs, name: string): void {
  if (!args.options.has(name)) throw usageError(`'${spec.name}' needs --${name}`, spec.name);
}

/**
 * The search commands' arguments, checked and read here so the worker only runs the search;
 * undefined when `calibrate`'s measurements have bad rows (each reported on `io`).
 */
async function searchJob(spec: CommandSpec, args: ParsedArgs, io: Io): Promise<CliSearchJob | undefined> {
  checkFileCount(spec, args);
  const opt = (name: string) => args.options.get(name);
  const list = (name: string, powerOfTwo = false) => {
    const v = opt(name);
    return v === undefined ? undefined : parseCountList(v, name, spec.name, { powerOfTwo });
  };
  const format = (opt('format') ?? 'text') as CliSearchJob['format'];
  const file = args.positionals[0];
  switch (spec.name) {
    case 'sweep': {
      requireOption(spec, args, 'layout');
      const batches = list('batch');
      const chips = list('chips', true);
      return { file: await readInput(file), search: { kind: 'sweep', layout: opt('layout')!, batches, chips }, format, html: opt('html') };
    }
    case 'best': {
      requireOption(spec, args, 'layout');
      const chipsText = opt('chips');
      // One number is a budget (every power of two up to it); a list names the counts to try.
      let chips: number[] | undefined;
      if (chipsText !== undefined && !chipsText.includes(',')) chips = powersOfTwoUpTo(parseCountList(chipsText, 'chips', spec.name)[0]);
      else chips = list('chips', true);
      const maxLatencyText = opt('max-latency');
      const dtypesText = opt('dtypes');
      const topText = opt('top');
      const search = {
        kind: 'best' as const,
        layout: opt('layout')!,
        objective: (opt('objective') ?? 'latency') as Objective,
        maxLatency: maxLatencyText === undefined ? undefined : parseDuration(maxLatencyText, 'max-latency', spec.name),
        chips,
        batches: list('batch'),
        dtypes: dtypesText === undefined ? undefined : parseDtypes(dtypesText, spec.name),
        top: topText === undefined ? undefined : parseTop(topText, spec.name),
      };
      return { file: await readInput(file), search, format };
    }
    case 'calibrate': {
      requireOption(spec, args, 'measurements');
      requireOption(spec, args, 'hardware');
      const csv = opt('measurements')!;
      if (csv === '-' && file === '-') throw usageError("'-' (standard input) may be given only once", spec.name);
      const shard = await readInput(file);
      const measurements = await readInput(csv);
      const rows = readMeasurements(measurements, io);
      return rows && { file: shard, search: { kind: 'calibrate', hardware: opt('hardware')!, rows }, format, measurements: measurements.name };
    }
    case 'crossover':
      requireOption(spec, args, 'layout');
      return { file: await readInput(file), search: { kind: 'crossover', layout: opt('layout')! }, format, svg: opt('svg') };
    default:
      throw new Error(`'${spec.name}' is not a search command`);
  }
}

export async function run(argv: readonly string[], io: Io, startLsp: LspStarter): Promise<RunResult> {
  const [first, ...rest] = argv;
  // A search running in its worker thread (search.ts): the same bundle, started to run one job.
  if (first === WORKER_ARG && !isMainThread) {
    runSearchWorker();
    return { exitCode: undefined };
  }
  if (first === undefined) {
    io.error("no command given (try 'shardlens --help')");
    return { exitCode: EXIT_USAGE };
  }
  if (first === '--help' || first === '-h') {
    io.out(generalHelp(io.version));
    return { exitCode: EXIT_OK };
  }
  if (first === 'help') {
    const topic = rest[0] === undefined ? undefined : findCommand(rest[0]);
    if (rest[0] !== undefined && !topic) throw usageError(`unknown command '${rest[0]}'`);
    io.out(topic ? commandHelp(topic) : generalHelp(io.version));
    return { exitCode: EXIT_OK };
  }
  if (first === '--version' || first === '-V') {
    io.out(`${io.version}\n`);
    return { exitCode: EXIT_OK };
  }
  const spec = findCommand(first);
  if (!spec) {
    const what = first.startsWith('-') ? `unknown option '${first}'` : `unknown command '${first}'`;
    throw usageError(`${what}; commands are ${listChoices(COMMANDS.map((c) => c.name))}`);
  }

  const args = parseArgs(rest, spec.options, spec.name);
  if (args.help) {
    io.out(commandHelp(spec));
    return { exitCode: EXIT_OK };
  }

  // One engine service for the run: its caches serve every file the command reads.
  const service = createShardService();
  switch (spec.name) {
    case 'check': {
      checkFileCount(spec, args);
      const format = (args.options.get('format') ?? 'text') as CheckFormat;
      return { exitCode: await runCheck(service, args.positionals, format, io) };
    }
    case 'report': {
      checkFileCount(spec, args);
      const layouts = args.lists.get('layout') ?? [];
      return { exitCode: await runReport(service, args.positionals[0], layouts, args.options.get('format') === 'json', io) };
    }
    case 'compare': {
      checkFileCount(spec, args);
      const layouts = args.lists.get('layout') ?? [];
      return { exitCode: await runCompare(service, args.positionals[0], { layouts, json: args.options.get('format') === 'json', html: args.options.get('html'), svg: args.options.get('svg') }, io) };
    }
    case 'explain': {
      checkFileCount(spec, args);
      requireOption(spec, args, 'layout');
      const phase = args.options.get('phase') as 'prefill' | 'decode' | undefined;
      return { exitCode: await runExplain(service, args.positionals[0], { layout: args.options.get('layout')!, phase, op: args.options.get('op') }, io) };
    }
    case 'show': {
      checkFileCount(spec, args);
      requireOption(spec, args, 'layout');
      requireOption(spec, args, 'value');
      const phase = (args.options.get('phase') ?? 'decode') as 'prefill' | 'decode';
      return { exitCode: await runShow(service, args.positionals[0], { layout: args.options.get('layout')!, value: args.options.get('value')!, phase, svg: args.options.get('svg'), html: args.options.get('html') }, io) };
    }
    case 'timeline': {
      checkFileCount(spec, args);
      requireOption(spec, args, 'layout');
      const phase = (args.options.get('phase') ?? 'decode') as 'prefill' | 'decode';
      return { exitCode: await runTimeline(service, args.positionals[0], { layout: args.options.get('layout')!, phase, svg: args.options.get('svg'), html: args.options.get('html') }, io) };
    }
    case 'sweep':
    case 'best':
    case 'calibrate':
    case 'crossover': {
      const job = await searchJob(spec, args, io);
      return { exitCode: job ? await runSearchCommand(service, job, io) : EXIT_USAGE };
    }
    case 'lsp': {
      checkFileCount(spec, args);
      if (!args.options.has('stdio')) throw usageError("'lsp' needs --stdio (the only transport)", 'lsp');
      startLsp();
      return { exitCode: undefined };
    }
  }
}
