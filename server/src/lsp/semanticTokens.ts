import type { SemanticTokens, SemanticTokensLegend, SemanticTokensParams } from 'vscode-languageserver/node';
import { TOKEN_MODIFIERS, TOKEN_TYPES } from '../engine/index';
import { answer, type ServerContext } from './context';

export const SEMANTIC_TOKENS_LEGEND: SemanticTokensLegend = { tokenTypes: [...TOKEN_TYPES], tokenModifiers: [...TOKEN_MODIFIERS] };

export function registerSemanticTokens(ctx: ServerContext): void {
  const tokensOf = answer(ctx, 'semanticTokens', (analysis, _params: SemanticTokensParams): SemanticTokens => ({ data: ctx.service.semanticTokens(analysis) }));
  // The protocol has no null answer here: an unknown document has no tokens.
  ctx.connection.languages.semanticTokens.on(async (params, token) => (await tokensOf(params, token)) ?? { data: [] });
}
