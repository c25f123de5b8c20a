import { describe, expect, it } from 'vitest';
import type { FormulaNode } from '../../../src/domain/formula/ast.js';
import {
  FormulaError,
  formulaFieldIds,
  formulaUsesClock,
  FUNCTION_NAMES,
  FUNCTIONS,
  parseFormula,
} from '../../../src/domain/formula/index.js';
import { FIELD_ID, FIELDS } from './fixture.js';

/** The tree as compact text: (op a b), NAME(args), {fieldId}, literals. */
function show(node: FormulaNode): string {
  switch (node.kind) {
    case 'number':
      return String(node.value);
    case 'string':
      return JSON.stringify(node.value);
    case 'field':
      return `{${node.fieldId}}`;
    case 'unary':
      return `(${node.op}${show(node.arg)})`;
    case 'binary':
      return `(${show(node.left)} ${node.op} ${show(node.right)})`;
    case 'call':
      return `${node.name}(${node.args.map(show).join(', ')})`;
  }
}

const tree = (text: string) => show(parseFormula(text, FIELDS).root);
const QTY = `{${FIELD_ID.Qty}}`;
const TITLE = `{${FIELD_ID.Title}}`;
const DUE = `{${FIELD_ID['Due Date']}}`;

describe('parser: precedence and associativity (the reference table)', () => {
  it.each([
    ['1 + 2 * 3', '(1 + (2 * 3))'],
    ['1 * 2 + 3', '((1 * 2) + 3)'],
    ['1 - 2 - 3', '((1 - 2) - 3)'],
    ['8 / 4 / 2', '((8 / 4) / 2)'],
    ['7 % 4 * 2', '((7 % 4) * 2)'],
    ['1 + 2 > 2 * 1', '((1 + 2) > (2 * 1))'],
    ['1 < 2 = 2 >= 1', '((1 < 2) = (2 >= 1))'],
    ['1 = 1 != 0', '((1 = 1) != 0)'],
    ['1 = 1 && 2 = 2', '((1 = 1) && (2 = 2))'],
    ['1 && 0 || 1 && 1', '((1 && 0) || (1 && 1))'],
    ['"a" & 1 = 1', '("a" & (1 = 1))'],
    ['"a" & "b" || 0', '("a" & ("b" || 0))'],
    ['"a" & "b" & "c"', '(("a" & "b") & "c")'],
    ['(1 + 2) * 3', '((1 + 2) * 3)'],
    ['-2 * 3', '((-2) * 3)'],
    ['- -2', '(-(-2))'],
    ['+2', '(+2)'],
    ['!1 = 0', '((!1) = 0)'],
    ['!(1 = 0)', '(!(1 = 0))'],
    ['1 <= 2 && 3 > 2 || 4 < 3 & "x"', '((((1 <= 2) && (3 > 2)) || (4 < 3)) & "x")'],
  ])('%s → %s', (text, expected) => {
    expect(tree(text)).toBe(expected);
  });
});

describe('parser: references', () => {
  it.each([
    ['{Qty} + 1', `(${QTY} + 1)`],
    ['Qty + 1', `(${QTY} + 1)`],
    [`{${FIELD_ID.Qty}} + 1`, `(${QTY} + 1)`],
    [`${FIELD_ID.Qty} + 1`, `(${QTY} + 1)`],
    ['{Due Date}', DUE],
    ['{Title}&Title', `(${TITLE} & ${TITLE})`],
  ])('%s', (text, expected) => {
    expect(tree(text)).toBe(expected);
  });

  it('unescapes braces and backslashes inside references', () => {
    const fields = [
      { id: 'fldWeirdName01', name: 'a{b}\\c', type: 'SingleText' as const, property: {}, isPrimary: false },
    ];
    expect(show(parseFormula('{a\\{b\\}\\\\c}', fields).root)).toBe('{fldWeirdName01}');
  });

  it('prefers a field name over an id with the same text', () => {
    const fields = [
      { id: 'fldAAAAAAAAAA', name: 'fldBBBBBBBBBB', type: 'Number' as const, property: {}, isPrimary: false },
      { id: 'fldBBBBBBBBBB', name: 'Other', type: 'Number' as const, property: {}, isPrimary: false },
    ];
    expect(show(parseFormula('{fldBBBBBBBBBB}', fields).root)).toBe('{fldAAAAAAAAAA}');
  });

  it('lists the referenced field ids once, in order', () => {
    expect(formulaFieldIds(parseFormula('{Qty} + Qty * {Price} & {Due Date} & IF({Done}, {Qty}, 0)', FIELDS))).toEqual([
      FIELD_ID.Qty,
      FIELD_ID.Price,
      FIELD_ID['Due Date'],
      FIELD_ID.Done,
    ]);
    expect(formulaFieldIds(parseFormula('1 + 2', FIELDS))).toEqual([]);
  });

  it('tells formulas that read the clock', () => {
    expect(formulaUsesClock(parseFormula('{Due Date} < TODAY()', FIELDS))).toBe(true);
    expect(formulaUsesClock(parseFormula('{Qty} > 1', FIELDS))).toBe(false);
  });
});

describe('parser: functions', () => {
  it('are case-insensitive', () => {
    expect(tree('sum(1, 2)')).toBe('SUM(1, 2)');
    expect(tree('Round(1.5)')).toBe('ROUND(1.5)');
    expect(tree('true() && FaLsE()')).toBe('(TRUE() && FALSE())');
  });

  it('accept full-width parentheses and commas', () => {
    expect(tree('IF（{Qty} > 1，"a"，"b"）')).toBe(`IF((${QTY} > 1), "a", "b")`);
  });

  it('accept no arguments, nested calls and expressions as arguments', () => {
    expect(tree('TODAY()')).toBe('TODAY()');
    expect(tree('MAX(1, MIN(2, 3) + 1, -4)')).toBe('MAX(1, (MIN(2, 3) + 1), (-4))');
  });

  it('ignore arguments past the maximum (as the reference does)', () => {
    expect(tree('ABS(1, 2, 3)')).toBe('ABS(1)');
  });

  it('registry holds the 82 functions listed in §6, each with its category', () => {
    expect(FUNCTION_NAMES).toHaveLength(82);
    for (const name of FUNCTION_NAMES) {
      expect(FUNCTIONS[name].name).toBe(name);
      expect(['numeric', 'text', 'logical', 'date-time', 'array', 'record']).toContain(FUNCTIONS[name].category);
    }
  });
});

describe('parser: inferred types', () => {
  it.each([
    ['1 + 1', 'number'],
    ['"a" + 1', 'string'],
    ['{Tags} + 1', 'string'],
    ['{Due Date} + 1', 'number'],
    ['{Done} + {Done}', 'number'],
    ['1 & 1', 'string'],
    ['1 = 1', 'boolean'],
    ['!1', 'boolean'],
    ['-{Title}', 'number'],
    ['{Title}', 'string'],
    ['{Notes}', 'string'],
    ['{Status}', 'string'],
    ['{Tags}', 'array'],
    ['{Due Date}', 'datetime'],
    ['{Created}', 'datetime'],
    ['{Done}', 'boolean'],
    ['{Qty}', 'number'],
    ['{Price}', 'number'],
    ['{Rate}', 'number'],
    ['{Stars}', 'number'],
    ['{Seq}', 'number'],
    ['BLANK()', 'null'],
    ['IF(1, 2, 3)', 'number'],
    ['IF(1, 2, "3")', 'string'],
    ['IF(1, BLANK(), {Due Date})', 'datetime'],
    ['IF(1, {Tags}, {Tags})', 'array'],
    ['SWITCH(1, 1, "a", 2, "b")', 'string'],
    ['SWITCH(1, 1, 2, BLANK())', 'number'],
    ['MAX({Due Date}, {Created})', 'datetime'],
    ['MAX({Due Date}, 1)', 'number'],
    ['DATEADD({Due Date}, 1, "days")', 'datetime'],
    ['ARRAYUNIQUE({Tags})', 'array'],
    ['ARRAYJOIN({Tags})', 'string'],
  ])('%s : %s', (text, type) => {
    expect(parseFormula(text, FIELDS).root.type).toBe(type);
  });
});

describe('parser: errors', () => {
  const error = (text: string) => {
    try {
      parseFormula(text, FIELDS);
    } catch (e) {
      expect(e).toBeInstanceOf(FormulaError);
      return { message: (e as FormulaError).message, position: (e as FormulaError).position };
    }
    throw new Error(`no error for ${text}`);
  };

  it.each([
    ['', "The formula can't be empty", 0],
    ['   \n ', "The formula can't be empty", 0],
    ['FOO(1)', 'Undefined function: FOO', 0],
    ['1 + bar(2)', 'Undefined function: bar', 4],
    ['{Nope} + 1', 'Invalid column or function name: Nope', 0],
    ['1 + Nope', 'Invalid column or function name: Nope', 4],
    ['{fldNotThere01}', 'Invalid column or function name: fldNotThere01', 0],
    ['SUM', 'Invalid column or function name: SUM', 0],
    ['IF(1, 2)', 'IF function requires 3 parameters', 0],
    ['ROUND()', 'ROUND function requires 1 parameters', 0],
    ['x + MID("a", 1)', 'Invalid column or function name: x', 0],
    ['2 * MID("a", 1)', 'MID function requires 3 parameters', 4],
    ['DATEADD(TODAY(), 1)', 'DATEADD function requires 3 parameters', 0],
    ['COUNTIF({Tags})', 'COUNTIF function requires 2 parameters', 0],
    ['SUM(1, 2', 'Function needs to end with ")"', 8],
    ['SUM(1 2)', 'Function needs to end with ")"', 6],
    ['(1 + 2', 'Function needs to end with ")"', 6],
    ['((1)', 'Function needs to end with ")"', 4],
    ['1 + 2)', 'Parse character ) failed', 5],
    ['1 2', 'Parse character 2 failed', 2],
    ['1 +', 'Wrong formula ending', 3],
    ['-', 'Wrong formula ending', 1],
    ['SUM(1,)', 'Unknown operational character: )', 6],
    ['SUM(,1)', 'Unknown operational character: ,', 4],
    ['* 2', 'Unknown operational character: *', 0],
    ['1 ^ 2', 'Unknown operational character: ^', 2],
    ['DATEADD(TODAY(), 1, "fortnights")', 'DATEADD function does not support the unit "fortnights"', 20],
    ['DATETIME_DIFF(TODAY(), NOW(), "Days")', 'DATETIME_DIFF function does not support the unit "Days"', 30],
    ['DATETIME_PARSE("1", {Title})', 'DATETIME_PARSE function requires a text literal as its format', 20],
    [
      'SET_TIMEZONE(NOW(), "Mars/Base")',
      'SET_TIMEZONE function requires a literal time zone (hours offset or zone name)',
      20,
    ],
    [
      'SET_TIMEZONE(NOW(), {Qty})',
      'SET_TIMEZONE function requires a literal time zone (hours offset or zone name)',
      20,
    ],
  ])('%j → %s', (text, message, position) => {
    expect(error(text)).toEqual({ message, position });
  });

  it('refuses a reference to the formula field itself', () => {
    expect(() => parseFormula('{Qty} + 1', FIELDS, { selfFieldId: FIELD_ID.Qty })).toThrow(
      "Can't add the current Formula field in a formula",
    );
  });
});
