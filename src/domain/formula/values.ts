import type { FormulaValue, ValueType } from './ast.js';
import { checkRange, JS_WHITESPACE, parseDateText, trimJs, type ZoneSpec } from './dates.js';
import { decFromString, decToNumber } from './decimal.js';
import { FormulaRuntimeError } from './errors.js';

/**
 * Value conversions of the formula language (rules in ast.ts). Every function here has a SQL twin in
 * src/db/query/formula-sql/.
 */

/** JavaScript's `String(n)` (PostgreSQL: numeric text, or the exponent form for |n| ≥ 1e21 and |n| < 1e-6). */
export const numberText = (n: number): string => String(n);

export const isoText = (ms: number): string => new Date(checkRange(ms)).toISOString();

/** Strict decimal text (after trimming JavaScript white space): sign, digits, fraction, exponent of ≤ 4 digits. */
export const NUMBER_PATTERN = '^[-+]?([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][-+]?[0-9]{1,4})?$';
const NUMBER_RE = new RegExp(NUMBER_PATTERN);

/** Text → number for arithmetic and comparisons; `""` → 0; undefined when not a number (or out of range). */
export function parseNumberText(text: string): number | undefined {
  const t = trimJs(text);
  if (t === '') return 0;
  if (!NUMBER_RE.test(t)) return undefined;
  try {
    return decToNumber(decFromString(t)!);
  } catch {
    return undefined;
  }
}

export function boolNumber(b: boolean): number {
  return b ? 1 : 0;
}

/** The number a value stands for in arithmetic (blank → 0); non-numeric text is a runtime error. */
export function toNumber(value: FormulaValue, type: ValueType): number {
  if (value === null) return 0;
  switch (type) {
    case 'number':
    case 'datetime':
      return value as number;
    case 'boolean':
      return boolNumber(value as boolean);
    case 'string':
    case 'array': {
      const n = parseNumberText(Array.isArray(value) ? value.join(', ') : (value as string));
      if (n === undefined) throw new FormulaRuntimeError('NaN');
      return n;
    }
    case 'null':
      return 0;
  }
}

/** Lenient number for SUM/AVERAGE/MAX/MIN elements: undefined when it is not a number. */
export function lenientNumber(value: FormulaValue, type: ValueType): number | undefined {
  if (value === null) return undefined;
  if (type === 'string' || type === 'array')
    return typeof value === 'string' && trimJs(value) !== '' ? parseNumberText(value) : undefined;
  return toNumber(value, type);
}

export function truthy(value: FormulaValue, type: ValueType): boolean {
  if (value === null) return false;
  switch (type) {
    case 'string':
      return value !== '';
    case 'number':
    case 'datetime':
      return value !== 0;
    case 'boolean':
      return value === true;
    case 'array':
      return (value as string[]).length > 0;
    case 'null':
      return false;
  }
}

/** Text of a value; datetimes that are not field references are ISO UTC (field references: see evaluate.ts). */
export function plainText(value: FormulaValue, type: ValueType): string {
  if (value === null) return '';
  switch (type) {
    case 'string':
      return value as string;
    case 'number':
      return numberText(value as number);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'datetime':
      return isoText(value as number);
    case 'array':
      return (value as string[]).join(', ');
    case 'null':
      return '';
  }
}

/** A value as a date (epoch ms): numbers are timestamps (truncated), text is parsed; blank must be handled first. */
export function toDate(value: FormulaValue, type: ValueType, zone: ZoneSpec): number {
  switch (type) {
    case 'datetime':
      return checkRange(value as number);
    case 'number':
      return checkRange(Math.trunc(value as number));
    case 'string':
      return parseDateText(value as string, zone);
    case 'array':
      return parseDateText((value as string[]).join(', '), zone);
    default:
      throw new FormulaRuntimeError('Invalid date');
  }
}

/** Compares by Unicode code points (PostgreSQL `COLLATE "C"` on UTF-8), not UTF-16 code units. */
export function compareText(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0xd800) x = x >= 0xe000 ? x - 0x800 : x + 0x2000;
    if (y >= 0xd800) y = y >= 0xe000 ? y - 0x800 : y + 0x2000;
    return x < y ? -1 : 1;
  }
  return a.length - b.length < 0 ? -1 : a.length > b.length ? 1 : 0;
}

/** Code points of a string (LEN/MID/LEFT/RIGHT/FIND count characters as PostgreSQL does). */
export const chars = (text: string): string[] => [...text];

export const TRIM_CHARS = JS_WHITESPACE;

export type CompareDomain = 'number' | 'text' | 'date';

/** How two operand types compare (ast.ts "Comparisons"). */
export function compareDomain(a: ValueType, b: ValueType): CompareDomain {
  const norm = (t: ValueType, other: ValueType): ValueType =>
    t === 'array' ? 'string' : t === 'null' ? (other === 'array' ? 'string' : other) : t;
  const x = norm(a, b);
  const y = norm(b, a);
  if ((x === 'datetime' && y === 'string') || (x === 'string' && y === 'datetime')) return 'date';
  const numeric = (t: ValueType) => t === 'number' || t === 'boolean' || t === 'datetime';
  if (numeric(x) && numeric(y)) return 'number';
  if ((x === 'number' && y === 'string') || (x === 'string' && y === 'number')) return 'number';
  return 'text';
}

export const isEmptyValue = (v: FormulaValue) => v === null || v === '';
