// Types of largeShardFile.mjs, for the TypeScript tests that edit the same file.

/** The benchmarks' large .shard file: a head, then FFN blocks and layouts, as many as fit in `lines` lines. */
export function largeShardFile(lines: number): string;
