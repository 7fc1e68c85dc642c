// Drives the language server over a real JSON-RPC connection: in memory (two PassThrough
// streams, the server started in this process) or over a spawned process's stdio. Tests talk
// to it the way an editor does: initialize, didOpen/didChange, requests, published diagnostics.

import { PassThrough } from 'node:stream';
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { createMessageConnection, IPCMessageReader, IPCMessageWriter, StreamMessageReader, StreamMessageWriter, type MessageConnection } from 'vscode-jsonrpc/node';
import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import type { Diagnostic, DocumentDiagnosticReport, FullDocumentDiagnosticReport, Hover, InitializeResult, MarkupContent, Position, PublishDiagnosticsParams, TextDocumentContentChangeEvent } from 'vscode-languageserver-protocol';
import { startServer } from '../../server/src/lsp/server';

export const ROOT = path.resolve(__dirname, '../..');

export function fixture(name: string): string {
  return readFileSync(path.join(__dirname, 'fixtures', name), 'utf8');
}

/** A text with one `|` cursor marker: the text without it, and the cursor's LSP position. */
export function withCursor(marked: string): { text: string; position: Position; offset: number } {
  const offset = marked.indexOf('|');
  if (offset < 0) throw new Error('fixture has no | cursor');
  const text = marked.slice(0, offset) + marked.slice(offset + 1);
  const before = text.slice(0, offset).split('\n');
  return { text, offset, position: { line: before.length - 1, character: before[before.length - 1].length } };
}

/** The LSP position of the first occurrence of `needle` (plus `delta` characters) in `text`. */
export function positionOf(text: string, needle: string, delta = 0): Position {
  const offset = text.indexOf(needle);
  if (offset < 0) throw new Error(`no ${needle} in text`);
  const before = text.slice(0, offset + delta).split('\n');
  return { line: before.length - 1, character: before[before.length - 1].length };
}

/** The markdown of the hover at `needle` (+ `delta`) in `text` open as `uri`; fails the test when there is none. */
/** A pull of a document's diagnostics (`textDocument/diagnostic`), naming the report the client holds when given. */
export function pullDiagnostics(client: TestClient, uri: string, previousResultId?: string): Promise<DocumentDiagnosticReport> {
  return client.request<DocumentDiagnosticReport>('textDocument/diagnostic', { textDocument: { uri }, ...(previousResultId ? { previousResultId } : {}) });
}

/** A pulled report that must be a full one (not `unchanged`). */
export function fullReport(report: DocumentDiagnosticReport): FullDocumentDiagnosticReport {
  if (report.kind !== 'full') throw new Error(`expected a full diagnostic report, got ${JSON.stringify(report)}`);
  return report;
}

export async function hoverMarkdown(client: TestClient, uri: string, text: string, needle: string, delta = 0): Promise<string> {
  const h = await client.request<Hover | null>('textDocument/hover', { textDocument: { uri }, position: positionOf(text, needle, delta) });
  if (!h) throw new Error(`no hover at ${needle}`);
  return (h.contents as MarkupContent).value;
}

export interface ClientOptions {
  /** What the client answers to workspace/configuration for the `shardlens` section. */
  settings?: Record<string, unknown>;
  /** Spawn this command instead of running the server in process. */
  spawn?: { command: string; args: string[] };
  /** Sent as `initializationOptions` with `initialize`. */
  initializationOptions?: unknown;
  /** Whether the client says it answers workspace/configuration (it does by default). */
  answersConfiguration?: boolean;
  /** The client pulls diagnostics (textDocument/diagnostic) and can be asked to pull again, as VS Code does. */
  pullDiagnostics?: boolean;
}

/** How many publishes per document the test client remembers. */
const MAX_PUBLISHES_KEPT = 20;

export class TestClient {
  private readonly published = new Map<string, PublishDiagnosticsParams[]>();
  private readonly waiters: (() => void)[] = [];
  private versions = new Map<string, number>();
  settings: Record<string, unknown>;
  initializeResult!: InitializeResult;
  /** How many times the server asked this client to pull diagnostics again. */
  diagnosticRefreshes = 0;

  constructor(
    readonly connection: MessageConnection,
    settings: Record<string, unknown>,
    readonly child?: ChildProcess,
  ) {
    this.settings = settings;
    connection.onNotification('textDocument/publishDiagnostics', (p: PublishDiagnosticsParams) => {
      const list = this.published.get(p.uri) ?? [];
      list.push(p);
      // The client lives in the server's process in in-memory tests: keep a bounded history so
      // that a soak test measures what the server keeps, not what the test client does.
      if (list.length > MAX_PUBLISHES_KEPT) list.splice(0, list.length - MAX_PUBLISHES_KEPT);
      this.published.set(p.uri, list);
      for (const w of this.waiters.splice(0)) w();
    });
    connection.onRequest('workspace/configuration', (p: { items: { section?: string }[] }) => p.items.map((i) => (i.section === 'shardlens' ? this.settings : null)));
    connection.onRequest('client/registerCapability', () => null);
    connection.onRequest('workspace/inlayHint/refresh', () => null);
    connection.onRequest('workspace/codeLens/refresh', () => null);
    connection.onRequest('workspace/semanticTokens/refresh', () => null);
    connection.onRequest('workspace/diagnostic/refresh', () => {
      this.diagnosticRefreshes++;
      for (const w of this.waiters.splice(0)) w();
      return null;
    });
    connection.onNotification('window/logMessage', () => undefined);
    connection.listen();
  }

  async initialize(options: ClientOptions = {}): Promise<InitializeResult> {
    this.initializeResult = await this.connection.sendRequest('initialize', {
      processId: null,
      rootUri: null,
      ...(options.initializationOptions !== undefined ? { initializationOptions: options.initializationOptions } : {}),
      capabilities: {
        workspace: {
          configuration: options.answersConfiguration ?? true,
          inlayHint: { refreshSupport: true },
          codeLens: { refreshSupport: true },
          ...(options.pullDiagnostics ? { diagnostics: { refreshSupport: true } } : {}),
        },
        textDocument: { documentSymbol: { hierarchicalDocumentSymbolSupport: true }, ...(options.pullDiagnostics ? { diagnostic: { dynamicRegistration: false } } : {}) },
      },
    });
    await this.connection.sendNotification('initialized', {});
    return this.initializeResult;
  }

  async open(uri: string, text: string): Promise<void> {
    this.versions.set(uri, 1);
    await this.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'shard', version: 1, text } });
  }

  async change(uri: string, changes: TextDocumentContentChangeEvent[]): Promise<number> {
    const version = (this.versions.get(uri) ?? 1) + 1;
    this.versions.set(uri, version);
    await this.connection.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: changes });
    return version;
  }

  request<R>(method: string, params: unknown): Promise<R> {
    return this.connection.sendRequest(method, params) as Promise<R>;
  }

  /** Waits (with a deadline, never a fixed sleep) for a publish that satisfies `accept`. */
  async diagnostics(uri: string, accept: (p: PublishDiagnosticsParams) => boolean = () => true, timeoutMs = 10000): Promise<Diagnostic[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hit = (this.published.get(uri) ?? []).filter(accept).pop();
      if (hit) return hit.diagnostics;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no matching diagnostics for ${uri} within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** Waits (with a deadline) until the server has asked for a new pull more than `seen` times. */
  async refreshAfter(seen: number, timeoutMs = 10000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.diagnosticRefreshes <= seen) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no diagnostic refresh within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** The publishes received for a document (the last MAX_PUBLISHES_KEPT), in order. */
  publishes(uri: string): PublishDiagnosticsParams[] {
    return [...(this.published.get(uri) ?? [])];
  }

  /** Diagnostics published for a given document version (the latest such publish). */
  diagnosticsOfVersion(uri: string, version: number, accept: (d: Diagnostic[]) => boolean = () => true): Promise<Diagnostic[]> {
    return this.diagnostics(uri, (p) => p.version === version && accept(p.diagnostics));
  }

  async close(): Promise<void> {
    if (this.child) {
      try {
        await this.connection.sendRequest('shutdown');
        await this.connection.sendNotification('exit');
      } catch {
        // The process may already be gone.
      }
      await new Promise<void>((resolve) => {
        if (this.child!.exitCode !== null) resolve();
        else this.child!.once('exit', () => resolve());
      });
    }
    this.connection.dispose();
  }
}

/** A client connected to a server running in this process over in-memory streams. */
export async function startInMemory(options: ClientOptions = {}): Promise<TestClient> {
  const toServer = new PassThrough();
  const toClient = new PassThrough();
  const server = createConnection(ProposedFeatures.all, new StreamMessageReader(toServer), new StreamMessageWriter(toClient));
  startServer(server);
  const client = new TestClient(createMessageConnection(new StreamMessageReader(toClient), new StreamMessageWriter(toServer)), options.settings ?? {});
  await client.initialize(options);
  return client;
}

/** A client connected to a spawned server process over its stdio. */
export async function startProcess(command: string, args: string[], options: ClientOptions = {}): Promise<TestClient> {
  const child = spawn(command, args, { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
  const client = new TestClient(createMessageConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!)), options.settings ?? {}, child);
  await client.initialize(options);
  return client;
}

/** A client connected to a forked server module over Node IPC, as the VS Code client starts it. */
export async function startForked(modulePath: string, options: ClientOptions = {}): Promise<TestClient> {
  const child = fork(modulePath, ['--node-ipc'], { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe', 'ipc'] });
  const client = new TestClient(createMessageConnection(new IPCMessageReader(child), new IPCMessageWriter(child)), options.settings ?? {}, child);
  await client.initialize(options);
  return client;
}
