// Every diagnostic code, said once. The `DiagnosticCode` type, the default severity of a report,
// the CLI's SARIF rules, the generated docs page (docs/diagnostics.md) and the one-fixture-per-code
// test (test/unit/check/diagnosticFixtures.test.ts) all read this table, so adding a code is one
// entry here plus its fixture pair.

import type { Severity } from './diagnostics';

export interface DiagnosticCodeInfo {
  /** `spec`: a code of spec/language.md §3, which may never be renamed; `extra`: added by this project. */
  origin: 'spec' | 'extra';
  /**
   * Who reports it: the checker (its fixtures are analysed without costing) or the cost model
   * (its fixtures are costed).
   */
  reportedBy: 'checker' | 'cost model';
  /** The severity it is reported with unless the reporter says otherwise. */
  severity: Severity;
  /** For the docs: when it is also reported with another severity. */
  otherSeverity?: string;
  /** One sentence: the SARIF rule's short description. */
  summary: string;
  /** For the docs: when it is reported. */
  when: string;
  /** For the docs: the range it lands on. */
  range: string;
}

/** In the order SARIF lists its rules and the docs list the codes: spec §3's, then the extras. */
export const DIAGNOSTIC_CODES = {
  syntax: {
    origin: 'spec',
    reportedBy: 'checker',
    severity: 'error',
    summary: 'The text cannot be parsed.',
    when: 'unparseable text (the parser recovers and keeps checking the rest)',
    range: 'the first unexpected token',
  },
  'unknown-name': {
    origin: 'spec',
    reportedBy: 'checker',
    severity: 'error',
    summary: 'A model, mesh, hardware, workload, block or value that does not exist.',
    when: 'a model, mesh, hardware, workload, block or value that does not exist',
    range: 'the name',
  },
  'duplicate-name': {
    origin: 'spec',
    reportedBy: 'checker',
    severity: 'error',
    summary: 'The same name is declared twice in one namespace.',
    when: 'the same name declared twice in one namespace',
    range: "the later declaration's name",
  },
  'unknown-field': {
    origin: 'spec',
    reportedBy: 'checker',
    severity: 'error',
    summary: 'A field that the declaration kind does not have.',
    when: 'a field the declaration kind does not have',
    range: 'the field name',
  },
  'missing-field': {
    origin: 'spec',
    reportedBy: 'checker',
    severity: 'error',
    summary: 'A required field is absent.',
    when: 'a required field is absent',
    range: "the declaration's name",
  },
  'unknown-dim': {
    origin: 'spec',
    reportedBy: 'checker',
    severity: 'error',
    summary: 'A dimension letter outside the standard set.',
    when: 'a dimension letter outside the standard set',
    range: 'the letter',
  },
  'duplicate-dim': {
    origin: 'spec',
    reportedBy: 'checker',
    severity: 'error',
    summary: 'A dimension letter appears twice in one type.',
    when: 'a letter twice in one type',
    range: 'the second letter',
  },
  'unknown-axis': {
    origin: 'spec',
    reportedBy: 'checker',
    severity: 'error',
    summary: "An axis that the layout's mesh does not have.",
    when: "an axis the layout's mesh does not have",
    range: 'the axis letter',
  },
  'axis-reused': {
    origin: 'spec',
    reportedBy: 'checker',
    severity: 'error',
    summary: 'One mesh axis shards two dimensions of a tensor, or appears twice.',
    when: 'one axis shards two dims of one tensor, or appears twice',
    range: 'the repeated axis letter',
  },
  'sharding-mismatch': {
    origin: 'spec',
    reportedBy: 'checker',
    severity: 'error',
    summary: 'Einsum operands shard a shared dimension differently.',
    when: 'einsum operands shard a shared dim differently',
    range: 'the second operand',
  },
  'type-mismatch': {
    origin: 'spec',
    reportedBy: 'checker',
    severity: 'error',
    summary: 'An annotation differs from the inferred type, or combined values disagree.',
    when: 'annotation ≠ inferred type; `add` of different types; attention and ffn disagree on the residual type',
    range: "the annotation; or the layout's `attention` value",
  },
  partialsum: {
    origin: 'spec',
    reportedBy: 'checker',
    severity: 'error',
    summary: 'A partial sum is used where a complete value is needed, or reduced over the wrong axes.',
    when: 'a non-linearity, `in`, `weight` or `out` that is a partial sum; a reduce_scatter/all_reduce over axes that are not partial',
    range: 'the partial argument, name, or AXES',
  },
  'bad-collective': {
    origin: 'spec',
    reportedBy: 'checker',
    severity: 'error',
    summary: 'A collective over axes the tensor does not (or already does) carry.',
    when: 'all_gather/all_to_all/slice over axes the tensor does not (or already does) carry',
    range: 'the AXES',
  },
  'missing-annotation': {
    origin: 'spec',
    reportedBy: 'checker',
    severity: 'error',
    summary: 'An einsum, reduce_scatter, all_to_all or slice without a type.',
    when: 'einsum, reduce_scatter, all_to_all or slice without a type',
    range: 'the `=`',
  },
  'bad-reduction': {
    origin: 'spec',
    reportedBy: 'checker',
    severity: 'error',
    summary: 'A softmax without T or a layernorm without E.',
    when: 'softmax without `T`, layernorm without `E`',
    range: 'the operand',
  },
  'not-divisible': {
    origin: 'spec',
    reportedBy: 'checker',
    severity: 'warning',
    otherSeverity: 'error for `B L T E F Q V` smaller than their shard count',
    summary: 'A dimension size is not divisible by the number of shards over it.',
    when: "a dim size not divisible by the product of its axes' sizes (message gives the padding waste); `H` or `K` smaller than their shard count are replicated (warning, the message gives the factor). Each dim size over each shard count is reported once per layout, however many types split it that way",
    range: "the dim's letter where the layout's blocks first split it that way (the block's other places are related information)",
  },
  unit: {
    origin: 'spec',
    reportedBy: 'checker',
    severity: 'error',
    summary: 'A quantity of the wrong kind, an unknown unit, or a count that is not a positive integer.',
    when: 'a quantity of the wrong kind, an unknown unit, a count that is not a positive integer',
    range: 'the quantity',
  },
  'out-of-memory': {
    origin: 'spec',
    reportedBy: 'cost model',
    severity: 'error',
    summary: "Weights, KV cache and activations per chip exceed the hardware's memory.",
    when: "weights + KV cache + activations per chip exceed `hbm` for the layout's workload",
    range: "the layout's name",
  },
  'comm-bound': {
    origin: 'spec',
    reportedBy: 'cost model',
    severity: 'information',
    summary: "Collectives take more than half of a phase's latency.",
    when: "collectives are more than 50% of a phase's latency",
    range: "the layout's name",
  },
  'memory-bound': {
    origin: 'spec',
    reportedBy: 'cost model',
    severity: 'information',
    summary: 'A phase is bound by memory bandwidth.',
    when: "a phase's bound is `memory`",
    range: "the layout's name",
  },
  'better-layout': {
    origin: 'spec',
    reportedBy: 'cost model',
    severity: 'hint',
    summary: 'A built-in block pair on the same mesh is at least 1.2x faster for a phase.',
    when: 'a built-in ffn/attention pair on the same mesh is at least 1.2× faster for a phase',
    range: "the layout's name",
  },
  'bad-value': {
    origin: 'extra',
    reportedBy: 'checker',
    severity: 'error',
    summary: 'A field value of the wrong shape.',
    when: 'an enum field outside its set (`topology = ring`), a name where a block of overrides goes, a base cycle, a model count above what it counts (`dense_layers` or `local_layers` above `layers`, `top_k` above `X`)',
    range: 'the value',
  },
  'bad-call': {
    origin: 'extra',
    reportedBy: 'checker',
    severity: 'error',
    summary: 'An operation called with the wrong number or kind of arguments.',
    when: 'an operation with the wrong number of arguments',
    range: 'the extra argument, or the argument list',
  },
  'bad-block': {
    origin: 'extra',
    reportedBy: 'checker',
    severity: 'error',
    summary: "A block's structure is wrong (missing or repeated in/out).",
    when: 'a block with no `in`/`out` or two of them, or one that starts from another',
    range: 'the block name or the second keyword',
  },
  'no-unembed': {
    origin: 'extra',
    reportedBy: 'checker',
    severity: 'information',
    summary: "The layout's unembedding is not costed.",
    when: 'no unembedding matches the layout\'s residual type (the contract\'s "information diagnostic on the layout\'s `ffn` value")',
    range: "the layout's ffn value",
  },
  'model-mismatch': {
    origin: 'extra',
    reportedBy: 'checker',
    severity: 'error',
    summary: "A layout's ffn or attention block does not have the structure of its model's FFN or attention.",
    when: "an ffn block whose weight matrices or activation differ from the model's `ffn` (gelu: two matrices and gelu; swiglu: three and swiglu), or an attention block whose key/value heads differ from the model's K (a built-in `_mqa`/`_gqa`/`_mha` member of another class, a cache in H when K < H, a cache without K when K > 1). A block without stored weights (a sketch of a communication pattern) is not compared. The layout is not costed, and a quick fix names the matching built-in where there is one",
    range: "the layout's `ffn` or `attention` value",
  },
  limit: {
    origin: 'extra',
    reportedBy: 'checker',
    severity: 'error',
    summary: 'A size limit was reached and some work was skipped.',
    when: 'a size limit was reached (a `= base` chain longer than 64); or, as a warning, only the first 200 layouts of a file are costed while editing',
    range: "the declaration's base, or the first layout not costed",
  },
  'expert-axis-reused': {
    origin: 'extra',
    reportedBy: 'checker',
    severity: 'error',
    summary: 'A dispatch splits the experts over an axis that already splits the tokens (or E), which would drop the tokens routed to other chips.',
    when: "a `dispatch` whose result splits X over an axis that already splits the tokens' B or L (or E): each chip would keep only its own tokens' slots for its experts; dispatch with X unsplit there and exchange the slots with an all-to-all",
    range: 'the annotation of the dispatch',
  },
  'bad-dispatch': {
    origin: 'extra',
    reportedBy: 'checker',
    severity: 'error',
    summary: 'Token routing over the wrong axes: slots not split like their tokens, or an expert all_to_all that moves axes other than between N and X.',
    when: "a `dispatch` whose slots (N) or E are not split like its tokens; routing logits split over X or split unlike the tokens; an all-to-all of expert slots (X and N) that moves an axis anywhere but from N to X or from X to N",
    range: 'the annotation of the dispatch, the routing argument, or the AXES of the all_to_all',
  },
  'experts-not-divisible': {
    origin: 'extra',
    reportedBy: 'checker',
    severity: 'warning',
    summary: 'The routed experts do not divide evenly over the chips that split them.',
    when: 'a layout whose X (routed experts) is not a multiple of the chips that split it: with more chips than experts some hold none (or copies), otherwise some hold one expert more and set the step time',
    range: "the X letter where the layout's blocks first split it that way",
  },
  'no-dense-ffn': {
    origin: 'extra',
    reportedBy: 'checker',
    severity: 'warning',
    summary: "No dense ffn block for a mixture-of-experts model's dense layers: they are costed as MoE layers.",
    when: "a layout of a model with `dense_layers` whose MoE ffn block has no built-in dense ffn reading and writing its residual stream (and no `dense_ffn` is given): the dense layers are then costed with the MoE block; name one with `dense_ffn = …`",
    range: "the layout's ffn value",
  },
  'pipeline-stages': {
    origin: 'extra',
    reportedBy: 'checker',
    severity: 'error',
    summary: 'A pipeline has more stages than the model has layers.',
    when: "a layout's `pipeline = AXIS` whose axis size (the stages) is larger than the model's `layers`: some stage would hold no layer; pipeline over a smaller axis",
    range: 'the pipeline axis letter',
  },
  'pipeline-microbatches': {
    origin: 'extra',
    reportedBy: 'checker',
    severity: 'error',
    summary: "A pipeline's microbatches do not divide the phase's batch.",
    when: "a pipelined phase whose batch is not a multiple of `microbatches` (each microbatch is B / microbatches whole sequences); `microbatches` below 1 is a `unit` error",
    range: 'the `microbatches` value (the layout\'s own when a phase with another batch inherits it)',
  },
  'pipeline-axis-used': {
    origin: 'extra',
    reportedBy: 'checker',
    severity: 'warning',
    summary: "A block of the file splits a dim over the layout's pipeline axis, which has size 1 inside a stage.",
    when: "a block written in the file (not a built-in) that names the layout's pipeline axis: within a stage that axis has size 1, so its splits over it do nothing (built-in blocks, written over x, y and z, are meant to run so)",
    range: 'the layout field that names the block',
  },
} as const satisfies Record<string, DiagnosticCodeInfo>;

/** A stable code: the spec's, or one this project adds (see DIAGNOSTIC_CODES). */
export type DiagnosticCode = keyof typeof DIAGNOSTIC_CODES;

/** Every code, in the table's order. */
export const ALL_DIAGNOSTIC_CODES = Object.keys(DIAGNOSTIC_CODES) as readonly DiagnosticCode[];

/** True for a string that is one of the codes (for readers of fixtures and of other tools' output). */
export function isDiagnosticCode(text: string): text is DiagnosticCode {
  return Object.prototype.hasOwnProperty.call(DIAGNOSTIC_CODES, text);
}
