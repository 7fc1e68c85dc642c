// Show Sweep, Show Crossover and Find Best Layout: the server's searches (issue 6) behind commands,
// code lenses and the "Replace with the best layout for this workload" code action.
//
// Every search runs in the language server's search thread. Here it is one request under a
// cancellable progress notification: the server's work-done progress on a token we make moves the
// notification's bar, and the notification's Cancel cancels the request, which raises the
// thread's stop flag (server/src/lsp/search.ts). A cancelled search is not an error: nothing is
// shown and nothing is edited.

import { randomUUID } from 'node:crypto';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { LSPErrorCodes, ResponseError, WorkDoneProgress, type LanguageClient, type RequestType } from 'vscode-languageclient/node';
import { MAX_SWEEP_LAYOUTS, type ChartKind } from '../../server/src/protocol/chartView';
import { formatSeconds, readDuration } from '../../server/src/protocol/durations';
import { LAYOUT_NAME } from '../../server/src/protocol/messageChecks';
import { ALL_DTYPES, BestRequest, CrossoverRequest, SweepRequest, type BestWireCandidate, type BestWireResult, type CrossoverResult, type Dtype, type SweepResult } from '../../server/src/protocol/requests';
import { ChartPanel, type ChartPanelServices } from './chartPanel';
import type { LayoutLocator } from './layouts';

export const SHOW_SWEEP = 'shardlens.showSweep';
export const SHOW_CROSSOVER = 'shardlens.showCrossover';
export const FIND_BEST = 'shardlens.findBestLayout';

/** How many halvings and doublings of the layout's chip count Show Sweep spans (Pope Fig. 1 spans several). */
const SWEEP_CHIPS_AROUND = 2;
/** How many candidates Find Best Layout lists. */
const BEST_TOP = 8;

/** A search's outcome: the result, or `cancelled` when the user stopped it. */
export type SearchOutcome<R> = { result: R } | 'cancelled';

/** Runs one search request under a cancellable progress notification. */
export class SearchRunner {
  constructor(private readonly getClient: () => LanguageClient) {}

  run<P extends { workDoneToken?: string | number }, R>(request: RequestType<P, R, void>, params: Omit<P, 'workDoneToken'>, title: string): Promise<SearchOutcome<R>> {
    const client = this.getClient();
    return Promise.resolve(
      vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, async (progress, token): Promise<SearchOutcome<R>> => {
        const workDoneToken = `shardlens-search-${randomUUID()}`;
        let shown = 0;
        const subscription = client.onProgress(WorkDoneProgress.type, workDoneToken, (value) => {
          // withProgress takes increments; the server sends the total so far.
          if (value.kind !== 'report' || typeof value.percentage !== 'number' || value.percentage <= shown) return;
          progress.report({ increment: value.percentage - shown, message: `${value.percentage}%` });
          shown = value.percentage;
        });
        try {
          return { result: await client.sendRequest(request, { ...params, workDoneToken } as P, token) };
        } catch (e) {
          if (token.isCancellationRequested || (e instanceof ResponseError && e.code === LSPErrorCodes.RequestCancelled)) return 'cancelled';
          throw e;
        } finally {
          subscription.dispose();
        }
      }),
    );
  }

  /**
   * The same request for each of `paramsList`, one after another under one notification whose
   * bar spans them all (one at a time: a new search of a kind on a document supersedes the last).
   */
  runAll<P extends { workDoneToken?: string | number }, R>(request: RequestType<P, R, void>, paramsList: Omit<P, 'workDoneToken'>[], title: string): Promise<SearchOutcome<R[]>> {
    const client = this.getClient();
    const n = paramsList.length;
    return Promise.resolve(
      vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, async (progress, token): Promise<SearchOutcome<R[]>> => {
        const results: R[] = [];
        let shown = 0;
        for (const [i, params] of paramsList.entries()) {
          const workDoneToken = `shardlens-search-${randomUUID()}`;
          const subscription = client.onProgress(WorkDoneProgress.type, workDoneToken, (value) => {
            if (value.kind !== 'report' || typeof value.percentage !== 'number') return;
            const overall = Math.floor((i * 100 + value.percentage) / n);
            if (overall <= shown) return;
            progress.report({ increment: overall - shown, message: n > 1 ? `${i + 1} of ${n}, ${overall}%` : `${overall}%` });
            shown = overall;
          });
          try {
            if (token.isCancellationRequested) return 'cancelled';
            results.push(await client.sendRequest(request, { ...params, workDoneToken } as P, token));
          } catch (e) {
            if (token.isCancellationRequested || (e instanceof ResponseError && e.code === LSPErrorCodes.RequestCancelled)) return 'cancelled';
            throw e;
          } finally {
            subscription.dispose();
          }
        }
        return { result: results };
      }),
    );
  }
}

interface Target {
  document: vscode.TextDocument;
  /** One layout, or (for a sweep with `many`) several. */
  layouts: string[];
  replace: boolean;
  /** What Find Best Layout optimises, when the caller said (`{ objective, maxLatency }`). */
  goal?: BestGoal;
}

/** What Find Best Layout optimises: latency, or cost per token (optionally within a latency limit). */
export interface BestGoal {
  objective: 'latency' | 'cost';
  /** Seconds per request (prefill plus generation); only with `cost`. */
  maxLatency?: number;
  /**
   * Weight dtypes the search may choose among; absent: the layout's own only (a narrower dtype is
   * never slower in the cost model, but it is a decision about the model's quality).
   */
  dtypes?: Dtype[];
}

/**
 * The document and layout a command applies to. Arguments come from code lenses (`[name]`), the
 * code action (`[{ uri, layout, replace }]`), the editor title button (`[uri]`) and the palette
 * (`[]`); a missing layout is the one under the cursor, the only one, or one picked from a list.
 */
async function resolveTarget(layouts: LayoutLocator, args: unknown[], verb: string, many = false): Promise<Target | undefined> {
  let docArg: vscode.Uri | undefined;
  let layout: string | undefined;
  let replace = false;
  let goal: BestGoal | undefined;
  for (const a of args) {
    if (typeof a === 'string' && LAYOUT_NAME.test(a)) layout = a;
    else if (a instanceof vscode.Uri) docArg ??= a;
    else if (typeof a === 'string' && /^[a-z][a-z0-9+.-]*:/.test(a)) docArg ??= vscode.Uri.parse(a);
    else if (a && typeof a === 'object') {
      const o = a as { uri?: unknown; layout?: unknown; replace?: unknown };
      if (typeof o.uri === 'string') docArg ??= vscode.Uri.parse(o.uri);
      if (typeof o.layout === 'string' && LAYOUT_NAME.test(o.layout)) layout = o.layout;
      if (o.replace === true) replace = true;
      goal ??= goalOf(a);
    }
  }
  const editor = vscode.window.activeTextEditor;
  const document = docArg
    ? await vscode.workspace.openTextDocument(docArg)
    : editor?.document.languageId === 'shard'
      ? editor.document
      : vscode.window.visibleTextEditors.find((e) => e.document.languageId === 'shard')?.document;
  if (!document) {
    void vscode.window.showInformationMessage(`Open a .shard file to ${verb}.`);
    return undefined;
  }
  if (!layout) {
    const places = await layouts.list(document);
    const names = places.map((r) => r.name);
    const active = vscode.window.activeTextEditor;
    const underCursor = active?.document === document ? places.find((r) => r.range.contains(active.selection.active))?.name : undefined;
    if (names.length === 0) {
      void vscode.window.showInformationMessage('This file declares no layout.');
      return undefined;
    }
    const placeHolder = `${verb[0].toUpperCase()}${verb.slice(1)}: which layout${many ? 's' : ''}?`;
    if (many && names.length > 1) {
      // Several layouts draw one series each (Pope Fig. 1 draws one per model): the one under
      // the cursor comes checked, or the first few when the cursor is in none.
      const checked = new Set(underCursor ? [underCursor] : names.slice(0, MAX_SWEEP_LAYOUTS));
      const picked = await vscode.window.showQuickPick(names.map((name) => ({ label: name, picked: checked.has(name) })), { canPickMany: true, placeHolder, title: `at most ${MAX_SWEEP_LAYOUTS}` });
      if (!picked || picked.length === 0) return undefined;
      if (picked.length > MAX_SWEEP_LAYOUTS) void vscode.window.showInformationMessage(`A sweep draws at most ${MAX_SWEEP_LAYOUTS} layouts; the first ${MAX_SWEEP_LAYOUTS} chosen are drawn.`);
      return { document, layouts: picked.slice(0, MAX_SWEEP_LAYOUTS).map((p) => p.label), replace, goal };
    }
    layout = underCursor ?? (names.length === 1 ? names[0] : await vscode.window.showQuickPick(names, { placeHolder }));
    if (!layout) return undefined;
  }
  return { document, layouts: [layout], replace, goal };
}

/** A goal given in a command argument (`{ objective: 'cost', maxLatency: 0.05 }`), checked. */
function goalOf(arg: object): BestGoal | undefined {
  const o = arg as { objective?: unknown; maxLatency?: unknown; dtypes?: unknown };
  if (o.objective !== 'latency' && o.objective !== 'cost') return undefined;
  const limit = typeof o.maxLatency === 'number' && o.maxLatency > 0 && Number.isFinite(o.maxLatency) ? o.maxLatency : undefined;
  const goal: BestGoal = o.objective === 'cost' && limit !== undefined ? { objective: 'cost', maxLatency: limit } : { objective: o.objective };
  const dtypes = Array.isArray(o.dtypes) ? ALL_DTYPES.filter((d) => (o.dtypes as unknown[]).includes(d)) : [];
  if (dtypes.length) goal.dtypes = dtypes;
  return goal;
}

/**
 * Shows a prepared quick pick and resolves with `accepted()` read when the user presses Enter, or
 * undefined when the pick is dismissed; the pick is disposed either way.
 */
function answerOf<I extends vscode.QuickPickItem, R>(pick: vscode.QuickPick<I>, accepted: () => R): Promise<R | undefined> {
  return new Promise((resolve) => {
    let chosen: R | undefined;
    pick.onDidAccept(() => {
      chosen = accepted();
      pick.hide();
    });
    pick.onDidHide(() => {
      pick.dispose();
      resolve(chosen);
    });
    pick.show();
  });
}

/** Where the last dtypes allowed are remembered (per workspace), to offer them first next time. */
const LAST_DTYPES_KEY = 'shardlens.findBestLayout.lastDtypes';

interface DtypeItem extends vscode.QuickPickItem {
  dtype: Dtype;
}

/**
 * Asks which weight dtypes the search may use, as `best --dtypes` does: none ticked keeps the
 * layout's own (the default, as on the command line); ticking some lets the search choose among
 * them. The last choice comes ticked. Undefined when the user dismisses the question; `[]` keeps
 * the layout's dtype.
 */
async function chooseDtypes(state: vscode.Memento): Promise<Dtype[] | undefined> {
  const last = state.get<Dtype[]>(LAST_DTYPES_KEY) ?? [];
  const items: DtypeItem[] = ALL_DTYPES.map((dtype) => ({ label: dtype, dtype, picked: last.includes(dtype) }));
  const pick = vscode.window.createQuickPick<DtypeItem>();
  pick.title = "Find Best Layout: which weight dtypes may it choose? (none ticked: keep the layout's)";
  pick.placeholder = "Press Enter to keep the layout's weight dtype; a narrower one is faster but changes the model's quality";
  pick.canSelectMany = true;
  pick.items = items;
  pick.selectedItems = items.filter((i) => i.picked);
  const picked = await answerOf(pick, () => [...pick.selectedItems]);
  if (!picked) return undefined;
  const dtypes = picked.map((i) => i.dtype);
  await state.update(LAST_DTYPES_KEY, dtypes);
  return dtypes;
}

/** Where the last goal chosen is remembered (per workspace), to offer it first next time. */
const LAST_GOAL_KEY = 'shardlens.findBestLayout.lastGoal';

interface GoalItem extends vscode.QuickPickItem {
  choice: 'latency' | 'cost' | 'cost-within';
}

/**
 * Asks what to optimise: the lowest latency, the lowest cost per token, or the lowest cost within
 * a latency limit (then asks for the limit, written as on the command line: `50ms`, `2s`). The
 * last choice comes selected. Undefined when the user dismisses either question.
 */
async function chooseGoal(state: vscode.Memento): Promise<BestGoal | undefined> {
  const last = state.get<BestGoal>(LAST_GOAL_KEY);
  const items: GoalItem[] = [
    { label: '$(dashboard) Lowest latency', detail: 'The fastest configuration per request: prefill plus generation', choice: 'latency' },
    { label: '$(credit-card) Lowest cost per token', detail: 'The fewest chip-seconds per generated token', choice: 'cost' },
    {
      label: '$(watch) Lowest cost within a latency limit…',
      detail: last?.maxLatency ? `The cheapest configuration that answers within a limit (last: ${formatSeconds(last.maxLatency)})` : 'The cheapest configuration that answers within a limit you give, e.g. 50ms or 2s',
      choice: 'cost-within',
    },
  ];
  const lastChoice = !last ? 'latency' : last.objective === 'latency' ? 'latency' : last.maxLatency ? 'cost-within' : 'cost';
  const pick = vscode.window.createQuickPick<GoalItem>();
  pick.title = 'Find Best Layout: what should the best layout minimise?';
  pick.items = items;
  pick.activeItems = items.filter((i) => i.choice === lastChoice);
  const picked = await answerOf(pick, () => pick.selectedItems[0] ?? pick.activeItems[0]);
  if (!picked) return undefined;
  let goal: BestGoal;
  if (picked.choice !== 'cost-within') goal = { objective: picked.choice };
  else {
    const text = await vscode.window.showInputBox({
      title: 'Find Best Layout: latency limit',
      prompt: 'The most one request may take, prefill plus generation (a bare number is seconds)',
      placeHolder: 'e.g. 50ms, 2s, 800us',
      value: last?.maxLatency ? formatSeconds(last.maxLatency).replace(/\s+/g, '') : undefined,
      validateInput: (value) => {
        const read = readDuration(value);
        if ('seconds' in read) return undefined;
        return read.problem === 'not-a-duration' ? `'${value}' is not a duration: write e.g. 50ms, 2s or 800us` : 'the limit must be more than zero';
      },
    });
    if (text === undefined) return undefined;
    const read = readDuration(text);
    if (!('seconds' in read)) return undefined;
    goal = { objective: 'cost', maxLatency: read.seconds };
  }
  await state.update(LAST_GOAL_KEY, goal);
  return goal;
}

/** How a goal reads in titles: `latency`, `cost per token`, `cost per token within 50 ms`. */
function goalText(goal: BestGoal): string {
  const among = goal.dtypes ? `, weights ${goal.dtypes.join('/')}` : '';
  if (goal.objective === 'latency') return `lowest latency${among}`;
  return `${goal.maxLatency ? `lowest cost per token within ${formatSeconds(goal.maxLatency)}` : 'lowest cost per token'}${among}`;
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** The quick pick line of one `best` candidate (the server words it). */
export function candidateItem(c: BestWireCandidate): vscode.QuickPickItem & { candidate: BestWireCandidate } {
  return { ...c.summary, candidate: c };
}

async function insertCandidate(layouts: LayoutLocator, document: vscode.TextDocument, layout: string, c: BestWireCandidate): Promise<void> {
  // Located in the text as it is now (the user may have typed while the search ran).
  const decl = await layouts.named(document, layout);
  const at = decl ? decl.range.end : document.positionAt(document.getText().length);
  const edit = new vscode.WorkspaceEdit();
  edit.insert(document.uri, at, `\n\n${c.text.trimEnd()}`);
  if (!(await vscode.workspace.applyEdit(edit))) throw new Error('the edit was not applied');
  const name = c.text.match(/^layout ([a-z_][a-z0-9_]*)/m)?.[1];
  await revealLayout(layouts, document, name);
  // Says what the new layout changes, so the user need not diff it against the old one.
  const what = c.changes.length ? `it changes ${c.changes.join('; ')}` : `it is ${layout} as declared`;
  void vscode.window.showInformationMessage(`Inserted ${name ?? 'the layout'} after ${layout}: ${what}.`);
}

async function replaceDeclaration(layouts: LayoutLocator, document: vscode.TextDocument, result: BestWireResult, c: BestWireCandidate): Promise<void> {
  const decl = result.declaration;
  // The range is the searched version's: replacing in a changed text could cut the wrong lines.
  if (!decl || decl.version !== document.version) {
    void vscode.window.showWarningMessage(`${path.posix.basename(document.uri.path)} changed during the search; run it again to replace ${result.layout}.`);
    return;
  }
  const r = decl.range;
  const edit = new vscode.WorkspaceEdit();
  edit.replace(document.uri, new vscode.Range(r.start.line, r.start.character, r.end.line, r.end.character), c.replacement.trimEnd());
  if (!(await vscode.workspace.applyEdit(edit))) throw new Error('the edit was not applied');
  await revealLayout(layouts, document, result.layout);
}

async function revealLayout(layouts: LayoutLocator, document: vscode.TextDocument, name: string | undefined): Promise<void> {
  const editor = vscode.window.visibleTextEditors.find((e) => e.document === document);
  const place = editor && name ? await layouts.named(document, name) : undefined;
  if (!editor || !place) return;
  const selection = new vscode.Selection(place.nameRange.start, place.nameRange.end);
  editor.selection = selection;
  editor.revealRange(selection, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
}

export interface SearchCommandServices extends Omit<ChartPanelServices, 'search'> {
  getClient(): LanguageClient;
  /** Workspace state: remembers the last goal chosen for Find Best Layout. */
  state: vscode.Memento;
}

/** The searches the chart panel runs (again, on Run again or after a reload). */
function chartSearch(runner: SearchRunner): ChartPanelServices['search'] {
  function search(kind: 'sweep', document: vscode.TextDocument, layouts: string[]): Promise<SearchOutcome<(SweepResult | null)[]>>;
  function search(kind: 'crossover', document: vscode.TextDocument, layouts: string[]): Promise<SearchOutcome<CrossoverResult | null>>;
  function search(kind: ChartKind, document: vscode.TextDocument, layouts: string[]): Promise<SearchOutcome<(SweepResult | null)[] | CrossoverResult | null>> {
    const uri = document.uri.toString();
    if (kind === 'sweep') return runner.runAll(SweepRequest, layouts.map((layout) => ({ uri, layout, chipsAround: SWEEP_CHIPS_AROUND })), `shardlens: sweeping ${layouts.join(', ')}`);
    return runner.run(CrossoverRequest, { uri, layout: layouts[0] }, `shardlens: FFN crossover for ${layouts[0]}`);
  }
  return search;
}

export function registerSearchCommands(services: SearchCommandServices): vscode.Disposable[] {
  const runner = new SearchRunner(services.getClient);
  const panelServices: ChartPanelServices = { ...services, search: chartSearch(runner) };

  const showChart = (kind: ChartKind, verb: string) => async (...args: unknown[]) => {
    const target = await resolveTarget(services.layouts, args, verb, kind === 'sweep');
    if (target) await ChartPanel.createOrShow(panelServices, kind, target.document, target.layouts);
  };

  const findBest = async (...args: unknown[]) => {
    const target = await resolveTarget(services.layouts, args, 'find the best layout');
    if (!target) return;
    const { document, replace } = target;
    const layout = target.layouts[0];
    // The code action replaces by latency, as its hint compares; otherwise the user says.
    const goal: BestGoal | undefined = target.goal ?? (replace ? { objective: 'latency' as const } : await chooseGoal(services.state));
    if (!goal) return;
    // Asked after the goal, unless the caller said (arguments) or the code action replaces the
    // layout in place (which keeps its dtype, as the hint it answers does).
    if (!target.goal && !replace) {
      const dtypes = await chooseDtypes(services.state);
      if (!dtypes) return;
      if (dtypes.length) goal.dtypes = dtypes;
    }
    let outcome: SearchOutcome<BestWireResult | null>;
    try {
      outcome = await runner.run(
        BestRequest,
        { uri: document.uri.toString(), layout, top: replace ? 1 : BEST_TOP, objective: goal.objective, maxLatency: goal.maxLatency, dtypes: goal.dtypes },
        `shardlens: finding the best layout for ${layout} (${goalText(goal)})`,
      );
    } catch (e) {
      services.output.appendLine(`[best] ${layout}: ${errorText(e)}`);
      void vscode.window.showErrorMessage(`Find Best Layout: ${errorText(e)}`);
      return;
    }
    if (outcome === 'cancelled') return;
    const result = outcome.result;
    if (!result) {
      void vscode.window.showErrorMessage('Find Best Layout: the language server does not have this file open.');
      return;
    }
    if (result.candidates.length === 0) {
      void vscode.window.showInformationMessage(`No better configuration for ${layout}: ${result.message ?? 'nothing was found'}.`);
      return;
    }
    try {
      if (replace) {
        await replaceDeclaration(services.layouts, document, result, result.candidates[0]);
        return;
      }
      const picked = await vscode.window.showQuickPick(result.candidates.map(candidateItem), {
        title: `Best layouts for ${layout}: ${goalText(goal)} (${result.stats.space.toLocaleString('en-US')} configurations searched)`,
        placeHolder: 'Choose one to insert after the layout',
        matchOnDescription: true,
        matchOnDetail: true,
      });
      if (picked) await insertCandidate(services.layouts, document, layout, picked.candidate);
    } catch (e) {
      void vscode.window.showErrorMessage(`Find Best Layout: ${errorText(e)}`);
    }
  };

  return [
    vscode.commands.registerCommand(SHOW_SWEEP, showChart('sweep', 'show a sweep')),
    vscode.commands.registerCommand(SHOW_CROSSOVER, showChart('crossover', 'show the FFN crossover')),
    vscode.commands.registerCommand(FIND_BEST, findBest),
    ...ChartPanel.serializers(panelServices),
  ];
}
