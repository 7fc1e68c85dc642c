#!/usr/bin/env node
'use strict';
// Thin launcher: the CLI is bundled into dist/cli.js by `npm run build` (run by `npm ci` via prepare).
const path = require('node:path');
const fs = require('node:fs');
const bundle = path.join(__dirname, '..', 'dist', 'cli.js');
if (!fs.existsSync(bundle)) {
  process.stderr.write('shardlens: the CLI is not built yet; run `npm run build` (npm ci does it for you)\n');
  process.exit(2);
}
require(bundle);
