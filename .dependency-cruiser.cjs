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

/** Node built-ins, `node:fs` and `fs` alike. */
const NODE_BUILTINS = { dependencyTypes: ['core'] };

/** A rule that fails the lint: no module matching `from` may import one matching `to`. */
const forbid = (name, comment, from, to) => ({ name, comment, severity: 'error', from: { path: from }, to });

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    forbid(
      'engine-imports-front-end',
      'The engine is the bottom layer: the language server, CLI, protocol and client build on it, never the other way.',
      ENGINE,
      { path: `${NODE_FRONT_ENDS}|${PROTOCOL}|^client/` },
    ),
    forbid('engine-imports-node', 'The engine runs in the webview bundles too: no Node built-ins (node:fs, path, …).', ENGINE, NODE_BUILTINS),
    forbid(
      'engine-imports-vscode',
      'The engine knows nothing of VS Code or the LSP runtime; type-only packages such as vscode-languageserver-types may stay.',
      ENGINE,
      { path: VSCODE_RUNTIME },
    ),
    forbid(
      'protocol-imports-beyond-engine-entry',
      'The protocol is shared by client, server and webviews: it may name the engine entry’s types, nothing else of the repository.',
      PROTOCOL,
      { path: '^(server/src|client)/', pathNot: `${PROTOCOL}|${ENGINE_ENTRY}` },
    ),
    forbid('protocol-imports-node', 'The protocol is bundled into the webviews too: no Node built-ins.', PROTOCOL, NODE_BUILTINS),
    forbid(
      'front-end-imports-engine-internals',
      'The language server, the CLI and their shared code use the engine through its entry (server/src/engine/index.ts) only.',
      NODE_FRONT_ENDS,
      { path: ENGINE, pathNot: ENGINE_ENTRY },
    ),
    forbid('front-end-imports-client', 'The language server and the CLI do not depend on the VS Code extension.', NODE_FRONT_ENDS, { path: '^client/' }),
    forbid(
      'client-imports-beyond-protocol',
      'The extension’s client code talks to the language server; of the repository it imports only the shared protocol.',
      CLIENT,
      { path: '^(server/src|client/webview)/', pathNot: PROTOCOL },
    ),
    forbid(
      'webview-imports-beyond-entry-and-protocol',
      'The webview scripts draw with the engine entry’s chart builders and speak the protocol; nothing else of the repository.',
      WEBVIEW,
      { path: '^(server/src|client/src)/', pathNot: `${PROTOCOL}|${ENGINE_ENTRY}` },
    ),
    forbid('webview-imports-node', 'The webview scripts run in a browser: no Node built-ins.', WEBVIEW, NODE_BUILTINS),
    forbid('webview-imports-vscode', 'The webview scripts run in a browser: the VS Code extension API is not there.', WEBVIEW, { path: VSCODE_RUNTIME }),
  ],
  options: {
    // Type-only imports are dependencies too (see above).
    tsPreCompilationDeps: true,
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '\\.(css|shard)$' },
    enhancedResolveOptions: { extensions: ['.ts', '.mjs', '.js', '.json'] },
  },
};
