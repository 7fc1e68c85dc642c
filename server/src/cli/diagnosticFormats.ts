// The three renderings of `shardlens check` (cli.md): grep-able text lines, the versioned JSON
// object, and SARIF 2.1.0 for code-scanning services. Pure functions of the engine's diagnostics,
// so they are unit-testable without spawning the CLI.

import { ALL_DIAGNOSTIC_CODES, DIAGNOSTIC_CODES, type Diagnostic, type DiagnosticCode, type LineIndex, type PositionRange, type Severity } from '../engine/index';

/** One checked file: the name to print and what the engine said about it. */
export interface CheckedFile {
  name: string;
  diagnostics: readonly Diagnostic[];
  lineIndex: LineIndex;
}

export interface Summary {
  errors: number;
  warnings: number;
  information: number;
  hints: number;
}

const SUMMARY_KEY: Record<Severity, keyof Summary> = {
  error: 'errors',
  warning: 'warnings',
  information: 'information',
  hint: 'hints',
};

export function summarize(files: readonly CheckedFile[]): Summary {
  const s: Summary = { errors: 0, warnings: 0, information: 0, hints: 0 };
  for (const f of files) for (const d of f.diagnostics) s[SUMMARY_KEY[d.severity]]++;
  return s;
}

// Messages are one line in every format: a newline inside one would break `grep`/`cut` pipelines
// on the text output and problem matchers that read it.
function oneLine(message: string): string {
  return message.replace(/\s*[\r\n]+\s*/g, ' ').trim();
}

/** `file:line:col: severity code: message`, 1-based line and code-point column. */
export function formatText(files: readonly CheckedFile[]): string {
  const lines: string[] = [];
  for (const f of files) {
    for (const d of f.diagnostics) {
      const { line, column } = f.lineIndex.humanPosition(d.span.start);
      lines.push(`${f.name}:${line}:${column}: ${d.severity} ${d.code}: ${oneLine(d.message)}`);
    }
  }
  return lines.length ? lines.join('\n') + '\n' : '';
}

export interface JsonDiagnostic {
  code: DiagnosticCode;
  severity: Severity;
  message: string;
  range: PositionRange;
  layout?: string;
  phase?: 'prefill' | 'decode';
}

/** A diagnostic as cli.md's JSON shows it; `report --json` reuses this shape. */
export function jsonDiagnostic(d: Diagnostic, lineIndex: LineIndex): JsonDiagnostic {
  const out: JsonDiagnostic = { code: d.code, severity: d.severity, message: oneLine(d.message), range: lineIndex.rangeOf(d.span) };
  // Only layout-dependent diagnostics carry these keys (absent, not null), as the contract shows.
  if (d.layout !== undefined) out.layout = d.layout;
  if (d.phase !== undefined) out.phase = d.phase;
  return out;
}

export function formatJson(files: readonly CheckedFile[]): string {
  const doc = {
    version: 1,
    files: files.map((f) => ({ file: f.name, diagnostics: f.diagnostics.map((d) => jsonDiagnostic(d, f.lineIndex)) })),
    summary: summarize(files),
  };
  return JSON.stringify(doc, null, 2) + '\n';
}

/** One sentence per rule for SARIF's rule list, from the engine's table of codes. */
export const RULE_DESCRIPTIONS = Object.fromEntries(ALL_DIAGNOSTIC_CODES.map((c) => [c, DIAGNOSTIC_CODES[c].summary])) as Record<DiagnosticCode, string>;

const SARIF_LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = {
  error: 'error',
  warning: 'warning',
  information: 'note',
  hint: 'note',
};

/**
 * SARIF wants URIs. A relative path stays a relative reference resolved against %SRCROOT% (the
 * working directory, given in originalUriBaseIds), which is what code-scanning uploads expect;
 * an absolute path becomes a file: URL; `<stdin>` is percent-encoded so it stays a valid reference.
 */
function artifactLocation(name: string): { uri: string; uriBaseId?: string } {
  const slashed = name.replace(/\\/g, '/');
  if (slashed.startsWith('/')) return { uri: 'file://' + encodeURI(slashed).replace(/[?#]/g, encodeURIComponent) };
  return { uri: encodeURI(slashed).replace(/[?#]/g, encodeURIComponent), uriBaseId: '%SRCROOT%' };
}

export interface SarifOptions {
  toolVersion: string;
  /** Absolute working directory, for %SRCROOT%. */
  cwd: string;
}

/** The described codes in a stable order, then any other code that occurs, in order of appearance. */
function ruleList(files: readonly CheckedFile[]): DiagnosticCode[] {
  const codes = Object.keys(RULE_DESCRIPTIONS) as DiagnosticCode[];
  const seen = new Set(codes);
  for (const f of files) {
    for (const d of f.diagnostics) {
      if (!seen.has(d.code)) {
        seen.add(d.code);
        codes.push(d.code);
      }
    }
  }
  return codes;
}

export function formatSarif(files: readonly CheckedFile[], opts: SarifOptions): string {
  const codes = ruleList(files);
  const ruleIndex = new Map(codes.map((c, i) => [c, i]));
  const results = [];
  for (const f of files) {
    for (const d of f.diagnostics) {
      const r = f.lineIndex.rangeOf(d.span);
      const result: Record<string, unknown> = {
        ruleId: d.code,
        ruleIndex: ruleIndex.get(d.code),
        level: SARIF_LEVEL[d.severity],
        message: { text: oneLine(d.message) },
        locations: [
          {
            physicalLocation: {
              artifactLocation: artifactLocation(f.name),
              // SARIF regions are 1-based; the run declares UTF-16 columns, the same unit as LSP.
              region: {
                startLine: r.start.line + 1,
                startColumn: r.start.character + 1,
                endLine: r.end.line + 1,
                endColumn: r.end.character + 1,
              },
            },
          },
        ],
      };
      const props: Record<string, string> = {};
      if (d.layout !== undefined) props.layout = d.layout;
      if (d.phase !== undefined) props.phase = d.phase;
      if (d.severity === 'hint') props.severity = 'hint'; // note covers two of our severities
      if (Object.keys(props).length) result.properties = props;
      results.push(result);
    }
  }
  const cwdUri = 'file://' + encodeURI(opts.cwd.replace(/\\/g, '/').replace(/\/?$/, '/'));
  const doc = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'shardlens',
            version: opts.toolVersion,
            rules: codes.map((c) => ({
              id: c,
              name: c,
              shortDescription: { text: RULE_DESCRIPTIONS[c] ?? `shardlens diagnostic '${c}'.` },
            })),
          },
        },
        originalUriBaseIds: { '%SRCROOT%': { uri: cwdUri } },
        columnKind: 'utf16CodeUnits',
        results,
      },
    ],
  };
  return JSON.stringify(doc, null, 2) + '\n';
}
