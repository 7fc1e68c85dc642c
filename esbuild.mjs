// Builds every bundle: the CLI and language server (Node), the VS Code client (Node, `vscode`
// external) and the webview script (browser). Type checking is separate (`tsc --noEmit`).
import * as esbuild from 'esbuild';
import { existsSync } from 'node:fs';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

const common = {
  bundle: true,
  sourcemap: !production,
  minify: production,
  logLevel: 'warning',
  loader: { '.shard': 'text' },
};

const builds = [
  { ...common, entryPoints: ['server/src/cli/main.ts'], outfile: 'dist/cli.js', platform: 'node', format: 'cjs', target: 'node20' },
  { ...common, entryPoints: ['server/src/lsp/main.ts'], outfile: 'dist/server.js', platform: 'node', format: 'cjs', target: 'node20' },
  // The editor's search thread (server/src/lsp/search.ts starts it from beside dist/server.js).
  { ...common, entryPoints: ['server/src/lsp/searchWorker.ts'], outfile: 'dist/searchWorker.js', platform: 'node', format: 'cjs', target: 'node20' },
  { ...common, entryPoints: ['client/src/extension.ts'], outfile: 'dist/client/extension.js', platform: 'node', format: 'cjs', target: 'node20', external: ['vscode'] },
  { ...common, entryPoints: ['client/webview/main.ts'], outfile: 'dist/webview/main.js', platform: 'browser', format: 'iife', target: 'es2022' },
  // The search charts (Show Sweep, Show Crossover): a second view over the same chart builder.
  { ...common, entryPoints: ['client/webview/chart.ts'], outfile: 'dist/webview/chart.js', platform: 'browser', format: 'iife', target: 'es2022' },
].filter((b) => existsSync(b.entryPoints[0]));

if (watch) {
  for (const b of builds) (await esbuild.context(b)).watch();
} else {
  await Promise.all(builds.map((b) => esbuild.build(b)));
}
