// The blocks a layout's `ffn`, `attention` and (default) unembedding names resolve to, with the
// built-in name conventions of spec §5 (prelude/names.ts): a built-in ffn name stands for its
// swiglu variant on a swiglu model, `heads`/`batch` and family names pick the member for the
// model's K, and a layout without `unembed` gets the first matching one of its ffn's and the
// built-ins'. The layout resolver and the variant builder both look blocks up here.

import type { BlockDecl } from '../syntax/ast';
import { preludeBuiltins } from '../prelude/builtins';
import { ATTENTION_SHARDINGS, attentionFamilyName, familyMemberName, familyOfMember, isMlaModel, K_CLASS_NAMES, K_CLASSES, kClassOf, mlaMemberName, NO_ATTENTION, swigluVariantName, unembedName, type AttentionSharding, type KClass } from '../prelude/names';
import { formatType, typesEqual } from './shardType';
import type { CheckedBlock, ModelSpec, Phase } from './resolved';

/** What a phase's block names resolve to; an error says why one did not. */
export interface FoundBlocks {
  ffn?: BlockDecl;
  /** null for `attention = none`. */
  attention?: BlockDecl | null;
  ffnError?: string;
  attentionError?: string;
  /** With `attentionError`: the attention names the message suggests, best first (each a quick fix). */
  attentionSuggestions?: string[];
}

/** How many attention blocks an `unknown-name` for a missing family suggests. */
const MAX_ATTENTION_ADVICE = 4;

const isSharding = (name: string): name is AttentionSharding => (ATTENTION_SHARDINGS as readonly string[]).includes(name);

/**
 * The block names one piece of work looked up and what each named then, so that the next version
 * of the file may reuse the work when every one of them still names the same declaration
 * (checker.ts `LayoutReuse`). `all` is set when the work read the whole namespace.
 */
export interface BlockNamesUsed {
  /** A built-in block by itself, a block of the file by its offset (an earlier version's text is not kept alive). */
  names: Map<string, BlockDecl | number | undefined>;
  all: boolean;
}

export class BlockLookup {
  private readonly unembedLists = new Map<string, CheckedBlock[]>();
  /** While set, every name looked up is written down here. */
  tracking: BlockNamesUsed | undefined;

  constructor(
    /** ffn, attention and unembed blocks share one namespace. */
    private readonly scopeMap: ReadonlyMap<string, BlockDecl>,
    private readonly blocks: ReadonlyMap<BlockDecl, CheckedBlock>,
  ) {}

  /** The namespace, read through `get` (tracked) or whole (marks the tracked work as reading everything). */
  private get scope(): Pick<ReadonlyMap<string, BlockDecl>, 'get' | 'has' | 'keys' | typeof Symbol.iterator> {
    return this.tracking ? this.tracked : this.scopeMap;
  }

  private readonly tracked: Pick<ReadonlyMap<string, BlockDecl>, 'get' | 'has' | 'keys' | typeof Symbol.iterator> = {
    get: (name) => {
      const d = this.scopeMap.get(name);
      this.tracking?.names.set(name, d && !d.source.isPrelude ? d.start : d);
      return d;
    },
    has: (name) => this.tracked.get(name) !== undefined,
    keys: () => {
      if (this.tracking) this.tracking.all = true;
      return this.scopeMap.keys();
    },
    [Symbol.iterator]: () => {
      if (this.tracking) this.tracking.all = true;
      return this.scopeMap[Symbol.iterator]();
    },
  };

  /** The block declared under this name, of any kind. */
  named(name: string): BlockDecl | undefined {
    return this.scope.get(name);
  }

  /** The blocks a layout names for a phase (decode when not said). */
  find(model: ModelSpec, ffnName: string, attName: string, phase: Phase = 'decode'): FoundBlocks {
    const out: FoundBlocks = {};
    let ffn = this.scope.get(ffnName);
    if (!ffn) out.ffnError = `no ffn block named \`${ffnName}\`; the built-in ones are ${preludeBuiltins().byPreference.join(', ')}`;
    else if (ffn.kind !== 'ffn') out.ffnError = `\`${ffnName}\` is ${ffn.kind === 'attention' ? 'an attention' : 'an unembed'} block, not an ffn block`;
    else {
      // A built-in ffn name stands for its swiglu variant on a swiglu model.
      if (ffn.source.isPrelude && model.ffn === 'swiglu') {
        const sw = this.scope.get(swigluVariantName(ffnName));
        if (sw && sw.kind === 'ffn' && sw.source.isPrelude) ffn = sw;
      }
      out.ffn = ffn;
    }
    if (attName === NO_ATTENTION) {
      out.attention = null;
      return out;
    }
    // On an MLA model, `heads`/`batch` and a family name (`ws1d_heads`) pick the family's MLA member.
    if (isMlaModel(model)) {
      const family = isSharding(attName) ? attentionFamilyName(ffnName, attName) : attName;
      if (isSharding(attName) || this.scope.get(mlaMemberName(family, 'decode'))?.kind === 'attention') return this.findMla(out, model, family, phase);
    }
    const kclass = kClassOf(model.dims);
    const family = isSharding(attName) ? attentionFamilyName(ffnName, attName) : attName;
    const exact = this.scope.get(family);
    const member = this.scope.get(familyMemberName(family, kclass));
    if (attName !== family && !exact && !member) {
      const anyMember = K_CLASS_NAMES.some((k) => this.scope.has(familyMemberName(family, k)));
      if (anyMember) out.attentionError = `no \`${familyMemberName(family, kclass)}\`: the ${attName}-sharded attention for ${ffnName} has no member for ${K_CLASSES[kclass]} models`;
      else {
        const names = this.attentionAdvice(out.ffn, ffnName, attName as AttentionSharding, kclass);
        const advice = names.length && out.ffn ? `; attention blocks that read and write ${ffnName}'s residual stream ${formatType(this.blocks.get(out.ffn)!.input!.type!)}: ${names.map((n) => `\`attention = ${n}\``).join(', ')}` : '';
        out.attentionError = `${ffnName} has no ${attName}-sharded attention (\`${family}\`)${advice}`;
        if (names.length) out.attentionSuggestions = names;
      }
      return out;
    }
    const chosen = member && (!exact || exact.kind !== 'attention') ? member : exact;
    if (!chosen) out.attentionError = `no attention block named \`${attName}\`; use ${[...ATTENTION_SHARDINGS, NO_ATTENTION].map((n) => `\`${n}\``).join(', ')} or the name of an attention block`;
    else if (chosen.kind !== 'attention') out.attentionError = `\`${attName}\` is ${chosen.kind === 'ffn' ? 'an ffn' : 'an unembed'} block, not an attention block`;
    else out.attention = chosen;
    return out;
  }

  /** An attention family on an MLA model: the family's MLA member for the phase. */
  private findMla(out: FoundBlocks, model: ModelSpec, family: string, phase: Phase): FoundBlocks {
    const name = mlaMemberName(family, phase);
    const member = this.scope.get(name);
    if (member && member.kind === 'attention') {
      out.attention = member;
      return out;
    }
    const builtins = [...this.scope.keys()].filter((n) => n.endsWith('_mla') && this.scope.get(n)!.kind === 'attention');
    out.attentionError = `no \`${name}\`: model ${model.name} uses multi-head latent attention (C = ${model.dims.C}) and the attention family ${family} has no MLA member${builtins.length ? `; the MLA blocks are ${builtins.map((n) => `\`${n}\``).join(', ')}` : ''}`;
    return out;
  }

  /**
   * What to write instead of an `attention = heads | batch` the ffn has no family for: the
   * attention blocks that read and write the ffn's residual stream (its input and output types),
   * as the layout would name them, the asked-for sharding first (`ws2d_heads`, …). Empty when
   * none do.
   */
  private attentionAdvice(ffnDecl: BlockDecl | undefined, ffnName: string, asked: AttentionSharding, kclass: KClass): string[] {
    const ffn = ffnDecl && this.blocks.get(ffnDecl);
    const input = ffn?.input?.type;
    const output = ffn?.output?.type;
    if (!input || !output) return [];
    const fits = (decl: BlockDecl | undefined): boolean => {
      const block = decl?.kind === 'attention' ? this.blocks.get(decl) : undefined;
      return !!block?.input?.type && !!block.output?.type && typesEqual(block.input.type, input) && typesEqual(block.output.type, output);
    };
    // The ffn's own family of the other sharding is written `attention = batch`; any other
    // attention by its name, a family (`ws2d_heads`) once, when its member for the model's K fits.
    const own = ATTENTION_SHARDINGS.filter((sharding) => fits(this.scope.get(familyMemberName(attentionFamilyName(ffnName, sharding), kclass))));
    const skip = new Set(ATTENTION_SHARDINGS.map((sharding) => attentionFamilyName(ffnName, sharding)));
    const others: { name: string; rank: number }[] = [];
    for (const [name, decl] of this.scope) {
      const family = familyOfMember(name);
      if (family ? familyMemberName(family, kclass) !== name || skip.has(family) : decl.kind !== 'attention') continue;
      if (!fits(decl)) continue;
      const written = family ?? name;
      // The file's own blocks first, then the asked-for sharding.
      others.push({ name: written, rank: (decl.source.isPrelude ? 2 : 0) + (written.endsWith(`_${asked}`) ? 0 : 1) });
    }
    others.sort((a, b) => a.rank - b.rank);
    return [...own, ...others.map((o) => o.name)].slice(0, MAX_ATTENTION_ADVICE);
  }

  /**
   * The default block of an MoE model's dense layers (`dense_layers`) beside the MoE block `moe`:
   * the first built-in dense ffn (its variant for the model's `ffn`) that reads and writes the MoE
   * block's residual stream, trying first those its `@builtin-moe` mark names, then every built-in
   * (the `default` one first). Undefined when none does.
   */
  defaultDenseFfn(model: ModelSpec, moe: CheckedBlock): CheckedBlock | undefined {
    const input = moe.input?.type, output = moe.output?.type;
    if (!input || !output) return undefined;
    const marked = preludeBuiltins().moeFfns.find((f) => f.name === moe.name)?.dense ?? [];
    for (const name of [...marked, ...preludeBuiltins().byPreference]) {
      const decl = this.find(model, name, NO_ATTENTION).ffn;
      const block = decl && this.blocks.get(decl);
      if (block?.ok && block.input?.type && block.output?.type && typesEqual(block.input.type, input) && typesEqual(block.output.type, output)) return block;
    }
    return undefined;
  }

  /**
   * The unembed blocks a layout with this ffn may use by default, in order of preference: the
   * ffn's own (`NAME_unembed`), then those of the built-in ffns (the `default` one first). Looked
   * up once per ffn name.
   */
  unembedCandidates(ffnName: string): readonly CheckedBlock[] {
    let list = this.unembedLists.get(ffnName);
    // A list looked up before still depends on the names it read.
    if (list && this.tracking) for (const c of [ffnName, ...preludeBuiltins().byPreference]) this.scope.get(unembedName(c));
    if (list) return list;
    list = [];
    for (const c of [ffnName, ...preludeBuiltins().byPreference]) {
      const u = this.scope.get(unembedName(c));
      if (u && u.kind === 'unembed') list.push(this.blocks.get(u)!);
    }
    this.unembedLists.set(ffnName, list);
    return list;
  }
}
