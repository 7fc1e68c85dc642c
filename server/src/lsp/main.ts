// The server process. `createConnection(ProposedFeatures.all)` picks the transport from the
// command line: Node IPC when the VS Code client forks this module, standard input/output with
// `--stdio` (what `shardlens lsp --stdio` passes on when it loads this bundle).

import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { startServer } from './server';

const connection = createConnection(ProposedFeatures.all);
// Anything written to stdout would corrupt the protocol stream under --stdio.
console.log = connection.console.log.bind(connection.console);
console.error = connection.console.error.bind(connection.console);
startServer(connection);
