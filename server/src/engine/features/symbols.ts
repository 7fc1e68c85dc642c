// Document symbols (the outline: declarations with their fields and block statements) and
// workspace symbols (declarations of every open file and of the prelude, by name).

import { SymbolKind } from 'vscode-languageserver-types';
import type { Decl, File, Span } from '../syntax/ast';
import { isBlockDecl } from '../syntax/ast';
import { formatType } from '../check/shardType';
import type { Analysis } from '../analysis';

export interface OutlineSymbol {
  name: string;
  detail: string;
  kind: SymbolKind;
  span: Span;
  selection: Span;
  children: OutlineSymbol[];
}

const DECL_SYMBOL: Record<Decl['kind'], SymbolKind> = {
  hardware: SymbolKind.Constant,
  mesh: SymbolKind.Struct,
  model: SymbolKind.Class,
  workload: SymbolKind.Event,
  layout: SymbolKind.Module,
  ffn: SymbolKind.Function,
  attention: SymbolKind.Function,
  unembed: SymbolKind.Function,
};

export function documentSymbols(analysis: Analysis): OutlineSymbol[] {
  return analysis.file.decls.map((decl) => {
    const children: OutlineSymbol[] = [];
    if (isBlockDecl(decl)) {
      const checked = analysis.blocks.get(decl);
      for (const stmt of decl.stmts) {
        const names = stmt.kind === 'let' ? [stmt.name] : stmt.kind === 'out' ? [] : stmt.names;
        for (const n of names) {
          const type = checked?.byName.get(n.text)?.type;
          const what = stmt.kind === 'let' ? stmt.op.text : stmt.kind;
          children.push({ name: n.text, detail: type ? `${what} : ${formatType(type)}` : what, kind: stmt.kind === 'weight' || stmt.kind === 'cache' ? SymbolKind.Field : SymbolKind.Variable, span: stmt, selection: n, children: [] });
        }
      }
    } else {
      for (const f of decl.fields) children.push({ name: f.name.text, detail: decl.source.text.slice(f.value.start, f.value.end).replace(/\s+/g, ' '), kind: SymbolKind.Property, span: f, selection: f.name, children: [] });
    }
    const detail = isBlockDecl(decl) ? `${decl.kind} block` : decl.base ? `${decl.kind} = ${decl.base.text}` : decl.kind;
    return { name: decl.name.text, detail, kind: DECL_SYMBOL[decl.kind], span: decl, selection: decl.name, children };
  });
}

export interface WorkspaceSymbolEntry {
  name: string;
  kind: SymbolKind;
  container: string;
  uri: string;
  file: File;
  span: Span;
}

/** Declarations whose name contains the query's letters in order (the usual fuzzy match). */
export function workspaceSymbols(files: readonly File[], query: string): WorkspaceSymbolEntry[] {
  const q = query.toLowerCase();
  const matches = (name: string) => {
    let i = 0;
    for (const c of name.toLowerCase()) if (c === q[i]) i++;
    return i === q.length;
  };
  const out: WorkspaceSymbolEntry[] = [];
  for (const file of files) {
    for (const d of file.decls) {
      if (!matches(d.name.text)) continue;
      out.push({ name: d.name.text, kind: DECL_SYMBOL[d.kind], container: file.source.isPrelude ? `built-in ${d.kind}` : d.kind, uri: file.source.uri, file, span: d.name });
    }
  }
  return out;
}
