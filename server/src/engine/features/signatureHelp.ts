// Signature help for operations: which operation's parentheses the cursor is in, and which
// argument it is on. Read from the text of the current line, so it works mid-edit.

import type { Analysis } from '../analysis';
import { operation } from '../ops/index';

export interface SignatureInfo {
  label: string;
  documentation: string;
  parameters: string[];
  activeParameter: number;
}

export function signatureAt(analysis: Analysis, offset: number): SignatureInfo | undefined {
  const text = analysis.source.text;
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  // An argument list is short: reading at most the last 400 characters keeps the pattern below
  // linear on very long lines.
  const before = text.slice(Math.max(lineStart, offset - 400), offset);
  const m = /(\w+)\s*\(([^()]*)$/.exec(before);
  if (!m) return undefined;
  const spec = operation(m[1]);
  if (!spec) return undefined;
  const inner = spec.signature.slice(spec.signature.indexOf('(') + 1, spec.signature.indexOf(')'));
  const parameters = inner.split(',').map((p) => p.trim());
  const commas = m[2].split(',').length - 1;
  return { label: spec.signature, documentation: spec.doc, parameters, activeParameter: Math.min(commas, parameters.length - 1) };
}
