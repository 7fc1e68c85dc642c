// How open documents take incremental changes (textDocument/didChange).
//
// vscode-languageserver-textdocument's own incremental update (1.0.12) works out the line starts
// of the inserted text on their own and splices them into the old line table. LSP counts \n, \r\n
// and \r as line breaks, so an edit that makes one \r\n out of a lone \r and a lone \n goes wrong.
// It can insert the \r before an \n, insert the \n after an \r, or delete what was between them.
// The table then counts one line too many, so the client's next edits land in the wrong place,
// between the \r and the \n. The server's text then no longer matches the editor's, and its
// answers carry lines the editor does not have. The LSP fuzz run found this (seed 1638605484;
// test/lsp/lineBreakSync.test.ts).
//
// So each change is applied at the offsets the library's offsetAt gives. It clamps
// out-of-range positions exactly as before. Then the line table is built again from the new
// text. That costs one pass over the text per change, which is small next to the analysis
// that every new version gets anyway.

import type { TextDocumentsConfiguration } from 'vscode-languageserver/node';
import { TextDocument, type TextDocumentContentChangeEvent } from 'vscode-languageserver-textdocument';

export const SYNCED_TEXT_DOCUMENT: TextDocumentsConfiguration<TextDocument> = {
  create: (uri, languageId, version, text) => TextDocument.create(uri, languageId, version, text),
  update(document, changes, version) {
    let doc = document;
    for (const change of changes) doc = TextDocument.create(doc.uri, doc.languageId, version, applyChange(doc, change));
    return doc;
  },
};

/** The text after one change. Its range is read against `doc`, which the previous change left. */
function applyChange(doc: TextDocument, change: TextDocumentContentChangeEvent): string {
  if (!('range' in change) || !change.range) return change.text;
  const text = doc.getText();
  // offsetAt is monotonic in the position, so a reversed range only needs its offsets swapped.
  const a = doc.offsetAt(change.range.start);
  const b = doc.offsetAt(change.range.end);
  return text.slice(0, Math.min(a, b)) + change.text + text.slice(Math.max(a, b));
}
