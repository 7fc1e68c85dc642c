// The VS Code client: starts the shardlens language server and adds what only an editor can
// show (the Compare Layouts view, a status-bar figure, read-only prelude documents). All
// analysis happens in the server; this file wires VS Code to it. The client's code imports the
// shared protocol (server/src/protocol) and nothing else of the server's.

import * as vscode from 'vscode';
import {
  CloseAction,
  ErrorAction,
  LanguageClient,
  TransportKind,
  type CloseHandlerResult,
  type ErrorHandler,
  type ErrorHandlerResult,
  type LanguageClientOptions,
  type ServerOptions,
} from 'vscode-languageclient/node';
import { COMPARE_VIEW_TYPE } from '../../server/src/protocol/compareView';
import { LAYOUT_NAME } from '../../server/src/protocol/messageChecks';
import { ExplainRequest, PRELUDE_SCHEME, PreludeTextRequest, type DecodeContext } from '../../server/src/protocol/requests';
import { SERVER_NODE_OPTIONS } from '../../server/src/protocol/serverProcess';
import { ComparePanel, comparePanelSerializer, type ComparePanelServices } from './comparePanel';
import { LayoutLocator } from './layouts';
import { ReportCache } from './reports';
import { LayoutStatusBar } from './statusBar';
import { registerSearchCommands } from './searchCommands';
import { ShardingPanel } from './shardingPanel';
import { TimelinePanel } from './timelinePanel';

/** The client id: vscode-languageclient reads the `shardlens.trace.server` setting by it. */
const CLIENT_ID = 'shardlens';
const CLIENT_NAME = 'shardlens language server';
/** Read-only documents that show a layout's explanation (the text comes from `shardlens/explain`). */
const EXPLAIN_SCHEME = 'shardlens-explain';

/** More crashes than this within the window stop the automatic restarts. */
const MAX_RESTARTS = 4;
const RESTART_WINDOW_MS = 3 * 60 * 1000;

let client: LanguageClient | undefined;

/**
 * Restarts a crashed server, telling the user each time; after MAX_RESTARTS crashes in
 * RESTART_WINDOW_MS it stops and offers a Restart button instead of looping.
 */
class RestartingErrorHandler implements ErrorHandler {
  private crashes: number[] = [];

  constructor(private readonly output: vscode.OutputChannel) {}

  error(error: Error, _message: unknown, count: number | undefined): ErrorHandlerResult {
    this.output.appendLine(`[client] connection error (${count ?? 0}): ${error.message}`);
    // A few transport errors in a row mean the connection is gone; closed() decides what next.
    return { action: (count ?? 0) <= 3 ? ErrorAction.Continue : ErrorAction.Shutdown, handled: true };
  }

  closed(): CloseHandlerResult {
    const now = Date.now();
    this.crashes = [...this.crashes.filter((t) => now - t < RESTART_WINDOW_MS), now];
    if (this.crashes.length <= MAX_RESTARTS) {
      this.output.appendLine(`[client] the server stopped unexpectedly; restarting (${this.crashes.length}/${MAX_RESTARTS})`);
      void vscode.window.showWarningMessage('The shardlens language server stopped unexpectedly and was restarted.', 'Show Output').then((choice) => {
        if (choice) this.output.show(true);
      });
      return { action: CloseAction.Restart, handled: true };
    }
    this.output.appendLine(`[client] the server crashed ${this.crashes.length} times in ${RESTART_WINDOW_MS / 60000} minutes; not restarting`);
    void vscode.window
      .showErrorMessage(`The shardlens language server crashed ${this.crashes.length} times in a few minutes and was not restarted.`, 'Restart', 'Show Output')
      .then((choice) => {
        if (choice === 'Restart') void vscode.commands.executeCommand('shardlens.restartServer');
        else if (choice === 'Show Output') this.output.show(true);
      });
    return { action: CloseAction.DoNotRestart, handled: true };
  }

  /** A deliberate restart starts a fresh count. */
  reset(): void {
    this.crashes = [];
  }
}

function decodeContext(): DecodeContext {
  return vscode.workspace.getConfiguration('shardlens').get<string>('decode.context') === 'last' ? 'last' : 'mean';
}

/** The `.shard` document a command applies to: its URI argument, else the active editor's. */
async function targetDocument(arg: unknown): Promise<vscode.TextDocument | undefined> {
  if (arg instanceof vscode.Uri) return vscode.workspace.openTextDocument(arg);
  if (typeof arg === 'string' && /^[a-z][a-z0-9+.-]*:/.test(arg) && !LAYOUT_NAME.test(arg)) return vscode.workspace.openTextDocument(vscode.Uri.parse(arg));
  const editor = vscode.window.activeTextEditor;
  if (editor?.document.languageId === 'shard') return editor.document;
  return vscode.window.visibleTextEditors.find((e) => e.document.languageId === 'shard')?.document;
}

/**
 * Commands come from code lenses (`[layoutName]` or `[uri, layoutName]`), the editor title
 * button (`[uri]`), the status bar (`[layoutName]`) and the palette (`[]`).
 */
function commandTarget(args: unknown[]): { docArg: unknown; layout: string | null } {
  let docArg: unknown;
  let layout: string | null = null;
  for (const a of args) {
    if (typeof a === 'string' && LAYOUT_NAME.test(a)) layout = a;
    else if (a instanceof vscode.Uri || typeof a === 'string') docArg ??= a;
    else if (a && typeof a === 'object' && 'uri' in a) {
      const o = a as { uri?: unknown; layout?: unknown; name?: unknown };
      docArg ??= typeof o.uri === 'string' ? o.uri : o.uri instanceof vscode.Uri ? o.uri : undefined;
      const n = typeof o.layout === 'string' ? o.layout : typeof o.name === 'string' ? o.name : undefined;
      if (n && LAYOUT_NAME.test(n)) layout = n;
    }
  }
  return { docArg, layout };
}

/** Read-only documents whose text the server supplies: the prelude and layout explanations. */
class ServerTextProvider implements vscode.TextDocumentContentProvider {
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;

  constructor(private readonly fetch: (uri: vscode.Uri, token: vscode.CancellationToken) => Promise<string>) {}

  provideTextDocumentContent(uri: vscode.Uri, token: vscode.CancellationToken): Promise<string> {
    return this.fetch(uri, token);
  }

  refresh(uri: vscode.Uri): void {
    this.changed.fire(uri);
  }
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const activatedAt = Date.now();
  const output = vscode.window.createOutputChannel('shardlens');
  context.subscriptions.push(output);
  const errorHandler = new RestartingErrorHandler(output);

  const serverModule = context.asAbsolutePath('dist/server.js');
  const serverOptions: ServerOptions = {
    run: { module: serverModule, transport: TransportKind.ipc, options: { execArgv: [...SERVER_NODE_OPTIONS] } },
    debug: { module: serverModule, transport: TransportKind.ipc, options: { execArgv: [...SERVER_NODE_OPTIONS, '--nolazy', '--inspect=6009'] } },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: 'file', language: 'shard' },
      { scheme: 'untitled', language: 'shard' },
      { scheme: PRELUDE_SCHEME, language: 'shard' },
    ],
    outputChannel: output,
    errorHandler,
    synchronize: { configurationSection: 'shardlens' },
    // Hovers link to Show Sharding (a `command:` URI); only that command may run from a hover.
    markdown: { isTrusted: { enabledCommands: ['shardlens.showSharding'] } },
  };
  client = new LanguageClient(CLIENT_ID, CLIENT_NAME, serverOptions, clientOptions);
  const reports = new ReportCache(() => client);

  const requireClient = (): LanguageClient => {
    if (!client?.isRunning()) throw new Error('the shardlens language server is not running');
    return client;
  };

  const prelude = new ServerTextProvider(async (uri, token) => {
    const text = await requireClient().sendRequest(PreludeTextRequest, { uri: uri.toString() }, token);
    return text ?? `# ${uri.toString()} is not part of the shardlens prelude.\n`;
  });
  const explanations = new ServerTextProvider(async (uri, token) => {
    const params = new URLSearchParams(uri.query);
    const source = params.get('uri') ?? '';
    const layout = params.get('layout') ?? '';
    const text = await requireClient().sendRequest(ExplainRequest, { uri: source, layout }, token);
    return text ?? `No explanation: ${layout} is not a costed layout of ${source}.\n`;
  });

  const layouts = new LayoutLocator(() => client);
  const services: ComparePanelServices = { extensionUri: context.extensionUri, reports, layouts, output, decodeContext };
  const statusBar = new LayoutStatusBar(() => client, decodeContext);
  const shardingServices = { extensionUri: context.extensionUri, output, getClient: requireClient };
  const timelineServices = { ...shardingServices, layouts };

  context.subscriptions.push(
    vscode.workspace.registerTextDocumentContentProvider(PRELUDE_SCHEME, prelude),
    vscode.workspace.registerTextDocumentContentProvider(EXPLAIN_SCHEME, explanations),
    vscode.window.registerWebviewPanelSerializer(COMPARE_VIEW_TYPE, comparePanelSerializer(services)),
    statusBar,
    vscode.workspace.onDidCloseTextDocument((d) => reports.forget(d.uri)),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('shardlens.decode.context')) {
        statusBar.schedule();
        ComparePanel.current?.settingsChanged();
      }
    }),

    vscode.commands.registerCommand('shardlens.compareLayouts', async (...args: unknown[]) => {
      const { docArg, layout } = commandTarget(args);
      const document = await targetDocument(docArg);
      if (!document) {
        void vscode.window.showInformationMessage('Open a .shard file to compare its layouts.');
        return;
      }
      await ComparePanel.createOrShow(services, document, layout);
    }),

    vscode.commands.registerCommand('shardlens.explainLayout', async (...args: unknown[]) => {
      const { docArg, layout: given } = commandTarget(args);
      const document = await targetDocument(docArg);
      if (!document) {
        void vscode.window.showInformationMessage('Open a .shard file to explain one of its layouts.');
        return;
      }
      let layout = given;
      if (!layout) {
        const names = (await layouts.list(document)).map((r) => r.name);
        if (names.length === 0) {
          void vscode.window.showInformationMessage('This file declares no layout.');
          return;
        }
        layout = names.length === 1 ? names[0] : ((await vscode.window.showQuickPick(names, { placeHolder: 'Explain which layout?' })) ?? null);
        if (!layout) return;
      }
      const query = new URLSearchParams({ uri: document.uri.toString(), layout }).toString();
      const uri = vscode.Uri.from({ scheme: EXPLAIN_SCHEME, path: `/${layout}.explain.txt`, query });
      explanations.refresh(uri);
      try {
        const doc = await vscode.workspace.openTextDocument(uri);
        await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.Beside, preview: true, preserveFocus: true });
      } catch (e) {
        void vscode.window.showErrorMessage(`Cannot explain ${layout}: ${e instanceof Error ? e.message : String(e)}`);
      }
    }),

    vscode.commands.registerCommand('shardlens.restartServer', async () => {
      if (!client) return;
      errorHandler.reset();
      reports.clear();
      output.appendLine('[client] restarting the language server');
      await client.restart();
      statusBar.schedule();
    }),

    vscode.commands.registerCommand('shardlens.showOutput', () => output.show(true)),

    // Show Sharding: the tiles of the value under the cursor; the panel follows the cursor.
    ...ShardingPanel.serializers(shardingServices),
    vscode.commands.registerCommand('shardlens.showSharding', async (...args: unknown[]) => {
      const { docArg } = commandTarget(args);
      const document = await targetDocument(docArg);
      if (!document) {
        void vscode.window.showInformationMessage('Open a .shard file and put the cursor on a value of a block to see its tiles.');
        return;
      }
      const editor = vscode.window.visibleTextEditors.find((e) => e.document === document) ?? (await vscode.window.showTextDocument(document, { preserveFocus: true }));
      // From a block's code lens: `{ uri, offset }` of its first weight; else the editor's cursor.
      const at = args.find((a): a is { offset: number } => typeof a === 'object' && a !== null && Number.isInteger((a as { offset?: unknown }).offset));
      ShardingPanel.createOrShow(shardingServices, editor, at ? document.positionAt(at.offset) : undefined);
    }),

    // Show Step Timeline: the layout named (a lens), else the one at the cursor, else asked.
    ...TimelinePanel.serializers(timelineServices),
    vscode.commands.registerCommand('shardlens.showTimeline', async (...args: unknown[]) => {
      const { docArg, layout: given } = commandTarget(args);
      const document = await targetDocument(docArg);
      if (!document) {
        void vscode.window.showInformationMessage('Open a .shard file to see the step timeline of one of its layouts.');
        return;
      }
      let layout = given;
      const editor = vscode.window.activeTextEditor;
      if (!layout && editor?.document === document) layout = (await layouts.at(document, editor.selection.active))?.name ?? null;
      if (!layout) {
        const names = (await layouts.list(document)).map((r) => r.name);
        if (names.length === 0) {
          void vscode.window.showInformationMessage('This file declares no layout.');
          return;
        }
        layout = names.length === 1 ? names[0] : ((await vscode.window.showQuickPick(names, { placeHolder: 'Show the step timeline of which layout?' })) ?? null);
        if (!layout) return;
      }
      // From Compare Layouts: `{ uri, layout, phase }` of the clicked bar.
      const phase = args.some((a) => typeof a === 'object' && a !== null && (a as { phase?: unknown }).phase === 'prefill') ? 'prefill' : 'decode';
      TimelinePanel.createOrShow(timelineServices, document, layout, phase);
    }),

    // Show Sweep, Show Crossover, Find Best Layout and the search chart panel's serializer.
    ...registerSearchCommands({ extensionUri: context.extensionUri, output, layouts, getClient: requireClient, state: context.workspaceState }),
  );

  try {
    await client.start();
    output.appendLine(`[client] server ready in ${Date.now() - activatedAt} ms`);
  } catch (e) {
    // VS Code does not show a notification when activation fails, so say it here.
    const message = e instanceof Error ? e.message : String(e);
    output.appendLine(`[client] the language server did not start: ${message}`);
    void vscode.window.showErrorMessage(`The shardlens language server did not start: ${message}`, 'Show Output').then((choice) => {
      if (choice) output.show(true);
    });
  }
  statusBar.schedule();
}

export function deactivate(): Thenable<void> | undefined {
  return client?.stop();
}
