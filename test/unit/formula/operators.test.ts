import { describe, expect, it } from 'vitest';
import type { FieldDef, FieldType } from '../../../src/domain/fields/field-type.js';
import { FIELD_TYPES } from '../../../src/domain/fields/registry.js';
import { FormulaRuntimeError } from '../../../src/domain/formula/errors.js';
import { evaluateFormula, isTruthy, matchesFormula, parseFormula } from '../../../src/domain/formula/index.js';
import { cases, CREATED, DUE, EMPTY, ERR, recordOf } from './eval-helper.js';
import { FIELDS, NOW, TIME_ZONE } from './fixture.js';

describe('arithmetic: exact decimals, one rounding, blank = 0, text parsed strictly', () => {
  cases([
    ['1 + 2', 3],
    ['0.1 + 0.2', 0.3],
    ['0.3 - 0.1', 0.2],
    ['1.1 * 3', 3.3],
    ['0.3 / 0.1', 3],
    ['10 / 4', 2.5],
    ['10 / 3', 3.3333333333333335],
    ['2 / 3', 0.6666666666666666],
    ['7 % 3', 1],
    ['-7 % 3', -1],
    ['5.5 % 2', 1.5],
    ['{Qty} + {Price}', 17.5],
    ['{Qty} + {Price}', 0, EMPTY],
    ['{Qty} * 2', 0, EMPTY],
    ['{Qty} - 1', -1, EMPTY],
    ['{Done} + {Done}', 2],
    ['{Done} + 1', 1, EMPTY],
    ['"5" * 2', 10],
    ['" 5 " - "1.5"', 3.5],
    ['"" * 2', 0],
    ['"abc" * 2', ERR],
    ['{Title} - 1', ERR],
    ['{Due Date} - {Created}', DUE - CREATED],
    ['{Due Date} + 1', DUE + 1],
    ['1 / 0', ERR],
    ['{Qty} / 0', ERR],
    ['1 % 0', ERR],
    ['1 / {Qty}', ERR, EMPTY],
    ['-{Qty}', -5],
    ['-{Qty}', 0, EMPTY],
    ['- -3', 3],
    ['+"4"', 4],
    ['+{Title}', ERR],
    ['POWER(10, 300) * POWER(10, 10)', ERR],
    ['POWER(10, -300) * POWER(10, -10)', 0],
  ]);
});

describe('+ concatenates when a side is text or an array; & always concatenates (blank = "")', () => {
  cases([
    ['"a" + 1', 'a1'],
    ['1 + "a"', '1a'],
    ['{Tags} + 1', 'red, green1'],
    ['"n=" & 1.5', 'n=1.5'],
    ['1 & 2', '12'],
    ['{Title} & "!"', '!', EMPTY],
    ['{Done} & "/" & {Done}', 'false/false', EMPTY],
    ['{Done} & ""', 'true'],
    ['1000000000000000000000 & ""', '1e+21'],
    ['0.0000001 & ""', '1e-7'],
    ['0.000001 & ""', '0.000001'],
    ['{Tags} & ""', 'red, green'],
    ['{Status} & ""', 'Doing'],
    ['{Due Date} & ""', '2024-02-01 00:00'],
    ['{Created} & ""', '2024/01/10'],
    ['DATEADD({Due Date}, 0, "d") & ""', '2024-01-31T16:00:00.000Z'],
    ['TRUE() & FALSE()', 'truefalse'],
  ]);
});

describe('comparisons', () => {
  cases([
    ['{Qty} = 5', true],
    ['{Qty} != 5', false],
    ['{Qty} > 3', true],
    ['{Qty} >= 5', true],
    ['{Qty} < 5', false],
    ['{Qty} <= 5', true],
    // blank and "" are empty: equal to each other only, unordered
    ['{Qty} > 3', false, EMPTY],
    ['{Qty} < 3', false, EMPTY],
    ['{Qty} = 0', false, EMPTY],
    ['{Qty} != 0', true, EMPTY],
    ['{Qty} = BLANK()', true, EMPTY],
    ['{Qty} = ""', true, EMPTY],
    ['{Title} = ""', true, EMPTY],
    ['{Title} = BLANK()', true, EMPTY],
    ['{Title} != ""', false, EMPTY],
    ['{Title} < "a"', false, EMPTY],
    ['"" = BLANK()', true],
    ['"" < "a"', false],
    ['{Tags} = ""', true, EMPTY],
    ['{Due Date} = BLANK()', true, EMPTY],
    ['{Done} = FALSE()', true, EMPTY],
    // text: exact, by code points
    ['{Title} = "Hello World"', true],
    ['{Title} = "hello world"', false],
    ['"B" < "a"', true],
    ['"a" < "ab"', true],
    ['"\uffff" < "😀"', true],
    ['{Status} = "Doing"', true],
    ['{Tags} = "red, green"', true],
    // numbers against text: the text is parsed; unparsable compares false
    ['{Qty} = "5"', true],
    ['{Qty} = " 5.0 "', true],
    ['{Qty} > "10"', false],
    ['{Qty} = "five"', false],
    ['{Qty} != "five"', true],
    ['{Qty} < "five"', false],
    // booleans
    ['{Done} = TRUE()', true],
    ['{Done} = 1', true],
    ['{Done} = "true"', true],
    ['{Done} > FALSE()', true],
    // datetimes: epoch ms; against text the text is read as a date in the formula's zone
    ['{Due Date} = "2024-02-01"', true],
    ['{Due Date} = "2024-02-01 00:00"', true],
    ['{Due Date} > "2024-01-31T23:59:59+08:00"', true],
    ['{Due Date} < TODAY()', true],
    [`{Due Date} = ${DUE}`, true],
    ['{Due Date} = "soon"', false],
    ['{Due Date} > {Created}', true],
    // errors propagate through comparisons
    ['1 / 0 = 1', ERR],
  ]);
});

describe('logical operators', () => {
  cases([
    ['{Done} && {Qty}', true],
    ['{Done} && {Qty}', false, EMPTY],
    ['{Done} || {Title}', false, EMPTY],
    ['0 || "x"', true],
    ['!{Done}', false],
    ['!{Title}', true, EMPTY],
    ['!{Tags}', true, EMPTY],
    ['!0', true],
    ['!"0"', false],
    ['1 || 1 / 0', ERR],
  ]);
});

describe('field values', () => {
  cases([
    ['{Status}', 'Doing'],
    ['{Tags}', ['red', 'green']],
    ['{Tags}', null, EMPTY],
    ['{Done}', true],
    ['{Done}', false, EMPTY],
    ['{Due Date}', DUE],
    ['{Created}', CREATED],
    ['{Title}', null, EMPTY],
    ['{Rate}', 0.25],
    ['{Seq}', 7],
  ]);

  const field = (
    name: string,
    type: FieldType,
    property: unknown,
    id = `fld${type.slice(0, 10).padEnd(10, 'Q')}`,
  ): FieldDef => {
    let parsed = property;
    try {
      parsed = FIELD_TYPES[type].property.parse(property, { fieldIds: [] });
    } catch {
      // properties that need a datasheet (links, lookups) are used as given
    }
    return { id, name, type, property: parsed, isPrimary: false };
  };
  const extra = [
    field('Link', 'URL', undefined),
    field('Mail', 'Email', undefined),
    field('People', 'Member', {}),
    field('Files', 'Attachment', undefined),
    field('Refs', 'OneWayLink', { foreignDatasheetId: 'dstAAAAAAAAAAAAAAA' }),
    field('Docs', 'WorkDoc', undefined),
    field('Maker', 'CreatedBy', undefined),
    field('Edited', 'LastModifiedTime', { dateFormat: 'YYYY-MM-DD', includeTime: true, timeFormat: 'hh:mm' }),
    {
      ...field('Calc', 'Formula', { expression: '1' }),
      property: { expression: '1', valueType: 'Number', hasError: false },
    },
    {
      ...field('Label', 'Formula', { expression: '1' }, 'fldFormulaTxt'),
      property: { expression: '"a"', valueType: 'String', hasError: false },
    },
  ];
  const fields = [...FIELDS, ...extra];
  const id = (name: string) => fields.find((f) => f.name === name)!.id;
  const record = {
    ...recordOf({}),
    cells: {
      [id('Link')]: { text: 'https://a.test', title: 'A' },
      [id('Mail')]: 'x@y.z',
      [id('People')]: ['usrAAAAAAAAAA', 'usrBBBBBBBBBB'],
      [id('Files')]: [
        { id: 'atc1', token: 't', name: 'a.png' },
        { id: 'atc2', token: 't', name: 'b.pdf' },
      ],
      [id('Refs')]: ['recAAAAAAAAAA'],
      [id('Docs')]: [{ documentId: 'docA', title: 'Plan' }],
      [id('Calc')]: 42,
      [id('Label')]: 'computed',
    },
    createdBy: 'usrMaker00001',
  };
  const value = (formula: string) =>
    evaluateFormula(parseFormula(formula, fields), record, { fields, timeZone: TIME_ZONE, now: NOW });

  it.each([
    ['{Link}', 'https://a.test'],
    ['{Mail}', 'x@y.z'],
    ['{People}', ['usrAAAAAAAAAA', 'usrBBBBBBBBBB']],
    ['{Files}', ['a.png', 'b.pdf']],
    ['{Refs}', ['recAAAAAAAAAA']],
    ['{Docs}', ['Plan']],
    ['{Maker}', 'usrMaker00001'],
    ['{Edited}', CREATED + 1234],
    ['{Edited} & ""', '2024-01-10 10:03 AM'],
    ['{Calc} + 1', 43],
    ['{Label} & "!"', 'computed!'],
    ['{Files} & ""', 'a.png, b.pdf'],
    ['COUNTALL({People})', 2],
  ])('%s → %j', (formula, expected) => {
    expect(value(formula)).toEqual(expected);
  });

  it('reads a URL stored as a plain string', () => {
    const r = { ...record, cells: { [id('Link')]: 'https://plain.test' } };
    expect(evaluateFormula(parseFormula('{Link}', fields), r, { fields, timeZone: TIME_ZONE, now: NOW })).toBe(
      'https://plain.test',
    );
  });
});

describe('results and the filter rule', () => {
  it('returns runtime errors instead of throwing', () => {
    const result = evaluateFormula(parseFormula('1 / 0', FIELDS), recordOf({}), {
      fields: FIELDS,
      timeZone: TIME_ZONE,
      now: NOW,
    });
    expect(result).toBeInstanceOf(FormulaRuntimeError);
  });

  it.each([
    [true, true],
    [false, false],
    [1, true],
    [0, false],
    [Number.NaN, false],
    ['x', true],
    ['', false],
    [null, false],
    [undefined, false],
    [['a'], true],
    [[], false],
    [new FormulaRuntimeError('x'), false],
  ])('isTruthy(%j) = %s', (value, expected) => {
    expect(isTruthy(value)).toBe(expected);
  });

  it('matchesFormula applies the rule to a record', () => {
    const ctx = { fields: FIELDS, timeZone: TIME_ZONE, now: NOW };
    expect(matchesFormula(parseFormula('{Qty} > 3', FIELDS), recordOf({ Qty: 4 }), ctx)).toBe(true);
    expect(matchesFormula(parseFormula('{Qty} > 3', FIELDS), recordOf({}), ctx)).toBe(false);
    expect(matchesFormula(parseFormula('{Qty} / 0', FIELDS), recordOf({ Qty: 4 }), ctx)).toBe(false);
  });

  it('rejects an unknown time zone', () => {
    expect(() =>
      evaluateFormula(parseFormula('1', FIELDS), recordOf({}), { fields: FIELDS, timeZone: 'Nowhere/Land', now: NOW }),
    ).toThrow('invalid time zone');
  });
});
