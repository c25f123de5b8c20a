import { expect, it } from 'vitest';
import { FormulaRuntimeError } from '../../../src/domain/formula/errors.js';
import { evaluateFormula, parseFormula, type FormulaRecord } from '../../../src/domain/formula/index.js';
import { FIELDS, makeRecord, NOW, TIME_ZONE, type RowInput } from './fixture.js';

/** Expected value of a formula that fails at run time. */
export const ERR = Symbol('runtime error');

/** created 2024-01-10 10:03:04.005 in Asia/Shanghai (a Wednesday); ctx.now is 2024-06-15 17:30:15.250 there. */
export const CREATED = Date.UTC(2024, 0, 10, 2, 3, 4, 5);
/** 2024-02-01 00:00 in Asia/Shanghai (a Thursday). */
export const DUE = Date.UTC(2024, 0, 31, 16, 0);

export const FULL: RowInput = {
  Title: 'Hello World',
  Notes: '  padded  ',
  Qty: 5,
  Price: 12.5,
  Rate: 0.25,
  Done: true,
  Status: 'Doing',
  Tags: ['red', 'green'],
  'Due Date': DUE,
  Stars: 3,
  Seq: 7,
};
export const EMPTY: RowInput = {};

export const recordOf = (row: RowInput): FormulaRecord => makeRecord(1, row, CREATED);

export function ev(formula: string, row: RowInput = FULL, timeZone = TIME_ZONE): unknown {
  const result = evaluateFormula(parseFormula(formula, FIELDS), recordOf(row), { fields: FIELDS, timeZone, now: NOW });
  return result instanceof FormulaRuntimeError ? ERR : result;
}

export type Case = [formula: string, expected: unknown, row?: RowInput];

/** One test per row of the table: `formula` on `row` (FULL by default) evaluates to `expected`. */
export function cases(table: readonly Case[]) {
  it.each(
    table.map(([formula, expected, row]) => ({
      formula,
      expected,
      row,
      label: row === EMPTY ? `${formula} (empty record)` : formula,
    })),
  )('$label → $expected', ({ formula, expected, row }) => {
    const actual = ev(formula, row);
    if (typeof expected === 'number' && typeof actual === 'number' && !Number.isInteger(expected))
      expect(actual).toBeCloseTo(expected, 12);
    else expect(actual).toEqual(expected);
  });
}
