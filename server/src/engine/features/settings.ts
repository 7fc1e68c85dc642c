// Editor settings that change what the features compute. The language server reads them per
// resource (`shardlens.*`, docs/editors.md); the pure features only see this plain object.

/** What an inlay hint shows at the end of each operation line. */
export type InlayDetail = 'off' | 'type' | 'time' | 'volume';
/** `shardlens.hints.severity`: how `better-layout` hints are shown; users may promote or mute them. */
export type HintSeverity = 'off' | 'hint' | 'information' | 'warning';
/** Which decode step editor figures describe (cost-model.md §1): the mean step or the last one. */
export type DecodeContext = 'mean' | 'last';

export interface FeatureSettings {
  inlayHints: { detail: InlayDetail };
  hintSeverity: HintSeverity;
  decodeContext: DecodeContext;
  /**
   * `shardlens.diagnostics.boundNotes`: whether the `memory-bound` and `comm-bound` notes are
   * published as diagnostics. Off by default: nearly every decode step is memory-bound, so they
   * filled Problems with one note per layout around the one finding a user can act on
   * (`better-layout`); the layout's hover and lens say the same (issue 17).
   */
  boundNotes: boolean;
}

export const DEFAULT_SETTINGS: FeatureSettings = {
  inlayHints: { detail: 'type' },
  // Information, not hint: a hint shows in no Problems list, and a layout 2× faster with a quick
  // fix is the most actionable finding a file has (issue 17).
  hintSeverity: 'information',
  decodeContext: 'mean',
  boundNotes: false,
};

function pick<T extends string>(value: unknown, allowed: readonly T[], fallback: T): T {
  return typeof value === 'string' && (allowed as readonly string[]).includes(value) ? (value as T) : fallback;
}

/**
 * Reads the `shardlens` configuration section as a client returns it (any shape, possibly null):
 * unknown or ill-typed values fall back to the defaults instead of failing a request.
 */
export function settingsFromConfiguration(section: unknown): FeatureSettings {
  const s = (section && typeof section === 'object' ? section : {}) as Record<string, unknown>;
  const inlay = (s.inlayHints && typeof s.inlayHints === 'object' ? s.inlayHints : {}) as Record<string, unknown>;
  const decode = (s.decode && typeof s.decode === 'object' ? s.decode : {}) as Record<string, unknown>;
  const hints = (s.hints && typeof s.hints === 'object' ? s.hints : {}) as Record<string, unknown>;
  const diagnostics = (s.diagnostics && typeof s.diagnostics === 'object' ? s.diagnostics : {}) as Record<string, unknown>;
  return {
    inlayHints: { detail: pick(inlay.detail, ['off', 'type', 'time', 'volume'], DEFAULT_SETTINGS.inlayHints.detail) },
    hintSeverity: pick(hints.severity, ['off', 'hint', 'information', 'warning'], DEFAULT_SETTINGS.hintSeverity),
    decodeContext: pick(decode.context, ['mean', 'last'], DEFAULT_SETTINGS.decodeContext),
    boundNotes: typeof diagnostics.boundNotes === 'boolean' ? diagnostics.boundNotes : DEFAULT_SETTINGS.boundNotes,
  };
}
