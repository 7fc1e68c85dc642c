// Rewrites docs/diagnostics.md from the engine's table of diagnostic codes
// (server/src/engine/diagnosticCodes.ts). Run it after changing the table:
//   node scripts/gen-diagnostics-doc.mjs
// test/unit/check/diagnosticCodes.test.ts fails while the committed page is out of date.

import * as esbuild from 'esbuild';
import { writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
// The renderer is TypeScript: bundle it in memory, then evaluate the bundle.
const built = await esbuild.build({
  entryPoints: [resolve(root, 'server/src/engine/diagnosticCodesDoc.ts')],
  bundle: true,
  write: false,
  format: 'esm',
  platform: 'neutral',
  logLevel: 'warning',
});
const { diagnosticsDocPage } = await import(`data:text/javascript;base64,${Buffer.from(built.outputFiles[0].text).toString('base64')}`);
const out = resolve(root, 'docs/diagnostics.md');
writeFileSync(out, diagnosticsDocPage());
console.log(`wrote ${out}`);
