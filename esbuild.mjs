// Builds every bundle: the CLI and language server (Node), the VS Code client (Node, `vscode`
// external) and the webview script (browser). Type checking is separate (`tsc --noEmit`).
import * as esbuild from 'esbuild';
import { existsSync } from 'node:fs';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

/**
 * The engine and the protocol are pure: importing one of their modules does nothing but define
 * things (the one exception, the ECharts set-up, matters only to whoever draws a chart, and that
 * code imports what it sets up). Saying so lets esbuild drop every module of the one engine entry
 * that a bundle does not use: the client gets a few constants, the server no ECharts, the
 * webviews the chart builders and not the checker.
 */
const pureLayers = {
  name: 'pure-layers',
  setup(build) {
    const layer = /[\\/]server[\\/]src[\\/](engine|protocol)[\\/]/;
    const again = Symbol('pure-layers');
    build.onResolve({ filter: /^\./ }, async (args) => {
      if (args.pluginData === again) return undefined;
      const found = await build.resolve(args.path, { kind: args.kind, importer: args.importer, resolveDir: args.resolveDir, pluginData: again });
      if (found.errors.length || !layer.test(found.path)) return undefined;
      return { path: found.path, namespace: found.namespace, sideEffects: false };
    });
  },
};

const common = {
  bundle: true,
  sourcemap: !production,
  minify: production,
  logLevel: 'warning',
  loader: { '.shard': 'text' },
  plugins: [pureLayers],
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
  // Show Sharding: the tiles of the value under the cursor, from the same chart registry.
  { ...common, entryPoints: ['client/webview/sharding.ts'], outfile: 'dist/webview/sharding.js', platform: 'browser', format: 'iife', target: 'es2022' },
  // The step timeline: one layer op by op and the whole pass, from the same chart registry.
  { ...common, entryPoints: ['client/webview/timeline.ts'], outfile: 'dist/webview/timeline.js', platform: 'browser', format: 'iife', target: 'es2022' },
].filter((b) => existsSync(b.entryPoints[0]));

if (watch) {
  for (const b of builds) (await esbuild.context(b)).watch();
} else {
  await Promise.all(builds.map((b) => esbuild.build(b)));
}
