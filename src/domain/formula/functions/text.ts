import type { ValueType } from '../ast.js';
import { trimJs } from '../dates.js';
import { FormulaRuntimeError } from '../errors.js';
import type { Call } from './function.js';
import { chars } from '../values.js';
import { define } from './shared.js';

/**
 * Text functions. Positions and lengths count Unicode code points (as PostgreSQL does), not UTF-16 units.
 * A blank text argument gives blank, except FIND (0), CONCATENATE and ENCODE_URL_COMPONENT's callers (empty text).
 * LOWER/UPPER change ASCII letters only (PostgreSQL `COLLATE "C"`; identical on every server).
 */
const text = () => 'string' as ValueType;
const num = () => 'number' as ValueType;

/** Integer argument: truncated and clamped to ±1e9 (PostgreSQL's substr takes int4). */
export const intArg = (call: Call, i: number) => Math.max(-1e9, Math.min(1e9, Math.trunc(call.number(i))));

export const MAX_TEXT = 1_000_000;

/** 0-based index of `needle` in `hay` at or after `from` (code points); -1 when absent. */
export function indexOf(hay: string[], needle: string[], from: number): number {
  if (needle.length === 0) return Math.min(from, hay.length);
  for (let p = Math.max(0, from); p + needle.length <= hay.length; p++) {
    if (needle.every((c, k) => hay[p + k] === c)) return p;
  }
  return -1;
}

/** 0-based index of the last `needle` in `hay` starting at or before `from`; -1 when absent. */
export function lastIndexOf(hay: string[], needle: string[], from: number): number {
  if (needle.length === 0) return Math.max(0, Math.min(from, hay.length));
  for (let p = Math.min(Math.max(from, 0), hay.length - needle.length); p >= 0; p--) {
    if (needle.every((c, k) => hay[p + k] === c)) return p;
  }
  return -1;
}

const asciiLower = (s: string) => s.replace(/[A-Z]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 32));
const asciiUpper = (s: string) => s.replace(/[a-z]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 32));

const blankFirst = (call: Call, fn: () => string | number | null) => (call.value(0) === null ? null : fn());

export const TEXT_FUNCTIONS = {
  CONCATENATE: define('CONCATENATE', {
    category: 'text',
    params: { min: 1 },
    returns: text,
    evaluate: (call) =>
      call.args
        .map((arg, i) => {
          const v = call.value(i);
          return arg.type === 'array' && v !== null ? (v as string[]).join('') : call.text(i);
        })
        .join(''),
  }),
  FIND: define('FIND', {
    category: 'text',
    params: { min: 2, max: 3 },
    returns: num,
    evaluate: (call) => {
      if (call.value(0) === null || call.value(1) === null) return 0;
      const needle = chars(call.text(0));
      const hay = chars(call.text(1));
      if (call.args.length < 3) return indexOf(hay, needle, 0) + 1;
      const start = call.number(2);
      if (start >= 0) return indexOf(hay, needle, start > 0 ? Math.trunc(start - 1) : 0) + 1;
      return lastIndexOf(hay, needle, Math.trunc(hay.length + start)) + 1;
    },
  }),
  SEARCH: define('SEARCH', {
    category: 'text',
    params: { min: 2, max: 3 },
    returns: num,
    evaluate: (call) => {
      if (call.value(0) === null || call.value(1) === null) return null;
      const start = call.args.length > 2 ? call.number(2) : 0;
      const p = indexOf(chars(call.text(1)), chars(call.text(0)), start > 0 ? Math.trunc(start - 1) : 0);
      return p < 0 ? null : p + 1;
    },
  }),
  MID: define('MID', {
    category: 'text',
    params: { min: 3, max: 3 },
    returns: text,
    // Characters at 1-based positions [start, start + count), clipped to the text.
    evaluate: (call) =>
      blankFirst(call, () => {
        const s = chars(call.text(0));
        const start = intArg(call, 1);
        const count = intArg(call, 2);
        const from = Math.max(start, 1);
        return s.slice(from - 1, Math.max(from - 1, start + count - 1)).join('');
      }),
  }),
  REPLACE: define('REPLACE', {
    category: 'text',
    params: { min: 4, max: 4 },
    returns: text,
    evaluate: (call) =>
      blankFirst(call, () => {
        const s = chars(call.text(0));
        const at = intArg(call, 1) - 1;
        const count = intArg(call, 2);
        const replacement = call.text(3);
        if (s.length <= at) return s.join('') + replacement;
        const clamp = (n: number) => Math.max(0, Math.min(n, s.length));
        return s.slice(0, clamp(at)).join('') + replacement + s.slice(clamp(at + count)).join('');
      }),
  }),
  SUBSTITUTE: define('SUBSTITUTE', {
    category: 'text',
    params: { min: 3, max: 4 },
    returns: text,
    // All occurrences, or only the n-th (1-based; out of range leaves the text unchanged).
    evaluate: (call) =>
      blankFirst(call, () => {
        const s = call.text(0);
        const old = call.text(1);
        const replacement = call.text(2);
        const n = call.args.length < 4 || call.value(3) === null ? undefined : intArg(call, 3);
        if (old === '' || s === '') return s;
        const parts = s.split(old);
        if (n === undefined) {
          if (s.length + (parts.length - 1) * (replacement.length - old.length) > MAX_TEXT)
            throw new FormulaRuntimeError('SUBSTITUTE result too long');
          return parts.join(replacement);
        }
        if (n < 1 || n > parts.length - 1) return s;
        return parts.slice(0, n).join(old) + replacement + parts.slice(n).join(old);
      }),
  }),
  LEN: define('LEN', {
    category: 'text',
    params: { min: 1, max: 1 },
    returns: num,
    evaluate: (call) => blankFirst(call, () => chars(call.text(0)).length),
  }),
  LEFT: define('LEFT', {
    category: 'text',
    params: { min: 1, max: 2 },
    returns: text,
    evaluate: (call) =>
      blankFirst(call, () => {
        const s = chars(call.text(0));
        const n = call.args.length > 1 ? intArg(call, 1) : 1;
        return s.slice(0, Math.max(0, n)).join('');
      }),
  }),
  RIGHT: define('RIGHT', {
    category: 'text',
    params: { min: 1, max: 2 },
    returns: text,
    evaluate: (call) =>
      blankFirst(call, () => {
        const s = chars(call.text(0));
        const n = call.args.length > 1 ? intArg(call, 1) : 1;
        return n <= 0 ? '' : s.slice(Math.max(0, s.length - n)).join('');
      }),
  }),
  LOWER: define('LOWER', {
    category: 'text',
    params: { min: 1, max: 1 },
    returns: text,
    evaluate: (call) => blankFirst(call, () => asciiLower(call.text(0))),
  }),
  UPPER: define('UPPER', {
    category: 'text',
    params: { min: 1, max: 1 },
    returns: text,
    evaluate: (call) => blankFirst(call, () => asciiUpper(call.text(0))),
  }),
  REPT: define('REPT', {
    category: 'text',
    params: { min: 2, max: 2 },
    returns: text,
    evaluate: (call) =>
      blankFirst(call, () => {
        const s = call.text(0);
        const n = intArg(call, 1);
        if (n <= 0) return '';
        if (chars(s).length * n > MAX_TEXT) throw new FormulaRuntimeError('REPT result too long');
        return s.repeat(n);
      }),
  }),
  T: define('T', {
    category: 'text',
    params: { min: 1, max: 1 },
    returns: text,
    evaluate: (call) =>
      call.args[0]!.type === 'string' || call.args[0]!.type === 'array' ? blankFirst(call, () => call.text(0)) : null,
  }),
  TRIM: define('TRIM', {
    category: 'text',
    params: { min: 1, max: 1 },
    returns: text,
    evaluate: (call) => blankFirst(call, () => trimJs(call.text(0))),
  }),
  ENCODE_URL_COMPONENT: define('ENCODE_URL_COMPONENT', {
    category: 'text',
    params: { min: 1, max: 1 },
    returns: text,
    evaluate: (call) => blankFirst(call, () => encodeURIComponent(call.text(0))),
  }),
};
