// "Replace with the best layout for this workload": offered on a layout that resolves, wherever
// the cursor is inside its declaration.
//
// The search behind it is `best` over every built-in block pair, mesh factorization and weight
// dtype, which takes from a fraction of a second to many seconds; a code-action request is
// answered on every cursor move and must stay instant. So the action carries no edit: it runs
// the client's Find Best Layout command with `replace`, which asks the server's search thread
// (with progress and cancel) and then replaces the declaration with the best candidate, keeping
// the layout's name so references to it stay valid.

import type { Analysis } from '../analysis';
import { contains } from './locate';
import { BEST_COMMAND } from './costHints';

export const REPLACE_WITH_BEST_TITLE = 'Replace with the best layout for this workload';

export interface BestActionPlan {
  title: string;
  kind: 'refactor.rewrite';
  command: string;
  /** The layout's name; the LSP layer adds the document's URI. */
  layout: string;
}

export function replaceWithBestAction(analysis: Analysis, offset: number): BestActionPlan | undefined {
  const decl = analysis.file.decls.find((d) => d.kind === 'layout' && contains(d, offset));
  if (!decl || decl.kind !== 'layout') return undefined;
  // Only a layout the checker resolved has the model, mesh and workload a search starts from.
  if (!analysis.layouts.some((l) => l.decl === decl)) return undefined;
  return { title: REPLACE_WITH_BEST_TITLE, kind: 'refactor.rewrite', command: BEST_COMMAND, layout: decl.name.text };
}
