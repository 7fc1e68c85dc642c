// Open documents, their latest Analysis, and the diagnostics pipeline.
//
// Requests always see the analysis of the document's current version (computed on demand and
// cached per version). Diagnostics are pushed in two steps: right after a short, adaptive debounce
// the checker's findings and the cheap cost findings (out-of-memory, comm-bound, memory-bound),
// which `analyze` computes; then, once the document has been quiet for a while, the
// `better-layout` hints, whose search costs every built-in block pair and would otherwise delay
// typing feedback.

import { TextDocuments, type Connection } from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { EDITOR_LIMITS, PRELUDE_SCHEME, type Analysis, type AnalyzeOptions, type Diagnostic, type FeatureSettings, type ShardService } from '../engine/index';
import type { SettingsStore } from './settings';
import { toLspDiagnostics } from './convert';
import { DiagnosticRefreshRequest, type DocumentDiagnosticReport } from 'vscode-languageserver/node';
import { SYNCED_TEXT_DOCUMENT } from './textSync';

/**
 * The first change after a pause is checked at once. Changes that arrive while a check is still
 * scheduled push it back by the time one analysis takes (up to this), so fast typing in a large
 * file does not queue one full check per keystroke.
 */
const MAX_DEBOUNCE_MS = 100;
/**
 * Quiet time before the better-layout search starts: at least this, and for a file whose analysis
 * is slow, a few analyses' worth. The search allocates heavily (every alternative is resolved and
 * costed), and the garbage it leaves would otherwise slow the next keystroke's check.
 */
const ALTERNATIVES_DELAY_MS = 300;
const ALTERNATIVES_DELAY_ANALYSES = 5;
/** While typing: cost the layouts, but leave the better-layout search to the second step. */
const TYPING: AnalyzeOptions = { maxCostedLayouts: EDITOR_LIMITS.maxCostedLayouts, maxHintLayouts: 0, maxFileChars: EDITOR_LIMITS.maxFileChars };

interface Findings {
  version: number;
  diagnostics: Diagnostic[];
}

export class DocumentStore {
  /** Not `new TextDocuments(TextDocument)`: that one's incremental update miscounts lines (textSync.ts). */
  readonly documents = new TextDocuments<TextDocument>(SYNCED_TEXT_DOCUMENT);
  private readonly analyses = new Map<string, { version: number; analysis: Analysis }>();
  private readonly findings = new Map<string, Findings>();
  /** Per document pulled: the findings and settings of the last full report, and its result id. */
  private readonly reports = new Map<string, { findings: Findings; settings: FeatureSettings; resultId: string }>();
  private reportCount = 0;
  /** Per document: the scheduled check, and the scheduled better-layout search. */
  private readonly checkTimers = new Map<string, ReturnType<typeof setTimeout>>();
  private readonly searchTimers = new Map<string, ReturnType<typeof setTimeout>>();
  private readonly preludeAnalyses = new Map<string, Analysis>();
  private lastAnalysisMs = 0;
  /**
   * The client pulls diagnostics (textDocument/diagnostic) instead of being sent them: each pull
   * answers with the current version's findings, and the server only asks for a new pull
   * (diagnostics refresh) once the better-layout search has added its hints.
   */
  private pull = false;
  /** The client can be asked to pull again (workspace/diagnostic/refresh). */
  private pullRefresh = false;

  constructor(
    private readonly connection: Connection,
    private readonly service: ShardService,
    private readonly settings: SettingsStore,
  ) {}

  listen(): void {
    this.documents.onDidChangeContent((e) => (this.pull ? this.scheduleSearch(e.document.uri) : this.schedule(e.document.uri)));
    this.documents.onDidClose((e) => {
      const uri = e.document.uri;
      this.cancelTimers(uri);
      this.analyses.delete(uri);
      this.findings.delete(uri);
      this.reports.delete(uri);
      this.settings.forget(uri);
      if (!this.pull) void this.connection.sendDiagnostics({ uri, diagnostics: [] });
    });
    this.documents.listen(this.connection);
  }

  /** Switches to pull diagnostics (the client said it supports them); call before `listen`. */
  usePull(refreshSupport: boolean): void {
    this.pull = true;
    this.pullRefresh = refreshSupport;
    this.connection.languages.diagnostics.on((params) => this.pulled(params.textDocument.uri, params.previousResultId));
  }

  /** Asks the client to pull again (the better-layout hints have arrived, or the settings changed). */
  private refresh(): void {
    if (this.pullRefresh) void this.connection.sendRequest(DiagnosticRefreshRequest.type).catch(() => undefined);
  }

  /**
   * A pull: the findings of the current version, the checker's and the cheap cost findings at once.
   * Each full report has a result id; a pull that names the id of what it holds gets `unchanged`
   * when the report would be the same (same findings, same settings), instead of every diagnostic
   * again (a large file's report is most of a megabyte of JSON).
   */
  private async pulled(uri: string, previousResultId?: string): Promise<DocumentDiagnosticReport> {
    if (uri.startsWith(`${PRELUDE_SCHEME}:`)) return { kind: 'full', items: [] };
    const doc = this.documents.get(uri);
    const analysis = this.analysis(uri);
    if (!doc || !analysis) return { kind: 'full', items: [] };
    let f = this.findings.get(uri);
    if (!f || f.version !== doc.version) {
      const previous = f?.diagnostics ?? [];
      f = { version: doc.version, diagnostics: this.service.diagnostics(analysis, carriedHints(analysis, previous)) };
      this.findings.set(uri, f);
      if (!this.searchTimers.has(uri)) this.scheduleSearch(uri);
    }
    const settings = await this.settings.for(uri);
    let sent = this.reports.get(uri);
    if (!sent || sent.findings !== f || sent.settings !== settings) {
      sent = { findings: f, settings, resultId: String(++this.reportCount) };
      this.reports.set(uri, sent);
    } else if (previousResultId === sent.resultId) {
      return { kind: 'unchanged', resultId: sent.resultId };
    }
    return { kind: 'full', resultId: sent.resultId, items: toLspDiagnostics(analysis, f.diagnostics, settings) };
  }

  private scheduleSearch(uri: string): void {
    this.cancelTimers(uri);
    const doc = this.documents.get(uri);
    if (!doc || uri.startsWith(`${PRELUDE_SCHEME}:`)) return;
    const quiet = Math.max(ALTERNATIVES_DELAY_MS, ALTERNATIVES_DELAY_ANALYSES * this.lastAnalysisMs);
    this.searchTimers.set(uri, setTimeout(() => void this.publishComplete(uri, doc.version), quiet));
  }

  /** The analysis of the document's current text; prelude URIs work without being open. */
  analysis(uri: string): Analysis | undefined {
    const doc = this.documents.get(uri);
    if (!doc) return this.preludeAnalysis(uri);
    const hit = this.analyses.get(uri);
    if (hit && hit.version === doc.version) return hit.analysis;
    const started = performance.now();
    const analysis = this.service.analyze({ uri, text: doc.getText(), isPrelude: false }, TYPING);
    this.lastAnalysisMs = performance.now() - started;
    this.analyses.set(uri, { version: doc.version, analysis });
    return analysis;
  }

  /** Every diagnostic known for the current version: checker findings and cost findings so far. */
  diagnostics(uri: string): Diagnostic[] {
    const analysis = this.analysis(uri);
    if (!analysis) return [];
    const doc = this.documents.get(uri);
    const f = this.findings.get(uri);
    return f && doc && f.version === doc.version ? f.diagnostics : analysis.diagnostics;
  }

  openUris(): string[] {
    return this.documents.keys();
  }

  /** Re-send every open document's diagnostics (after a settings change). */
  republishAll(): void {
    if (this.pull) this.refresh();
    else for (const uri of this.openUris()) void this.send(uri);
  }

  private preludeAnalysis(uri: string): Analysis | undefined {
    const source = this.service.preludeSource(uri);
    if (!source) return undefined;
    let analysis = this.preludeAnalyses.get(uri);
    if (!analysis) {
      // Analysed as an ordinary file: its declarations shadow the built-ins they are, so names
      // inside it resolve to itself.
      analysis = this.service.analyze({ uri, text: source.text, isPrelude: false }, { cost: false });
      this.preludeAnalyses.set(uri, analysis);
    }
    return analysis;
  }

  private cancelTimers(uri: string): void {
    for (const timers of [this.checkTimers, this.searchTimers]) {
      const t = timers.get(uri);
      if (t) clearTimeout(t);
      timers.delete(uri);
    }
  }

  private schedule(uri: string): void {
    const typing = this.checkTimers.has(uri);
    this.cancelTimers(uri);
    const delay = typing ? Math.min(MAX_DEBOUNCE_MS, Math.round(this.lastAnalysisMs)) : 0;
    this.checkTimers.set(uri, setTimeout(() => this.publishQuick(uri), delay));
  }

  private publishQuick(uri: string): void {
    this.checkTimers.delete(uri);
    // A built-in file shown read-only has nothing the user could fix: no squiggles there.
    if (uri.startsWith(`${PRELUDE_SCHEME}:`)) return;
    const doc = this.documents.get(uri);
    const analysis = this.analysis(uri);
    if (!doc || !analysis) return;
    const previous = this.findings.get(uri)?.diagnostics ?? [];
    this.findings.set(uri, { version: doc.version, diagnostics: this.service.diagnostics(analysis, carriedHints(analysis, previous)) });
    void this.send(uri);
    const quiet = Math.max(ALTERNATIVES_DELAY_MS, ALTERNATIVES_DELAY_ANALYSES * this.lastAnalysisMs);
    this.searchTimers.set(uri, setTimeout(() => void this.publishComplete(uri, doc.version), quiet));
  }

  /**
   * The better-layout search. Each small step runs in its own turn of the event loop, so edits
   * and requests are answered in between, and a new version of the text ends the search.
   */
  private async publishComplete(uri: string, version: number): Promise<void> {
    this.searchTimers.delete(uri);
    const analysis = this.analysis(uri);
    if (!analysis) return;
    const found: Diagnostic[] = [];
    for (const layout of analysis.layouts.slice(0, EDITOR_LIMITS.maxHintLayouts)) {
      const search = this.service.costFindings(analysis, layout);
      for (;;) {
        await new Promise((resolve) => setImmediate(resolve));
        if (this.documents.get(uri)?.version !== version) return;
        const step = search.next();
        if (step.done) {
          found.push(...step.value);
          break;
        }
      }
    }
    this.findings.set(uri, { version, diagnostics: this.service.diagnostics(analysis, found) });
    if (this.pull) this.refresh();
    else await this.send(uri);
  }

  private async send(uri: string): Promise<void> {
    const doc = this.documents.get(uri);
    const f = this.findings.get(uri);
    const analysis = this.analysis(uri);
    if (!doc || !f || !analysis || f.version !== doc.version) return;
    const settings = await this.settings.for(uri);
    // The document may have changed while the settings were being fetched.
    if (this.documents.get(uri)?.version !== f.version) return;
    await this.connection.sendDiagnostics({ uri, version: f.version, diagnostics: toLspDiagnostics(analysis, f.diagnostics, settings) });
  }
}

/**
 * The previous version's better-layout hints, moved onto the same layouts' names in the new text,
 * so that they do not blink off at every keystroke while the search re-runs. Their quick fixes
 * are dropped (their edits point into the old text) until the search has run again.
 */
function carriedHints(analysis: Analysis, previous: readonly Diagnostic[]): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const d of previous) {
    if (d.code !== 'better-layout' || !d.layout) continue;
    const layout = analysis.layouts.find((l) => l.name === d.layout);
    if (layout) out.push({ ...d, source: analysis.source, span: { start: layout.decl.name.start, end: layout.decl.name.end }, fixes: undefined });
  }
  return out;
}
