// The benchmarks time the engine, which is TypeScript: each bundles the modules it needs into one
// ES module under bench/out/ (git-ignored) with esbuild, as the CLI build does, then imports it.

import * as esbuild from 'esbuild';
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** The path `bench/out/NAME.mjs` that `bundleEngine` writes. */
export function bundlePath(name) {
  return resolve(root, 'bench/out', `${name}.mjs`);
}

/** Bundles `exports` (TypeScript export lines, paths from the repository root) to bench/out/NAME.mjs. */
export async function bundleEngine(name, exports) {
  const outfile = bundlePath(name);
  mkdirSync(dirname(outfile), { recursive: true });
  await esbuild.build({
    stdin: { contents: exports, resolveDir: root, loader: 'ts' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile,
    loader: { '.shard': 'text' },
    logLevel: 'warning',
  });
  return outfile;
}

/** Bundles, then imports the bundle. */
export async function importEngine(name, exports) {
  return import(pathToFileURL(await bundleEngine(name, exports)).href);
}
