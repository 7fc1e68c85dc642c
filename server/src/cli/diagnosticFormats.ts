// The three renderings of `shardlens check` (cli.md): grep-able text lines, the versioned JSON
// object, and SARIF 2.1.0 for code-scanning services. Pure functions of the engine's diagnostics,
// so they are unit-testable without spawning the CLI.

import type { Diagnostic, DiagnosticCode, Severity } from '../engine/diagnostics';
import type { LineIndex, PositionRange } from '../engine/syntax/lineIndex';

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

/**
 * One sentence per rule for SARIF's rule list. Partial on purpose: a code the engine adds later
 * still gets a rule (with a generic description, see ruleList) instead of breaking the build of
 * a file that the engine's authors do not own.
 */
export const RULE_DESCRIPTIONS: Partial<Record<DiagnosticCode, string>> = {
  syntax: 'The text cannot be parsed.',
  'unknown-name': 'A model, mesh, hardware, workload, block or value that does not exist.',
  'duplicate-name': 'The same name is declared twice in one namespace.',
  'unknown-field': 'A field that the declaration kind does not have.',
  'missing-field': 'A required field is absent.',
  'unknown-dim': 'A dimension letter outside the standard set.',
  'duplicate-dim': 'A dimension letter appears twice in one type.',
  'unknown-axis': "An axis that the layout's mesh does not have.",
  'axis-reused': 'One mesh axis shards two dimensions of a tensor, or appears twice.',
  'sharding-mismatch': 'Einsum operands shard a shared dimension differently.',
  'type-mismatch': 'An annotation differs from the inferred type, or combined values disagree.',
  partialsum: 'A partial sum is used where a complete value is needed, or reduced over the wrong axes.',
  'bad-collective': 'A collective over axes the tensor does not (or already does) carry.',
  'missing-annotation': 'An einsum, reduce_scatter, all_to_all or slice without a type.',
  'bad-reduction': 'A softmax without T or a layernorm without E.',
  'not-divisible': 'A dimension size is not divisible by the number of shards over it.',
  unit: 'A quantity of the wrong kind, an unknown unit, or a count that is not a positive integer.',
  'out-of-memory': "Weights, KV cache and activations per chip exceed the hardware's memory.",
  'comm-bound': "Collectives take more than half of a phase's latency.",
  'memory-bound': 'A phase is bound by memory bandwidth.',
  'better-layout': 'A built-in block pair on the same mesh is at least 1.2x faster for a phase.',
  'bad-value': 'A field value of the wrong shape.',
  'bad-call': 'An operation called with the wrong number or kind of arguments.',
  'bad-block': "A block's structure is wrong (missing or repeated in/out).",
  'no-unembed': "The layout's unembedding is not costed.",
  limit: 'A size limit was reached and some work was skipped.',
};

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
