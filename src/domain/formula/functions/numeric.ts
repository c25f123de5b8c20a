import type { FormulaNode, FormulaValue, ValueType } from '../ast.js';
import {
  decAdd,
  decDiv,
  decFromNumber,
  decFromString,
  decMod,
  decRound,
  decSign,
  decToMultiple,
  decToNumber,
  ZERO,
  type Dec,
} from '../decimal.js';
import { FormulaRuntimeError } from '../errors.js';
import type { Call } from './function.js';
import { lenientNumber } from '../values.js';
import { define } from './shared.js';

/**
 * Numeric functions. A blank first argument gives blank (the reference's `value == null → null`), except SUM,
 * AVERAGE, MAX, MIN and ABS (0). Results that are not finite, or have magnitude ≥ 1e308, are runtime errors.
 */
const number = () => 'number' as ValueType;

/** Elements of the arguments as numbers for SUM/AVERAGE (arrays spread; text parsed leniently; blanks skipped). */
function numericElements(call: Call, skipDatetime = false): (number | undefined)[] {
  const out: (number | undefined)[] = [];
  call.args.forEach((arg, i) => {
    if (skipDatetime && arg.type === 'datetime') return;
    const v = call.value(i);
    if (v === null) return;
    if (arg.type === 'array') for (const e of v as string[]) out.push(lenientNumber(e, 'string'));
    else out.push(lenientNumber(v, arg.type));
  });
  return out;
}

const sumOf = (values: number[]): Dec => values.reduce((acc, n) => decAdd(acc, decFromNumber(n)), ZERO);

/** A finite result within range (≥ 1e308 is an error, below 1e-308 becomes 0). */
export function checkFinite(n: number): number {
  if (!Number.isFinite(n) || Math.abs(n) >= 1e308) throw new FormulaRuntimeError('NaN');
  return Math.abs(n) < 1e-308 ? 0 : n;
}

/** ROUND-style places argument: floor, clamped to ±400. */
export const placesOf = (call: Call, i: number) =>
  i < call.args.length ? Math.max(-400, Math.min(400, Math.floor(call.number(i)))) : 0;

const blankFirst = (call: Call, fn: () => FormulaValue): FormulaValue => (call.value(0) === null ? null : fn());

function roundFn(name: 'ROUND' | 'ROUNDUP' | 'ROUNDDOWN', mode: 'half-up' | 'up' | 'down') {
  return define(name, {
    category: 'numeric',
    params: { min: 1, max: 2 },
    returns: number,
    evaluate: (call) =>
      blankFirst(call, () => decToNumber(decRound(decFromNumber(call.number(0)), placesOf(call, 1), mode))),
  });
}

function multipleFn(name: 'CEILING' | 'FLOOR', mode: 'ceil' | 'floor') {
  return define(name, {
    category: 'numeric',
    params: { min: 1, max: 2 },
    returns: number,
    evaluate: (call) =>
      blankFirst(call, () => {
        const x = call.number(0);
        const significance = call.args.length > 1 && call.value(1) !== null ? call.number(1) : 1;
        if (significance === 0) throw new FormulaRuntimeError('NaN');
        return decToNumber(decToMultiple(decFromNumber(x), decFromNumber(significance), mode));
      }),
  });
}

function extremeFn(name: 'MAX' | 'MIN') {
  const pick = name === 'MAX' ? (a: number, b: number) => Math.max(b, a) : (a: number, b: number) => Math.min(b, a);
  const allDates = (args: readonly FormulaNode[]) => args.length > 0 && args.every((a) => a.type === 'datetime');
  return define(name, {
    category: 'numeric',
    params: { min: 0 },
    returns: (args) => (allDates(args) ? 'datetime' : 'number'),
    evaluate: (call) => {
      if (allDates(call.args)) {
        const values = call.args.map((_, i) => call.value(i)).filter((v): v is number => v !== null);
        return values.length ? values.reduce(pick) : null;
      }
      const values = numericElements(call, true).filter((v): v is number => v !== undefined);
      return values.length ? values.reduce(pick) : 0;
    },
  });
}

/** EVEN/ODD: away from zero to an integer, then to the next even/odd one. */
export function evenOdd(x: number, odd: boolean): number {
  const r = x > 0 ? Math.ceil(x) : Math.floor(x);
  const isEven = r - 2 * Math.floor(r / 2) === 0;
  if (odd) return !isEven ? r : r >= 0 ? r + 1 : r - 1;
  return isEven ? r : r > 0 ? r + 1 : r - 1;
}

/** POWER with the guards both back ends share (0^-n and (-x)^fraction are errors; exp. range checked via ln). */
export function power(x: number, y: number): number {
  if (x === 0) {
    if (y < 0) throw new FormulaRuntimeError('NaN');
    return y === 0 ? 1 : 0;
  }
  if (x < 0 && Math.floor(y) !== y) throw new FormulaRuntimeError('NaN');
  const t = y * Math.log(Math.abs(x));
  if (t > 709) throw new FormulaRuntimeError('NaN');
  if (t < -708) return 0;
  return checkFinite(x ** y);
}

/** VALUE: the reference's digit extraction (keep `0-9 . + -`, collapse runs of signs/points, parse the prefix). */
export const VALUE_PREFIX = '^([-+]?(?:[0-9]+[.]?[0-9]*|[.][0-9]+))';
export function valueOfText(text: string): number {
  const cleaned = text.replace(/[^0-9.+-]/g, '').replace(/[-+.]*([-+.])/g, '$1');
  const m = new RegExp(VALUE_PREFIX).exec(cleaned);
  if (!m) throw new FormulaRuntimeError('NaN');
  return decToNumber(decFromString(m[1]!)!);
}

export const NUMERIC_FUNCTIONS = {
  SUM: define('SUM', {
    category: 'numeric',
    params: { min: 0 },
    returns: number,
    evaluate: (call) => decToNumber(sumOf(numericElements(call).map((v) => v ?? 0))),
  }),
  AVERAGE: define('AVERAGE', {
    category: 'numeric',
    params: { min: 0 },
    returns: number,
    evaluate: (call) => {
      const values = numericElements(call).filter((v): v is number => v !== undefined);
      if (!values.length) return 0;
      return decToNumber(decDiv(sumOf(values), decFromNumber(values.length)));
    },
  }),
  MAX: extremeFn('MAX'),
  MIN: extremeFn('MIN'),
  ROUND: roundFn('ROUND', 'half-up'),
  ROUNDUP: roundFn('ROUNDUP', 'up'),
  ROUNDDOWN: roundFn('ROUNDDOWN', 'down'),
  CEILING: multipleFn('CEILING', 'ceil'),
  FLOOR: multipleFn('FLOOR', 'floor'),
  EVEN: define('EVEN', {
    category: 'numeric',
    params: { min: 1, max: 1 },
    returns: number,
    evaluate: (call) => blankFirst(call, () => evenOdd(call.number(0), false)),
  }),
  ODD: define('ODD', {
    category: 'numeric',
    params: { min: 1, max: 1 },
    returns: number,
    evaluate: (call) => blankFirst(call, () => evenOdd(call.number(0), true)),
  }),
  INT: define('INT', {
    category: 'numeric',
    params: { min: 1, max: 1 },
    returns: number,
    evaluate: (call) => blankFirst(call, () => Math.floor(call.number(0))),
  }),
  ABS: define('ABS', {
    category: 'numeric',
    params: { min: 1, max: 1 },
    returns: number,
    evaluate: (call) => Math.abs(call.number(0)),
  }),
  SQRT: define('SQRT', {
    category: 'numeric',
    params: { min: 1, max: 1 },
    returns: number,
    evaluate: (call) =>
      blankFirst(call, () => {
        const x = call.number(0);
        if (x < 0) throw new FormulaRuntimeError('NaN');
        return Math.sqrt(x);
      }),
  }),
  MOD: define('MOD', {
    category: 'numeric',
    params: { min: 2, max: 2 },
    returns: number,
    // Excel's MOD (the result has the divisor's sign); the reference negates on a bitwise sign test instead.
    evaluate: (call) =>
      blankFirst(call, () => {
        const a = decFromNumber(call.number(0));
        const b = decFromNumber(call.number(1));
        if (decSign(b) === 0) throw new FormulaRuntimeError('NaN');
        const r = decMod(a, b);
        return decToNumber(decSign(r) !== 0 && decSign(r) !== decSign(b) ? decAdd(r, b) : r);
      }),
  }),
  POWER: define('POWER', {
    category: 'numeric',
    params: { min: 2, max: 2 },
    returns: number,
    evaluate: (call) => blankFirst(call, () => power(call.number(0), call.number(1))),
  }),
  EXP: define('EXP', {
    category: 'numeric',
    params: { min: 1, max: 1 },
    returns: number,
    evaluate: (call) =>
      blankFirst(call, () => {
        const x = call.number(0);
        if (x > 709) throw new FormulaRuntimeError('NaN');
        return x < -708 ? 0 : checkFinite(Math.exp(x));
      }),
  }),
  LOG: define('LOG', {
    category: 'numeric',
    params: { min: 1, max: 2 },
    returns: number,
    evaluate: (call) =>
      blankFirst(call, () => {
        const x = call.number(0);
        const base = call.args.length > 1 ? call.number(1) : 10;
        if (x <= 0 || base <= 0 || base === 1) throw new FormulaRuntimeError('NaN');
        return checkFinite(Math.log(x) / Math.log(base));
      }),
  }),
  VALUE: define('VALUE', {
    category: 'numeric',
    params: { min: 1, max: 1 },
    returns: number,
    evaluate: (call) => valueOfText(call.text(0)),
  }),
};
