// Every figure the cost model produces carries the formula that made it and the inputs put into
// it, so a hover or `shardlens explain` can show "t = D·(P−1)/P / BW = 134 MB·63/64 / 270 GB/s".
// The substituted text is built only when someone asks for it (costing thousands of layouts
// must not pay for string formatting nobody reads).

export type Unit = 'B' | 'B/s' | 'FLOP' | 'FLOP/s' | 's' | '' | 'elements' | 'chips' | 'tokens';

export interface Input {
  value: number;
  unit: Unit;
  /** What the input is, when its symbol alone does not say (`size of axis y`). */
  note?: string;
}

export interface Explained {
  value: number;
  unit: Unit;
  /** Symbolic formula, e.g. `D·(P−1)/P / BW(A)`. Symbols are keys of `inputs`. */
  formula: string;
  inputs: Record<string, Input>;
}

export function explained(value: number, unit: Unit, formula: string, inputs: Record<string, Input> = {}): Explained {
  return { value, unit, formula, inputs };
}

export function input(value: number, unit: Unit, note?: string): Input {
  return note === undefined ? { value, unit } : { value, unit, note };
}

/** A figure that is just a number somebody gave (a hardware field, a size). */
export function given(value: number, unit: Unit, what: string): Explained {
  return { value, unit, formula: what, inputs: {} };
}

export const ZERO_SECONDS: Explained = Object.freeze({ value: 0, unit: 's', formula: '0', inputs: {} }) as Explained;
export const ZERO_BYTES: Explained = Object.freeze({ value: 0, unit: 'B', formula: '0', inputs: {} }) as Explained;
export const ZERO_FLOPS: Explained = Object.freeze({ value: 0, unit: 'FLOP', formula: '0', inputs: {} }) as Explained;

const IDENT_CHAR = /[\p{L}\p{N}_]/u;

/**
 * The formula with each input symbol replaced by its formatted value. Symbols are matched
 * whole (not inside a longer name), longest first, so `BW(A)` and `B` do not collide.
 */
export function substitute(e: Explained, format: (value: number, unit: Unit) => string): string {
  const keys = Object.keys(e.inputs).sort((a, b) => b.length - a.length);
  if (keys.length === 0) return e.formula;
  let out = '';
  let i = 0;
  const f = e.formula;
  outer: while (i < f.length) {
    const prevIsIdent = i > 0 && IDENT_CHAR.test(f[i - 1]);
    if (!prevIsIdent) {
      for (const k of keys) {
        if (!f.startsWith(k, i)) continue;
        const next = f[i + k.length];
        const lastIsIdent = IDENT_CHAR.test(k[k.length - 1]);
        if (lastIsIdent && next !== undefined && IDENT_CHAR.test(next)) continue;
        const inp = e.inputs[k];
        out += format(inp.value, inp.unit);
        i += k.length;
        continue outer;
      }
    }
    out += f[i];
    i++;
  }
  return out;
}
