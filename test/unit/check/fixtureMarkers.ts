// Reads the expectations written into a diagnostic fixture (test/fixtures/diagnostics/README.md).
//
// A marker is a comment line whose carets sit under the expected range of the line above it:
//
//     a = all_gather(h, yw) : BLE_x
//   #                    ^ unknown-axis "pod64" /\bw\b/ related
//
// "The line above" is the nearest preceding line that is not itself a marker, so several markers
// can stack under one line. Columns are UTF-16 code units, as in LSP ranges, so a caret under a
// character outside the Basic Multilingual Plane is one column left of where it looks.
// After the code come, in any order: a severity (default: the code's in the engine's table),
// `"substring"`s and `/regex/`s the message must contain, `fix=TEXT` (some quick fix inserts
// exactly TEXT) and `related` (the diagnostic carries related information).

import type { Severity } from '../../../server/src/engine/diagnostics';
import { DIAGNOSTIC_CODES, isDiagnosticCode } from '../../../server/src/engine/diagnosticCodes';

export interface Marker {
  /** 1-based line of the marker comment, for failure messages. */
  markerLine: number;
  start: number;
  end: number;
  code: string;
  severity: Severity;
  substrings: string[];
  patterns: RegExp[];
  fixes: string[];
  related: boolean;
}

const SEVERITIES: readonly Severity[] = ['error', 'warning', 'information', 'hint'];

const MARKER_LINE = /^(\s*#\s*)(\^+)\s+([a-z][a-z-]*)(.*)$/;

export function readMarkers(text: string): Marker[] {
  const lines: { text: string; start: number }[] = [];
  const lineBreak = /\r\n|\r|\n/g;
  let lineStart = 0;
  for (let m = lineBreak.exec(text); m; m = lineBreak.exec(text)) {
    lines.push({ text: text.slice(lineStart, m.index), start: lineStart });
    lineStart = m.index + m[0].length;
  }
  lines.push({ text: text.slice(lineStart), start: lineStart });

  const markers: Marker[] = [];
  let target: { text: string; start: number } | undefined;
  lines.forEach((line, i) => {
    const m = MARKER_LINE.exec(line.text);
    if (!m) {
      target = line;
      return;
    }
    if (!target) throw new Error(`marker on line ${i + 1} has no line above it`);
    const code = m[3];
    if (!isDiagnosticCode(code)) throw new Error(`marker on line ${i + 1}: \`${code}\` is no code of server/src/engine/diagnosticCodes.ts`);
    const column = m[1].length;
    const width = m[2].length;
    if (column + width > target.text.length) throw new Error(`marker on line ${i + 1} reaches past the end of the line above`);
    const marker: Marker = {
      markerLine: i + 1,
      start: target.start + column,
      end: target.start + column + width,
      code,
      severity: DIAGNOSTIC_CODES[code].severity,
      substrings: [],
      patterns: [],
      fixes: [],
      related: false,
    };
    const tail = /"([^"]*)"|\/((?:\\.|[^/])+)\/|(\S+)/g;
    for (let t = tail.exec(m[4]); t; t = tail.exec(m[4])) {
      if (t[1] !== undefined) marker.substrings.push(t[1]);
      else if (t[2] !== undefined) marker.patterns.push(new RegExp(t[2]));
      else if ((SEVERITIES as string[]).includes(t[3])) marker.severity = t[3] as Severity;
      else if (t[3] === 'related') marker.related = true;
      else if (t[3].startsWith('fix=')) marker.fixes.push(t[3].slice(4));
      else throw new Error(`marker on line ${i + 1}: cannot read \`${t[3]}\``);
    }
    markers.push(marker);
  });
  return markers;
}
