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

type Lazy<T> = T | (() => T);

/**
 * A figure: its value, unit, symbolic formula (symbols are keys of `inputs`) and inputs. The
 * formula and inputs may be given as functions: they run once, on first read, so costing pays
 * only for the numbers.
 */
export class Explained {
  private formulaSource: Lazy<string>;
  private inputsSource: Lazy<Record<string, Input>>;

  constructor(readonly value: number, readonly unit: Unit, formula: Lazy<string>, inputs: Lazy<Record<string, Input>>) {
    this.formulaSource = formula;
    this.inputsSource = inputs;
  }

  /** Symbolic formula, e.g. `D·(P−1)/P / BW(A)`. */
  get formula(): string {
    if (typeof this.formulaSource === 'function') this.formulaSource = this.formulaSource();
    return this.formulaSource;
  }

  get inputs(): Record<string, Input> {
    if (typeof this.inputsSource === 'function') this.inputsSource = this.inputsSource();
    return this.inputsSource;
  }

  /** A plain object (for JSON or structured clones). */
  toJSON(): { value: number; unit: Unit; formula: string; inputs: Record<string, Input> } {
    return { value: this.value, unit: this.unit, formula: this.formula, inputs: this.inputs };
  }
}

const NO_INPUTS: Record<string, Input> = Object.freeze({}) as Record<string, Input>;

export function explained(value: number, unit: Unit, formula: Lazy<string>, inputs: Lazy<Record<string, Input>> = NO_INPUTS): Explained {
  return new Explained(value, unit, formula, inputs);
}

export function input(value: number, unit: Unit, note?: string): Input {
  return note === undefined ? { value, unit } : { value, unit, note };
}

/** A figure that is just a number somebody gave (a hardware field, a size). */
export function given(value: number, unit: Unit, what: string): Explained {
  return new Explained(value, unit, what, NO_INPUTS);
}

export const ZERO_SECONDS: Explained = new Explained(0, 's', '0', NO_INPUTS);
export const ZERO_BYTES: Explained = new Explained(0, 'B', '0', NO_INPUTS);
export const ZERO_FLOPS: Explained = new Explained(0, 'FLOP', '0', NO_INPUTS);

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
