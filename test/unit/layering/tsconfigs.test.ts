// Each layer is type-checked under its own tsconfig (npm run typecheck: `tsc -b tsconfig.json`),
// which gives it only the ambient types its code may use: the engine and the protocol run
// everywhere and see neither Node nor the DOM; the webviews see the DOM and not Node; the server
// and the extension's client see Node and not the DOM. Every source file belongs to one layer.

import { readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

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

/** A tsconfig as tsc reads it: options, its own files (repository-relative) and references. */
function readConfig(config: string): ts.ParsedCommandLine {
  const host: ts.ParseConfigFileHost = {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (d) => {
      throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    },
  };
  const parsed = ts.getParsedCommandLineOfConfigFile(join(REPO_ROOT, config), {}, host);
  if (!parsed) throw new Error(`cannot read ${config}`);
  return parsed;
}

const repoPath = (file: string) => relative(REPO_ROOT, file).split('\\').join('/');

function sourcesUnder(dir: string): string[] {
  return readdirSync(join(REPO_ROOT, dir), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts'))
    .map((f) => `${dir}/${f.split('\\').join('/')}`);
}

describe('layer tsconfigs', () => {
  it.each(LAYERS)('$config: Node types $node, DOM $dom', ({ config, node, dom }) => {
    // The whole program, dependencies' declarations included: a package that references Node's
    // types would bring them into a layer whose own config leaves them out.
    const parsed = readConfig(config);
    const program = ts.createProgram({ rootNames: parsed.fileNames, options: parsed.options, projectReferences: parsed.projectReferences });
    const files = program.getSourceFiles().map((f) => f.fileName);
    expect(files.some((f) => f.includes('/node_modules/@types/node/')), 'Node types').toBe(node);
    expect(files.some((f) => f.endsWith('/typescript/lib/lib.dom.d.ts')), 'DOM types').toBe(dom);
  }, 60_000);

  it('put every source file in exactly one layer, and the root builds them all', () => {
    const owners = new Map<string, string[]>();
    for (const layer of LAYERS) {
      for (const file of readConfig(layer.config).fileNames.map(repoPath)) owners.set(file, [...(owners.get(file) ?? []), layer.config]);
    }
    for (const source of [...sourcesUnder('server/src'), ...sourcesUnder('client')]) expect(owners.get(source), source).toHaveLength(1);
    const references = readConfig('tsconfig.json').projectReferences ?? [];
    expect(references.map((r) => repoPath(r.path)).sort()).toEqual(LAYERS.map((l) => l.config).sort());
  });
});
