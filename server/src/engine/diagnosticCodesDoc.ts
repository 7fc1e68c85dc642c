// docs/diagnostics.md, rendered from the table of codes (diagnosticCodes.ts). The page is
// committed; `node scripts/gen-diagnostics-doc.mjs` rewrites it and a test fails when the
// committed page and this rendering disagree, so the docs cannot drift from the engine.

import { ALL_DIAGNOSTIC_CODES, DIAGNOSTIC_CODES, type DiagnosticCode, type DiagnosticCodeInfo } from './diagnosticCodes';

function row(code: DiagnosticCode): string {
  const info: DiagnosticCodeInfo = DIAGNOSTIC_CODES[code];
  const severity = info.otherSeverity ? `${info.severity}; ${info.otherSeverity}` : info.severity;
  // A `|` inside a cell would end it.
  const cell = (text: string) => text.replace(/\|/g, '\\|');
  return `| \`${code}\` | ${cell(severity)} | ${info.reportedBy} | ${cell(info.when)} | ${cell(info.range)} |`;
}

function table(origin: DiagnosticCodeInfo['origin']): string[] {
  return [
    '| code | severity | reported by | when | range |',
    '|---|---|---|---|---|',
    ...ALL_DIAGNOSTIC_CODES.filter((c) => DIAGNOSTIC_CODES[c].origin === origin).map(row),
  ];
}

export function diagnosticsDocPage(): string {
  return [
    '# Diagnostic codes',
    '',
    '<!-- Generated from server/src/engine/diagnosticCodes.ts by `node scripts/gen-diagnostics-doc.mjs`.',
    '     Do not edit by hand: test/unit/check/diagnosticCodes.test.ts fails when this page and the table disagree. -->',
    '',
    'Every code the checker and the cost model report: its severity, who reports it, when it fires',
    'and the range it lands on. What the severities mean, how ranges are counted and how repeats are',
    'avoided is in [the language guide](language.md#what-the-checker-reports).',
    '',
    '## Codes of the language',
    '',
    'Required by the language (none of these may be renamed):',
    '',
    ...table('spec'),
    '',
    '## Codes this project adds',
    '',
    ...table('extra'),
    '',
  ].join('\n');
}
