// Which layouts an open Compare Layouts view shows after the file changed. A pure function (no
// `vscode`), so that it is tested without an editor.

/**
 * The chosen layouts after a report with `names`: a layout the file gained since the last report
 * (`known`) joins a chosen set, since the view shows what the user is writing, not only what was
 * there when they chose; names since renamed or deleted drop out. `null` (no choice: every
 * layout) stays `null`.
 */
export function selectionAfterEdit(selected: readonly string[] | null, known: ReadonlySet<string> | undefined, names: readonly string[]): string[] | null {
  if (!selected) return null;
  const gained = known ? names.filter((n) => !known.has(n) && !selected.includes(n)) : [];
  return [...selected, ...gained];
}
