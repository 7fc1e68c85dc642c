// How the language server's Node process is started, by every launcher: the VS Code client
// (client/src/extension.ts), `shardlens lsp --stdio` for other editors (server/src/cli/main.ts),
// and the benchmarks that measure the server as users run it (bench/, through
// scripts/server-options.mjs). Part of the protocol: it is what a client must know to start the
// server, and the one thing besides the requests that the client shares with it.
//
// Each edit re-analyses the whole file, and one analysis of a large file allocates some tens of
// megabytes that stay reachable until the analysis ends (syntax tree, checked blocks, resolved
// layouts). With Node's default young generation (16 MB semi-spaces) most of it survives a
// scavenge or two and is copied, then promoted and collected again by a full mark-compact; parse +
// check of a 10,000-line file spends about half its time in the collector. Semi-spaces of 64 MB
// hold one analysis, so it dies young and cheaply: the median time for that file falls from about
// 40 ms to 20–26 ms (docs/performance.md). The price is memory: the young generation grows
// into its semi-spaces only as a file's analyses need it, and after a session of edits to a
// 10,000-line file the server holds some 250–320 MB instead of about 160 MB (the LSP benchmark
// prints it); with files of ordinary size it stays near 80 MB.

/** Node options the language server process is started with. */
export const SERVER_NODE_OPTIONS: readonly string[] = ['--max-semi-space-size=64'];
