#!/usr/bin/env node
// Writes the operation patterns of syntaxes/shard.tmLanguage.json from the operation table
// (scripts/grammar/operations.ts explains why). Run it after adding or renaming an operation:
//   node scripts/grammar/update.mjs
import * as esbuild from 'esbuild';
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const dir = mkdtempSync(join(tmpdir(), 'shardlens-grammar-'));
try {
  const outfile = join(dir, 'operations.mjs');
  await esbuild.build({ entryPoints: [join(root, 'scripts/grammar/operations.ts')], bundle: true, platform: 'node', format: 'esm', outfile, logLevel: 'warning', loader: { '.shard': 'text' } });
  const { updateGrammarText } = await import(pathToFileURL(outfile).href);
  const path = join(root, 'syntaxes/shard.tmLanguage.json');
  const before = readFileSync(path, 'utf8');
  const after = updateGrammarText(before);
  if (after === before) console.log('syntaxes/shard.tmLanguage.json: operation patterns already match the operation table');
  else {
    writeFileSync(path, after);
    console.log('syntaxes/shard.tmLanguage.json: operation patterns written from the operation table');
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
