// Mixture of experts in the cost model (cost-model.md "Mixture of experts"): how many token slots
// each routed expert gets, and how many distinct experts a step's tokens touch, which is what
// the expert weights' HBM reads scale with. Everything here is a pure formula; numeric.ts and
// the explanations call it, so the arithmetic lives once.

/**
 * The expected token slots per routed expert, N = B·L·top_k·capacity_factor / X: the B·L tokens
 * of a pass each pick top_k experts, so B·L·top_k (token, expert) pairs spread over X experts;
 * `capacity_factor` (≥ 1) is how much more the busiest expert gets than the mean, and every
 * expert's work is costed at that load (the slowest expert sets the step). Real-valued: with one
 * token over eight experts N is 0.25, and X·N·E·G FLOPs are then exactly the active experts'.
 * On a dense model (X = 1, top_k = 1) N = B·L.
 */
export function expertSlots(B: number, L: number, topK: number, capacityFactor: number, X: number): number {
  return (B * L * topK * capacityFactor) / X;
}

/**
 * The expected number of distinct experts that `tokens` tokens touch when each picks `topK` of
 * `X` experts uniformly at random (a k-subset, no expert twice): an expert is missed by one
 * token with probability 1 − k/X, by all of them with (1 − k/X)^tokens, so the expected number
 * hit is X·(1 − (1 − k/X)^tokens). With k = 1 this is the familiar X·(1 − (1 − 1/X)^(B·k)) of
 * B·k independent draws, which for k > 1 slightly undercounts (it lets one token pick an expert
 * twice: one token with top-2 of 8 touches exactly 2 experts, not 8·(1 − (7/8)²) = 1.875).
 */
export function expertsHit(X: number, topK: number, tokens: number): number {
  if (X <= 1 || topK >= X) return X;
  return X * (1 - Math.pow(1 - topK / X, tokens));
}

/** The share of a chip's experts a step touches (expertsHit / X): what their HBM reads scale by. */
export function expertsHitFraction(X: number, topK: number, tokens: number): number {
  if (X <= 1 || topK >= X) return 1;
  return 1 - Math.pow(1 - topK / X, tokens);
}
