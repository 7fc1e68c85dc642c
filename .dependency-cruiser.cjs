// The layering of shardlens, as import rules (`npm run lint:imports`, dependency-cruiser). The
// tsconfig of each layer (tsconfig.engine.json, …) keeps Node and the DOM out of the layers that
// must run everywhere; these rules keep the layers' imports pointing one way:
//
//   engine (server/src/engine)     imports nothing of the front ends and nothing of Node or vscode
//   protocol (server/src/protocol) imports only the engine's entry
//   lsp, cli, shared               import the engine only through its entry (server/src/engine/index.ts)
//   client (client/src)            imports only the protocol (and vscode, vscode-languageclient, Node)
//   webview (client/webview)       imports only the engine's entry and the protocol
//
// Type-only imports count too: a layer that may not import a module may not import its types.

/** Paths as dependency-cruiser reports them: relative to the repository root, `/`-separated. */
const ENGINE = '^server/src/engine/';
const ENGINE_ENTRY = '^server/src/engine/index\\.ts$';
const PROTOCOL = '^server/src/protocol/';
const NODE_FRONT_ENDS = '^server/src/(lsp|cli|shared)/';
const CLIENT = '^client/src/';
const WEBVIEW = '^client/webview/';
/** VS Code's API and the language server and client runtimes (their type-only packages are fine). */
const VSCODE_RUNTIME = '^node_modules/(@types/)?vscode(-languageclient|-languageserver|-jsonrpc)?/|^vscode(-languageclient|-languageserver|-jsonrpc)?(/|$)';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'engine-imports-front-end',
      comment: 'The engine is the bottom layer: the language server, CLI, protocol and client build on it, never the other way.',
      severity: 'error',
      from: { path: ENGINE },
      to: { path: `${NODE_FRONT_ENDS}|${PROTOCOL}|^client/` },
    },
    {
      name: 'engine-imports-node',
      comment: 'The engine runs in the webview bundles too: no Node built-ins (node:fs, path, …).',
      severity: 'error',
      from: { path: ENGINE },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'engine-imports-vscode',
      comment: 'The engine knows nothing of VS Code or the LSP runtime; type-only packages such as vscode-languageserver-types may stay.',
      severity: 'error',
      from: { path: ENGINE },
      to: { path: VSCODE_RUNTIME },
    },
    {
      name: 'protocol-imports-beyond-engine-entry',
      comment: 'The protocol is shared by client, server and webviews: it may name the engine entry’s types, nothing else of the repository.',
      severity: 'error',
      from: { path: PROTOCOL },
      to: { path: '^(server/src|client)/', pathNot: `${PROTOCOL}|${ENGINE_ENTRY}` },
    },
    {
      name: 'protocol-imports-node',
      comment: 'The protocol is bundled into the webviews too: no Node built-ins.',
      severity: 'error',
      from: { path: PROTOCOL },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'front-end-imports-engine-internals',
      comment: 'The language server, the CLI and their shared code use the engine through its entry (server/src/engine/index.ts) only.',
      severity: 'error',
      from: { path: NODE_FRONT_ENDS },
      to: { path: ENGINE, pathNot: ENGINE_ENTRY },
    },
    {
      name: 'front-end-imports-client',
      comment: 'The language server and the CLI do not depend on the VS Code extension.',
      severity: 'error',
      from: { path: NODE_FRONT_ENDS },
      to: { path: '^client/' },
    },
    {
      name: 'client-imports-beyond-protocol',
      comment: 'The extension’s client code talks to the language server; of the repository it imports only the shared protocol.',
      severity: 'error',
      from: { path: CLIENT },
      to: { path: '^(server/src|client/webview)/', pathNot: PROTOCOL },
    },
    {
      name: 'webview-imports-beyond-entry-and-protocol',
      comment: 'The webview scripts draw with the engine entry’s chart builders and speak the protocol; nothing else of the repository.',
      severity: 'error',
      from: { path: WEBVIEW },
      to: { path: '^(server/src|client/src)/', pathNot: `${PROTOCOL}|${ENGINE_ENTRY}` },
    },
    {
      name: 'webview-imports-node',
      comment: 'The webview scripts run in a browser: no Node built-ins, no VS Code extension API.',
      severity: 'error',
      from: { path: WEBVIEW },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'webview-imports-vscode',
      comment: 'The webview scripts run in a browser: the VS Code extension API is not there.',
      severity: 'error',
      from: { path: WEBVIEW },
      to: { path: VSCODE_RUNTIME },
    },
  ],
  options: {
    // Type-only imports are dependencies too (see above).
    tsPreCompilationDeps: true,
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '\\.(css|shard)$' },
    enhancedResolveOptions: { extensions: ['.ts', '.mjs', '.js', '.json'] },
  },
};
