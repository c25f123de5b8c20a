import { FormulaRuntimeError } from './errors.js';

/**
 * Exact decimal arithmetic for the formula engine's numbers, mirrored step by step in SQL with `numeric`
 * (src/db/query/formula-sql/), so both back ends give the same double for every operation.
 *
 * A double enters as the exact decimal of its shortest round-trip text (`String(x)` here, `x::text::numeric` in
 * PostgreSQL: both print the same digits). Results go back to a double once (`toNumber`), with the range rule:
 * |v| ≥ 1e308 is an overflow error, |v| < 1e-308 becomes 0.
 *
 * Division (no exact decimal result in general): with `a = A·10^-sa`, `b = B·10^-sb` (A, B integers, sa/sb the
 * numeric scales) and `n` the number of digits of |B|, the quotient is `trunc(A·10^(40+n) / B) · 10^(sb-sa-40-n)`,
 * i.e. at least 40 significant digits, truncated, then rounded to a double.
 */
export interface Dec {
  /** value = m · 10^e */
  m: bigint;
  e: number;
}

const DECIMAL = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

export const ZERO: Dec = { m: 0n, e: 0 };

/** A decimal literal (digits, optional fraction and exponent); undefined when it is not one. */
export function decFromString(text: string): Dec | undefined {
  const match = DECIMAL.exec(text);
  if (!match) return undefined;
  const [, sign, int = '', frac = '', exp = '0'] = match;
  if (int === '' && frac === '') return undefined;
  const digits = (int + frac).replace(/^0+(?=\d)/, '') || '0';
  const m = BigInt(digits);
  return { m: sign === '-' ? -m : m, e: Number(exp) - frac.length };
}

export function decFromNumber(x: number): Dec {
  if (!Number.isFinite(x)) throw new FormulaRuntimeError('NaN');
  return decFromString(String(x))!;
}

export const pow10 = (n: number): bigint => 10n ** BigInt(n);

function align(a: Dec, b: Dec): [bigint, bigint, number] {
  const e = Math.min(a.e, b.e);
  return [a.m * pow10(a.e - e), b.m * pow10(b.e - e), e];
}

export function decAdd(a: Dec, b: Dec): Dec {
  const [x, y, e] = align(a, b);
  return { m: x + y, e };
}

export function decSub(a: Dec, b: Dec): Dec {
  const [x, y, e] = align(a, b);
  return { m: x - y, e };
}

export function decMul(a: Dec, b: Dec): Dec {
  return { m: a.m * b.m, e: a.e + b.e };
}

export function decCmp(a: Dec, b: Dec): number {
  const [x, y] = align(a, b);
  return x < y ? -1 : x > y ? 1 : 0;
}

export const decIsZero = (a: Dec) => a.m === 0n;
export const decSign = (a: Dec) => (a.m > 0n ? 1 : a.m < 0n ? -1 : 0);
const abs = (n: bigint) => (n < 0n ? -n : n);
const digitCount = (n: bigint) => abs(n).toString().length;

/** The numeric scale (digits after the point) PostgreSQL keeps for this value. */
const scaleOf = (a: Dec) => Math.max(0, -a.e);
/** a · 10^scale, an integer. */
const unscaled = (a: Dec) => (a.e >= 0 ? a.m * pow10(a.e) : a.m);

/** a / b as documented above; b must not be zero. */
export function decDiv(a: Dec, b: Dec): Dec {
  const A = unscaled(a);
  const B = unscaled(b);
  const n = digitCount(B);
  return { m: (A * pow10(40 + n)) / B, e: scaleOf(b) - scaleOf(a) - 40 - n };
}

/** Remainder with the sign of the dividend (JavaScript `%`, PostgreSQL `mod(numeric, numeric)`); b ≠ 0. */
export function decMod(a: Dec, b: Dec): Dec {
  const [x, y, e] = align(a, b);
  return { m: x % y, e };
}

const floorDiv = (n: bigint, d: bigint) => {
  const q = n / d;
  return n % d !== 0n && n < 0n !== d < 0n ? q - 1n : q;
};
const ceilDiv = (n: bigint, d: bigint) => {
  const q = n / d;
  return n % d !== 0n && n < 0n === d < 0n ? q + 1n : q;
};

/** ceil(a / b) · b or floor(a / b) · b, exactly (CEILING / FLOOR with a significance); b ≠ 0. */
export function decToMultiple(a: Dec, b: Dec, mode: 'ceil' | 'floor'): Dec {
  const [x, y] = align(a, b);
  const q = mode === 'ceil' ? ceilDiv(x, y) : floorDiv(x, y);
  return { m: q * b.m, e: b.e };
}

/**
 * x rounded to `places` decimal places (negative: to tens, hundreds, …):
 * `half-up` = floor(x·10^p + 0.5) (JavaScript's Math.round), `up` = away from zero, `down` = toward zero.
 */
export function decRound(x: Dec, places: number, mode: 'half-up' | 'up' | 'down'): Dec {
  const e = x.e + places;
  let r: bigint;
  if (e >= 0) r = x.m * pow10(e);
  else {
    const d = pow10(-e);
    if (mode === 'half-up') r = floorDiv(x.m * 2n + d, 2n * d);
    else if (mode === 'down') r = x.m / d;
    else r = x.m < 0n ? -ceilDiv(-x.m, d) : ceilDiv(x.m, d);
  }
  return { m: r, e: -places };
}

/** Back to a double: |v| ≥ 1e308 → overflow error, |v| < 1e-308 → 0, else the nearest double. */
export function decToNumber(a: Dec): number {
  if (a.m === 0n) return 0;
  const exponent = digitCount(a.m) - 1 + a.e;
  if (exponent >= 308) throw new FormulaRuntimeError('NaN');
  if (exponent < -308) return 0;
  return Number(`${a.m}e${a.e}`);
}
