import type { ValueType } from '../ast.js';
import { compareValues, type CompareOp } from '../compare.js';
import { FormulaRuntimeError } from '../errors.js';
import type { Call } from './function.js';
import { define, flattenTexts, isSingleArray } from './shared.js';

/**
 * Array functions. Array values are lists of texts (option names, ids, file names); non-array arguments join as
 * their text. An empty result is blank.
 */
const num = () => 'number' as ValueType;
const array = () => 'array' as ValueType;

const nonEmpty = (items: string[]) => (items.length ? items : null);

export const COUNTIF_OPS: Record<string, CompareOp> = {
  '=': '=',
  '!=': '!=',
  '！=': '!=',
  '>': '>',
  '<': '<',
  '>=': '>=',
  '<=': '<=',
};

export function countIfOp(call: Call): CompareOp {
  if (call.args.length < 3 || call.value(2) === null) return '=';
  const text = call.text(2).trim();
  if (text === '') return '=';
  const op = COUNTIF_OPS[text];
  if (!op) throw new FormulaRuntimeError(`COUNTIF: invalid operator ${text}`);
  return op;
}

/** Non-overlapping occurrences of `needle` in `hay` (COUNTIF over text). */
export const occurrences = (hay: string, needle: string) => (needle === '' ? 0 : hay.split(needle).length - 1);

function countIf(call: Call): number {
  const op = countIfOp(call);
  const range = call.value(0);
  if (range === null) return 0;
  const rangeType = call.args[0]!.type;
  if (rangeType === 'array') {
    const criterion = call.value(1);
    const type = call.args[1]!.type;
    return (range as string[]).filter((e) => compareValues(op, e, 'string', criterion, type, call.env.zone)).length;
  }
  if (rangeType === 'string') {
    const criterion = call.text(1);
    if (op === '=') return occurrences(range as string, criterion);
    return op === '!=' ? 1 : 0;
  }
  return 0;
}

export const ARRAY_FUNCTIONS = {
  ARRAYCOMPACT: define('ARRAYCOMPACT', {
    category: 'array',
    params: { min: 0 },
    returns: array,
    evaluate: (call) => nonEmpty(flattenTexts(call).filter((e) => e !== '')),
  }),
  ARRAYUNIQUE: define('ARRAYUNIQUE', {
    category: 'array',
    params: { min: 0 },
    returns: array,
    evaluate: (call) => nonEmpty([...new Set(flattenTexts(call))]),
  }),
  ARRAYFLATTEN: define('ARRAYFLATTEN', {
    category: 'array',
    params: { min: 0 },
    returns: array,
    evaluate: (call) => nonEmpty(flattenTexts(call)),
  }),
  ARRAYJOIN: define('ARRAYJOIN', {
    category: 'array',
    params: { min: 1, max: 2 },
    returns: () => 'string',
    evaluate: (call) => {
      const v = call.value(0);
      if (v === null) return null;
      if (call.args[0]!.type !== 'array') return call.text(0);
      const separator = call.args.length > 1 ? call.text(1) : '';
      return (v as string[]).join(separator || ', ');
    },
  }),
  COUNT: define('COUNT', {
    category: 'array',
    params: { min: 0 },
    returns: num,
    // Counts number values; array elements are texts, so an array counts none.
    evaluate: (call) => call.args.filter((arg, i) => arg.type === 'number' && call.value(i) !== null).length,
  }),
  COUNTA: define('COUNTA', {
    category: 'array',
    params: { min: 0 },
    returns: num,
    evaluate: (call) => {
      if (isSingleArray(call.args)) return ((call.value(0) as string[] | null) ?? []).filter((e) => e !== '').length;
      return call.args.filter((_, i) => {
        const v = call.value(i);
        return v !== null && v !== '' && v !== false;
      }).length;
    },
  }),
  COUNTALL: define('COUNTALL', {
    category: 'array',
    params: { min: 0 },
    returns: num,
    evaluate: (call) =>
      isSingleArray(call.args) ? ((call.value(0) as string[] | null) ?? []).length : call.args.length,
  }),
  COUNTIF: define('COUNTIF', {
    category: 'array',
    params: { min: 2, max: 3 },
    returns: num,
    evaluate: countIf,
  }),
};
