// The Node options the language server is started with, read from their one definition in
// server/src/protocol/serverProcess.ts, for the scripts that start the server themselves (the
// benchmarks, the code-server e2e suite) and are plain JavaScript.

import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const source = readFileSync(join(dirname(fileURLToPath(import.meta.url)), '..', 'server/src/protocol/serverProcess.ts'), 'utf8');
const list = /SERVER_NODE_OPTIONS[^=]*=\s*(\[[^\]]*\])/.exec(source);
if (!list) throw new Error('SERVER_NODE_OPTIONS not found in server/src/protocol/serverProcess.ts');

/** @type {string[]} */
export const SERVER_NODE_OPTIONS = JSON.parse(list[1].replace(/'/g, '"'));
