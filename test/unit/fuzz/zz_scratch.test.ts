import { it } from 'vitest';
import { readFileSync } from 'node:fs';
import { analyze, EDITOR_LIMITS, sourceFromText } from '../../../server/src/engine/index';
import { buildReport } from '../../../server/src/engine/report/index';
import { reportOf, explanationOf } from '../../../server/src/engine/features/costs';
import { codeActions } from '../../../server/src/engine/features/codeActions';
import { inlayHints, layoutLenses } from '../../../server/src/engine/features/costHints';
import { formatEdits } from '../../../server/src/engine/features/formatting';
import { definitionAt, referencesAt, renameAt } from '../../../server/src/engine/features/navigation';
import { DEFAULT_SETTINGS } from '../../../server/src/engine/features/settings';
it('prof', () => {
  const text = readFileSync(process.env.F!, 'utf8');
  const a = analyze(sourceFromText(text), EDITOR_LIMITS);
  const steps: [string, () => unknown][] = [
    ['buildReport', () => buildReport(a)], ['reportOf', () => reportOf(a)],
    ['codeActions', () => { for (const d of a.diagnostics) codeActions(a, d.span, [d]); }],
    ['inlay', () => inlayHints(a, { start: 0, end: text.length }, { ...DEFAULT_SETTINGS, inlayHints: { detail: 'time' } })],
    ['lens', () => layoutLenses(a, DEFAULT_SETTINGS)], ['format', () => formatEdits(a)],
    ['nav x20', () => { for (let o = 0; o < text.length; o += Math.ceil(text.length / 20)) { definitionAt(a, o); referencesAt(a, o, true); renameAt(a, o, 'qq'); } }],
    ['explain', () => a.layouts.map((l) => explanationOf(a, l.name))],
  ];
  for (const [n, f] of steps) { const t = performance.now(); f(); console.log(n, (performance.now() - t).toFixed(1)); }
});
