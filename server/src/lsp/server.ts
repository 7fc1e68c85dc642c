// The language server's wiring: the engine's service, capabilities, settings, and one
// registration per feature. The transport is chosen by the caller (main.ts for a real process,
// tests for in-memory streams).

import { CodeLensRefreshRequest, DidChangeConfigurationNotification, TextDocumentSyncKind, type Connection, type InitializeParams, type InitializeResult } from 'vscode-languageserver/node';
import { createShardService } from '../engine/index';
import type { ClientFlags, ServerContext } from './context';
import { DocumentStore } from './documentStore';
import { SettingsStore } from './settings';
import { registerDiagnostics } from './diagnostics';
import { registerHover } from './hover';
import { COMPLETION_TRIGGERS, registerCompletion } from './completion';
import { registerSignatureHelp, SIGNATURE_TRIGGERS } from './signatureHelp';
import { registerDefinition } from './definition';
import { registerReferences } from './references';
import { registerRename } from './rename';
import { registerDocumentSymbols } from './documentSymbols';
import { registerWorkspaceSymbols } from './workspaceSymbols';
import { registerDocumentHighlight } from './documentHighlight';
import { registerFoldingRanges } from './foldingRanges';
import { registerSelectionRanges } from './selectionRanges';
import { registerSemanticTokens, SEMANTIC_TOKENS_LEGEND } from './semanticTokens';
import { registerInlayHints } from './inlayHints';
import { registerCodeLens } from './codeLens';
import { CODE_ACTION_KINDS, registerCodeActions } from './codeActions';
import { registerFormatting } from './formatting';
import { registerPreludeText } from './preludeText';
import { registerReport } from './report';
import { registerExplain } from './explain';
import { registerSharding } from './sharding';
import { registerShardingAt } from './shardingAt';
import { registerSearch } from './search';
import { registerLayouts } from './layouts';

export function startServer(connection: Connection): void {
  const client: ClientFlags = { configuration: false, configurationRegistration: false, hierarchicalSymbols: false, codeLensRefresh: false, inlayHintRefresh: false, semanticTokensRefresh: false };
  const settings = new SettingsStore(connection, () => client.configuration);
  // One service per server: its caches (the checked prelude, layout costings) serve every document.
  const service = createShardService();
  const ctx: ServerContext = { connection, service, store: new DocumentStore(connection, service, settings), settings, client };

  connection.onInitialize((params: InitializeParams): InitializeResult => {
    const caps = params.capabilities;
    client.configuration = !!caps.workspace?.configuration;
    client.configurationRegistration = !!caps.workspace?.didChangeConfiguration?.dynamicRegistration;
    client.hierarchicalSymbols = !!caps.textDocument?.documentSymbol?.hierarchicalDocumentSymbolSupport;
    client.codeLensRefresh = !!caps.workspace?.codeLens?.refreshSupport;
    client.inlayHintRefresh = !!caps.workspace?.inlayHint?.refreshSupport;
    client.semanticTokensRefresh = !!caps.workspace?.semanticTokens?.refreshSupport;
    settings.initialized(params.initializationOptions);
    // Pull diagnostics where the client can (VS Code does): it asks when it needs them, so a
    // burst of edits costs one analysis, and every pull answers for the text it was sent.
    const pull = !!caps.textDocument?.diagnostic;
    if (pull) ctx.store.usePull(!!caps.workspace?.diagnostics?.refreshSupport);
    return {
      serverInfo: { name: 'shardlens' },
      capabilities: {
        textDocumentSync: TextDocumentSyncKind.Incremental,
        hoverProvider: true,
        completionProvider: { triggerCharacters: COMPLETION_TRIGGERS },
        signatureHelpProvider: { triggerCharacters: SIGNATURE_TRIGGERS },
        definitionProvider: true,
        referencesProvider: true,
        renameProvider: { prepareProvider: true },
        documentSymbolProvider: true,
        workspaceSymbolProvider: true,
        documentHighlightProvider: true,
        foldingRangeProvider: true,
        selectionRangeProvider: true,
        semanticTokensProvider: { legend: SEMANTIC_TOKENS_LEGEND, full: true },
        inlayHintProvider: true,
        codeLensProvider: { resolveProvider: false },
        codeActionProvider: { codeActionKinds: CODE_ACTION_KINDS },
        documentFormattingProvider: true,
        ...(pull ? { diagnosticProvider: { interFileDependencies: false, workspaceDiagnostics: false } } : {}),
      },
    };
  });

  connection.onInitialized(() => {
    // Ask to be told about configuration changes; without it a client may push nothing.
    if (client.configurationRegistration) void connection.client.register(DidChangeConfigurationNotification.type, { section: 'shardlens' }).catch(() => undefined);
  });

  connection.onDidChangeConfiguration((change) => {
    settings.changed(change.settings);
    ctx.store.republishAll();
    if (client.inlayHintRefresh) void connection.languages.inlayHint.refresh().catch(() => undefined);
    if (client.codeLensRefresh) void connection.sendRequest(CodeLensRefreshRequest.type).catch(() => undefined);
    if (client.semanticTokensRefresh) connection.languages.semanticTokens.refresh();
  });

  registerDiagnostics(ctx);
  registerHover(ctx);
  registerCompletion(ctx);
  registerSignatureHelp(ctx);
  registerDefinition(ctx);
  registerReferences(ctx);
  registerRename(ctx);
  registerDocumentSymbols(ctx);
  registerWorkspaceSymbols(ctx);
  registerDocumentHighlight(ctx);
  registerFoldingRanges(ctx);
  registerSelectionRanges(ctx);
  registerSemanticTokens(ctx);
  registerInlayHints(ctx);
  registerCodeLens(ctx);
  registerCodeActions(ctx);
  registerFormatting(ctx);
  registerPreludeText(ctx);
  registerReport(ctx);
  registerExplain(ctx);
  registerSharding(ctx);
  registerShardingAt(ctx);
  registerSearch(ctx);
  registerLayouts(ctx);

  connection.listen();
}
