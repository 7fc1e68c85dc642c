import type { SignatureHelp, SignatureHelpParams } from 'vscode-languageserver/node';
import { answer, type ServerContext } from './context';
import { offsetOf } from './convert';

export const SIGNATURE_TRIGGERS = ['(', ','];

export function registerSignatureHelp(ctx: ServerContext): void {
  ctx.connection.onSignatureHelp(
    answer(ctx, 'signatureHelp', (analysis, params: SignatureHelpParams): SignatureHelp | null => {
      const offset = offsetOf(analysis, params.position);
      const sig = offset === undefined ? undefined : ctx.service.signatureHelp(analysis, offset);
      if (!sig) return null;
      return {
        signatures: [{ label: sig.label, documentation: sig.documentation, parameters: sig.parameters.map((label) => ({ label })) }],
        activeSignature: 0,
        activeParameter: sig.activeParameter,
      };
    }),
  );
}
