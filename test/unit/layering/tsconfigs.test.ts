// Each layer is type-checked under its own tsconfig (npm run typecheck: `tsc -b tsconfig.json`),
// which gives it only the ambient types its code may use: the engine and the protocol run
// everywhere and see neither Node nor the DOM; the webviews see the DOM and not Node; the server
// and the extension's client see Node and not the DOM. Every source file belongs to one layer.

import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const TSC = join(REPO_ROOT, 'node_modules/typescript/bin/tsc');

interface Layer {
  config: string;
  node: boolean;
  dom: boolean;
}

const LAYERS: Layer[] = [
  { config: 'tsconfig.engine.json', node: false, dom: false },
  { config: 'tsconfig.protocol.json', node: false, dom: false },
  { config: 'tsconfig.server.json', node: true, dom: false },
  { config: 'tsconfig.client.json', node: true, dom: false },
  { config: 'tsconfig.webview.json', node: false, dom: true },
];

function tsc(args: string[]): string {
  const run = spawnSync(process.execPath, [TSC, ...args], { cwd: REPO_ROOT, encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`tsc ${args.join(' ')} failed:\n${run.stdout}${run.stderr}`);
  return run.stdout;
}

function sourcesUnder(dir: string): string[] {
  return readdirSync(join(REPO_ROOT, dir), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts'))
    .map((f) => `${dir}/${f.split('\\').join('/')}`);
}

describe('layer tsconfigs', () => {
  it.each(LAYERS)('$config: Node types $node, DOM $dom', ({ config, node, dom }) => {
    // The whole program, dependencies' declarations included: a package that references Node's
    // types would bring them into a layer whose own config leaves them out.
    const files = tsc(['-p', config, '--listFilesOnly']).split('\n');
    expect(files.some((f) => f.includes('/node_modules/@types/node/')), 'Node types').toBe(node);
    expect(files.some((f) => f.endsWith('/typescript/lib/lib.dom.d.ts')), 'DOM types').toBe(dom);
  }, 60_000);

  it('put every source file in exactly one layer, and the root builds them all', () => {
    const owners = new Map<string, string[]>();
    for (const layer of LAYERS) {
      const shown = JSON.parse(tsc(['--showConfig', '-p', layer.config])) as { files: string[] };
      for (const f of shown.files) {
        const path = relative(REPO_ROOT, resolve(REPO_ROOT, f)).split('\\').join('/');
        if (path.endsWith('.ts') && !path.startsWith('types/')) owners.set(path, [...(owners.get(path) ?? []), layer.config]);
      }
    }
    const sources = [...sourcesUnder('server/src'), ...sourcesUnder('client')];
    for (const source of sources) expect(owners.get(source), source).toHaveLength(1);
    const root = JSON.parse(tsc(['--showConfig', '-p', 'tsconfig.json'])) as { references: { path: string }[] };
    expect(root.references.map((r) => r.path.replace(/^\.\//, '')).sort()).toEqual(LAYERS.map((l) => l.config).sort());
  }, 60_000);
});
