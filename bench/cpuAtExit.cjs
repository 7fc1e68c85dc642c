// Preloaded (`node --require bench/cpuAtExit.cjs …`) into a command a benchmark times: at exit it
// writes the process's own CPU time and peak memory to the file SHARDLENS_BENCH_USAGE names,
// which a parent cannot read from Node's child_process.
'use strict';
const { writeFileSync } = require('node:fs');

const target = process.env.SHARDLENS_BENCH_USAGE;
if (target) {
  process.on('exit', () => {
    const usage = process.resourceUsage();
    writeFileSync(target, JSON.stringify({ cpuMs: (usage.userCPUTime + usage.systemCPUTime) / 1000, maxRssKb: usage.maxRSS }));
  });
}
