import type { FormulaNode, ValueType } from '../ast.js';
import { compareValues } from '../compare.js';
import { FormulaRuntimeError } from '../errors.js';
import type { Call } from './function.js';
import { choose, commonType, define, isSingleArray } from './shared.js';

/**
 * Logical functions. IF and SWITCH evaluate only the branch they take (an error elsewhere does not matter);
 * ISERROR/IS_ERROR catch errors. AND/OR/XOR with a single array argument look at its elements.
 */
const bool = () => 'boolean' as ValueType;

/** SWITCH(expr, pattern1, result1, …, [default]): the result nodes, then the default node. */
export function switchParts(args: readonly FormulaNode[]) {
  const rest = args.length - 1;
  const pairs = Math.floor(rest / 2);
  return { pairs, hasDefault: rest % 2 === 1, defaultIndex: args.length - 1 };
}

export const switchType = (args: readonly FormulaNode[]): ValueType => {
  const { pairs, hasDefault, defaultIndex } = switchParts(args);
  const types: ValueType[] = [];
  for (let k = 0; k < pairs; k++) types.push(args[2 + 2 * k]!.type);
  if (hasDefault) types.push(args[defaultIndex]!.type);
  return commonType(types);
};

function truthValues(call: Call): boolean[] {
  if (isSingleArray(call.args)) {
    const v = call.value(0) as string[] | null;
    return v === null ? [] : v.map((e) => e !== '');
  }
  return call.args.map((_, i) => call.truthy(i));
}

export const LOGICAL_FUNCTIONS = {
  IF: define('IF', {
    category: 'logical',
    params: { min: 3, max: 3 },
    returns: (args) => commonType([args[1]!.type, args[2]!.type]),
    evaluate: (call) => choose(call, call.truthy(0) ? 1 : 2, call.node.type),
  }),
  SWITCH: define('SWITCH', {
    category: 'logical',
    params: { min: 2 },
    returns: switchType,
    evaluate: (call) => {
      const { pairs, hasDefault, defaultIndex } = switchParts(call.args);
      const target = call.value(0);
      const targetType = call.args[0]!.type;
      for (let k = 0; k < pairs; k++) {
        const p = 1 + 2 * k;
        if (compareValues('=', target, targetType, call.value(p), call.args[p]!.type, call.env.zone)) {
          return choose(call, p + 1, call.node.type);
        }
      }
      return hasDefault ? choose(call, defaultIndex, call.node.type) : null;
    },
  }),
  TRUE: define('TRUE', { category: 'logical', params: { min: 0, max: 0 }, returns: bool, evaluate: () => true }),
  FALSE: define('FALSE', { category: 'logical', params: { min: 0, max: 0 }, returns: bool, evaluate: () => false }),
  AND: define('AND', {
    category: 'logical',
    params: { min: 1 },
    returns: bool,
    evaluate: (call) => {
      const values = truthValues(call);
      return values.length > 0 && values.every(Boolean);
    },
  }),
  OR: define('OR', {
    category: 'logical',
    params: { min: 1 },
    returns: bool,
    evaluate: (call) => truthValues(call).some(Boolean),
  }),
  XOR: define('XOR', {
    category: 'logical',
    params: { min: 1 },
    returns: bool,
    evaluate: (call) => truthValues(call).filter(Boolean).length % 2 === 1,
  }),
  BLANK: define('BLANK', {
    category: 'logical',
    params: { min: 0, max: 0 },
    returns: () => 'null',
    evaluate: () => null,
  }),
  ERROR: define('ERROR', {
    category: 'logical',
    params: { min: 0, max: 1 },
    returns: () => 'string',
    evaluate: (call) => {
      throw new FormulaRuntimeError(call.args.length ? call.text(0) : '');
    },
  }),
  ISERROR: define('ISERROR', {
    category: 'logical',
    params: { min: 1, max: 1 },
    returns: bool,
    evaluate: (call) => call.isError(0),
  }),
  IS_ERROR: define('IS_ERROR', {
    category: 'logical',
    params: { min: 1, max: 1 },
    returns: bool,
    evaluate: (call) => call.isError(0),
  }),
  NOT: define('NOT', {
    category: 'logical',
    params: { min: 1, max: 1 },
    returns: bool,
    evaluate: (call) => !call.truthy(0),
  }),
};
