// `shardlens check FILE...`: analyze each file with the shared engine and print its diagnostics.

import { sourceFromText, type ShardService } from '../engine/index';
import { CliError, EXIT_FINDINGS, EXIT_OK, EXIT_USAGE } from './errors';
import { checkStdinOnce, readInput } from './input';
import { formatJson, formatSarif, formatText, summarize, type CheckedFile } from './diagnosticFormats';
import type { Io } from './io';

export type CheckFormat = 'text' | 'json' | 'sarif';

export async function runCheck(service: ShardService, paths: readonly string[], format: CheckFormat, io: Io): Promise<number> {
  checkStdinOnce(paths, 'check');
  const checked: CheckedFile[] = [];
  let unreadable = false;
  // Files are read and checked in order; one unreadable file does not hide the others' findings,
  // but it still makes the run exit 2 (cli.md: unreadable file → 2).
  for (const path of paths) {
    let input;
    try {
      input = await readInput(path);
    } catch (e) {
      if (!(e instanceof CliError)) throw e;
      io.error(e.message);
      unreadable = true;
      continue;
    }
    let analysis;
    try {
      analysis = service.analyze(sourceFromText(input.text, input.name));
    } catch (e) {
      // An engine bug on one file: say which file, keep the one-line promise, exit 2.
      throw new CliError(`internal error while checking '${input.name}': ${(e as Error).message}`, EXIT_USAGE);
    }
    checked.push({ name: input.name, diagnostics: analysis.diagnostics, lineIndex: analysis.lineIndex });
  }

  if (format === 'json') io.out(formatJson(checked));
  else if (format === 'sarif') io.out(formatSarif(checked, { toolVersion: io.version, cwd: io.cwd }));
  else io.out(formatText(checked));

  if (unreadable) return EXIT_USAGE;
  return summarize(checked).errors > 0 ? EXIT_FINDINGS : EXIT_OK;
}
