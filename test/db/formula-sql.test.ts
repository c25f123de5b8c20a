import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileFormula, compileFormulaCondition, compileFormulaParts } from '../../src/db/query/compile-formula.js';
import { FormulaRuntimeError } from '../../src/domain/formula/errors.js';
import {
  evaluateFormula,
  FUNCTION_NAMES,
  isTruthy,
  parseFormula,
  type FormulaRecord,
} from '../../src/domain/formula/index.js';
import { formulaDatabase, type FormulaDatabase } from '../unit/formula/db-fixture.js';
import { FIELDS, makeRecord, NOW, RECORDS, TIME_ZONE } from '../unit/formula/fixture.js';

/**
 * Every operator and function, compiled to SQL and run on the real database over the fixture datasheet; per row the
 * SQL value, error flag and filter condition must equal the evaluator's. Formulas starting with `~` compare numbers
 * with a relative tolerance (exp/ln/pow may differ in the last bit between libm implementations).
 */
const OPERATORS = [
  '{Qty} + {Price}',
  '{Qty} - {Price}',
  '{Qty} * {Price}',
  '{Price} / {Qty}',
  '{Qty} % 2',
  '{Price} % {Qty}',
  '-{Qty}',
  '+{Title}',
  '!{Done}',
  '!{Title}',
  '{Title} & {Qty}',
  '{Title} & {Due Date} & {Done} & {Tags} & {Rate}',
  '{Title} + {Qty}',
  '{Qty} + {Done}',
  '{Due Date} - {Created}',
  '{Qty} = 5',
  '{Qty} != 5',
  '{Qty} > 0',
  '{Qty} >= 0',
  '{Qty} < 1',
  '{Qty} <= 0',
  '{Title} = ""',
  '{Title} != ""',
  '{Title} > "a"',
  '{Title} < "b"',
  '{Title} >= "TRUE"',
  '{Title} = {Notes}',
  '{Status} = "Done"',
  '{Status} != "Done"',
  '{Tags} = "red, green"',
  '{Tags} > "b"',
  '{Due Date} > "2024-01-31"',
  '{Due Date} < TODAY()',
  '{Due Date} = BLANK()',
  '{Qty} = BLANK()',
  'BLANK() = {Title}',
  '{Done} && {Qty}',
  '{Done} || {Qty} > 3',
  '{Title} = 12.5',
  '{Qty} > "3"',
  '{Done} = "true"',
  '{Done} = 1',
  '{Created} > {Due Date}',
  '{Due Date} = 0',
  '{Notes} = "true"',
  '1 + 2 * 3 - 4 / 2',
  '(1 + 2) * 3',
  '{Qty} - -{Qty}',
  '"a" & 1 = 1',
  '1 < 2 = TRUE()',
  '10 / 4 * 4',
  '0.1 + 0.2 = 0.3',
  '{Qty} / 3 * 3 = {Qty}',
  '1 / 0',
  '{Qty} % 0',
  'POWER(10, 200) * POWER(10, 200)',
  '{Title} * 2',
  'Qty + Stars',
  '{fldQtyXXXXXXX} * 2',
  '{Stars} > {Qty} || {Title} = "x"',
  '{Price} + 0.1 + 0.2',
  // Doubles whose shortest decimal PostgreSQL writes one digit longer than JavaScript (a rounding-boundary tie).
  '(71.987 * (1000000000000000 + 71.987)) % 16',
  '71987000000005184 & ""',
  '71987000000005184 - 71987000000005180',
  '0.1 * 3 & ""',
  // Errors carried through chains of arithmetic (a NULL-on-error operand stays NULL instead of reading as 0).
  '({Qty} / 0) * 2 - 1',
  '-({Price} / {Stars})',
  '{Qty} * POWER(10, 300) * POWER(10, 300) - 1',
  'ISERROR({Qty} % 0 + 1)',
  'IF(ISERROR({Price} / {Qty} - 1), 0, 1)',
  '{Qty} * {Price} + {Stars} - {Rate}',
  'SUM({Qty} / 0, 1)',
  '({Price} - {Qty}) / ({Stars} - 1)',
];

const NUMERIC = [
  'SUM({Qty}, {Price}, {Title})',
  'SUM({Tags})',
  'SUM()',
  'SUM({Due Date}, 1)',
  'AVERAGE({Qty}, {Price}, {Stars})',
  'AVERAGE({Tags}, {Title})',
  'AVERAGE()',
  'AVERAGE({Notes})',
  'MAX({Qty}, {Price}, {Stars})',
  'MIN({Qty}, {Price}, {Stars})',
  'MAX({Due Date}, {Created})',
  'MIN({Due Date}, {Created})',
  'MAX({Tags})',
  'MIN({Title}, 7)',
  'MAX()',
  'MAX({Due Date}, {Qty})',
  'ROUND({Price}, 2)',
  'ROUND({Qty})',
  'ROUND({Qty}, -1)',
  'ROUND({Price}, {Stars})',
  'ROUND(65.115, 2)',
  'ROUND(-1.55, 1)',
  'ROUNDUP({Price}, 1)',
  'ROUNDDOWN({Price}, 1)',
  'ROUNDUP({Qty})',
  'ROUNDDOWN({Qty}, -1)',
  'CEILING({Price})',
  'CEILING({Price}, 0.1)',
  'FLOOR({Qty}, 0.5)',
  'CEILING({Qty}, 0)',
  'FLOOR({Price}, -2)',
  'FLOOR({Price}, {Stars})',
  'EVEN({Qty})',
  'ODD({Qty})',
  'ODD({Price})',
  'EVEN({Rate})',
  'INT({Qty})',
  'INT({Price})',
  'ABS({Qty})',
  'ABS({Title})',
  'SQRT({Qty})',
  'SQRT({Stars})',
  'MOD({Qty}, 3)',
  'MOD({Qty}, -2)',
  'MOD({Qty}, 0)',
  'MOD({Price}, 0.3)',
  'POWER({Qty}, 2)',
  'POWER(2, {Stars})',
  'POWER({Qty}, -1)',
  '~POWER({Qty}, 0.5)',
  '~EXP({Stars})',
  'EXP(1000)',
  '~LOG({Price})',
  '~LOG({Qty}, 2)',
  'LOG({Qty}, 1)',
  'VALUE({Title})',
  'VALUE({Notes})',
  'VALUE("$1,234.50")',
  'VALUE({Qty})',
];

const TEXT = [
  'CONCATENATE({Title}, "-", {Qty}, {Tags})',
  'CONCATENATE({Due Date}, {Done})',
  'FIND("a", {Title})',
  'FIND("l", {Notes}, 3)',
  'FIND("e", {Title}, -1)',
  'FIND("", {Title}, 2)',
  'FIND({Title}, {Notes})',
  'SEARCH("a", {Title})',
  'SEARCH("e", {Notes}, 2)',
  'SEARCH("", {Notes})',
  'MID({Title}, 2, 3)',
  'MID({Notes}, 0, 4)',
  'MID({Title}, {Stars}, 2)',
  'MID({Notes}, 3, -1)',
  'REPLACE({Title}, 2, 1, "Z")',
  'REPLACE({Title}, 10, 1, "Z")',
  'REPLACE({Notes}, 0, 2, {Title})',
  'SUBSTITUTE({Notes}, ",", ";")',
  'SUBSTITUTE({Notes}, ",", ";", 2)',
  'SUBSTITUTE({Title}, "a", "A")',
  'SUBSTITUTE({Notes}, "", "x")',
  'SUBSTITUTE({Notes}, ",", "", 9)',
  'LEN({Title})',
  'LEN({Notes})',
  'LEFT({Title}, 2)',
  'LEFT({Notes})',
  'LEFT({Title}, -1)',
  'RIGHT({Title}, 2)',
  'RIGHT({Notes}, 0)',
  'RIGHT({Notes})',
  'LOWER({Title})',
  'UPPER({Notes})',
  'REPT({Title}, 2)',
  'REPT({Title}, {Stars})',
  'REPT("ab", 600000)',
  'SUBSTITUTE(REPT("a", 100000), "a", REPT("b", 100000))',
  'SUBSTITUTE(REPT("a", 1000), "a", REPT("b", 999))',
  'SUBSTITUTE({Title}, "", REPT("b", 100000))',
  'T({Title})',
  'T({Qty})',
  'T({Tags})',
  'TRIM({Notes})',
  'ENCODE_URL_COMPONENT({Notes})',
  'ENCODE_URL_COMPONENT({Title} & " x/y?z=1&b")',
];

const LOGICAL = [
  'IF({Qty} > 3, "big", "small")',
  'IF({Done}, {Qty}, {Price})',
  'IF({Done}, {Qty}, "none")',
  'IF({Qty}, 1/0, 2)',
  'IF({Title}, {Due Date}, BLANK())',
  'IF({Done}, {Tags}, BLANK())',
  'IF({Done}, {Tags}, {Title})',
  'IF({Title} = "x", ERROR("boom"), {Title})',
  'SWITCH({Status}, "Todo", 1, "Done", 2, 0)',
  'SWITCH({Qty}, 5, "five", 0, "zero")',
  'SWITCH({Title}, "", "empty", "Alpha", {Due Date}, "other")',
  'SWITCH({Stars}, 1, 1/0, 3, "three")',
  'SWITCH({Qty}, "x")',
  'SWITCH({Title}, VALUE({Title}), "numeric", "text")',
  'TRUE()',
  'FALSE()',
  'AND({Done}, {Qty})',
  'AND({Tags})',
  'OR({Title}, {Qty})',
  'OR({Tags})',
  'XOR({Done}, {Qty}, {Title})',
  'XOR({Tags})',
  'BLANK()',
  'ERROR("x")',
  'ERROR()',
  'ISERROR({Qty} / 0)',
  'ISERROR({Qty})',
  'IS_ERROR(VALUE({Title}))',
  'ISERROR(IF({Done}, 1/0, 1))',
  'NOT({Title})',
  'NOT({Qty})',
  'IF(ERROR(), 1, 2)',
];

const DATES = [
  'TODAY()',
  'NOW()',
  'TONOW({Due Date}, "days")',
  'FROMNOW({Due Date}, "hours")',
  'TONOW({Due Date}, "months")',
  'FROMNOW({Created}, "y")',
  'DATEADD({Due Date}, 1, "months")',
  'DATEADD({Due Date}, -1.5, "days")',
  'DATEADD({Due Date}, {Qty}, "hours")',
  'DATEADD({Due Date}, 2, "y")',
  'DATEADD({Due Date}, 1, "Q")',
  'DATEADD({Due Date}, 3, "w")',
  'DATEADD({Due Date}, 90, "s")',
  'DATEADD({Due Date}, 5, "ms")',
  'DATEADD({Due Date}, 10, "m")',
  'DATEADD({Title}, 1, "days")',
  'DATEADD({Due Date}, 1, {Title})',
  'DATEADD({Due Date}, 100000, "years")',
  'DATETIME_DIFF({Due Date}, {Created})',
  'DATETIME_DIFF({Due Date}, {Created}, "hours")',
  'DATETIME_DIFF({Due Date}, {Created}, "M")',
  'DATETIME_DIFF({Created}, {Due Date}, "years")',
  'DATETIME_DIFF({Due Date}, "2024-01-01", "quarters")',
  'DATETIME_DIFF({Due Date}, {Created}, "weeks")',
  'DATETIME_DIFF({Due Date}, {Created}, "minutes")',
  'DATETIME_DIFF({Due Date}, {Created}, "seconds")',
  'DATETIME_DIFF({Due Date}, {Created}, "ms")',
  'DATETIME_DIFF({Due Date}, "2024-02-29 12:00", "months")',
  'WORKDAY({Due Date}, 3)',
  'WORKDAY({Due Date}, -4)',
  'WORKDAY({Due Date}, {Stars}, "2024-02-01, 2024-03-01")',
  'WORKDAY({Due Date}, 0, "nope")',
  'WORKDAY({Created}, 10, {Notes})',
  'WORKDAY_DIFF({Created}, {Due Date})',
  'WORKDAY_DIFF({Due Date}, {Created}, "2024-01-15")',
  'WORKDAY_DIFF({Due Date}, "2024-01-01", "2024-01-01,2024-01-02")',
  'IS_AFTER({Due Date}, {Created})',
  'IS_BEFORE({Due Date}, "2024-03-01")',
  'IS_SAME({Due Date}, {Created}, "month")',
  'IS_SAME({Due Date}, {Created}, "year")',
  'IS_SAME({Due Date}, {Due Date})',
  'IS_SAME({Due Date}, "2024-02-01", "day")',
  'IS_SAME({Due Date}, {Created}, "week")',
  'IS_SAME({Due Date}, {Created}, "quarter")',
  'IS_SAME({Due Date}, DATEADD({Due Date}, 30, "m"), "hour")',
  'IS_SAME({Due Date}, DATEADD({Due Date}, 10, "s"), "minute")',
  'IS_SAME({Due Date}, DATEADD({Due Date}, 1, "ms"), "second")',
  'DATETIME_FORMAT({Due Date})',
  'DATETIME_FORMAT({Due Date}, "YYYY/MM/DD hh:mm a [Q]Q ddd dd d MMM MMMM YY M D H h m s SSS X x ZZ")',
  'DATETIME_FORMAT({Created}, {Title})',
  'DATETIME_FORMAT({Created}, "")',
  'DATETIME_PARSE({Title})',
  'DATETIME_PARSE("2024-03-05 14:30")',
  'DATETIME_PARSE("2024-03-05T14:30:00.5+02:00")',
  'DATETIME_PARSE("05/03/2024 2:30 PM", "DD/MM/YYYY h:mm A")',
  'DATETIME_PARSE({Notes}, "YYYY")',
  'DATETIME_PARSE("March 5 24", "MMMM D YY")',
  'DATETIME_PARSE("1700000000", "X")',
  'DATETIME_PARSE("10:30", "HH:mm")',
  'DATETIME_PARSE("2024-02-30")',
  'DATETIME_PARSE({Qty})',
  'DATETIME_PARSE("13:00 pm", "HH:mm a")',
  'DATESTR({Due Date})',
  'TIMESTR({Due Date})',
  'YEAR({Due Date})',
  'MONTH({Due Date})',
  'DAY({Due Date})',
  'HOUR({Due Date})',
  'MINUTE({Due Date})',
  'SECOND({Due Date})',
  'YEAR({Title})',
  'WEEKDAY({Due Date})',
  'WEEKDAY({Due Date}, "Monday")',
  'WEEKNUM({Due Date})',
  'WEEKNUM({Due Date}, "monday")',
  'WEEKNUM({Due Date}, "tuesday")',
  'SET_LOCALE({Due Date}, "zh-cn")',
  'SET_TIMEZONE({Due Date}, -5)',
  'HOUR(SET_TIMEZONE({Due Date}, "America/New_York"))',
  'DATETIME_FORMAT(SET_TIMEZONE({Due Date}, "+05:30"), "HH:mm Z")',
  'DAY(SET_LOCALE(SET_TIMEZONE({Due Date}, 12), "en"))',
  'CREATED_TIME()',
  'LAST_MODIFIED_TIME()',
  'LAST_MODIFIED_TIME({Title})',
  'CREATED_TIME() < {Due Date}',
];

const ARRAYS = [
  'ARRAYCOMPACT({Tags}, "", {Title})',
  'ARRAYUNIQUE({Tags}, "red")',
  'ARRAYFLATTEN({Tags}, {Qty}, {Done})',
  'ARRAYFLATTEN()',
  'ARRAYJOIN({Tags})',
  'ARRAYJOIN({Tags}, "|")',
  'ARRAYJOIN({Title}, "|")',
  'ARRAYJOIN(ARRAYUNIQUE({Tags}), "")',
  'COUNT({Qty}, {Price}, {Title}, 1)',
  'COUNT({Tags})',
  'COUNTA({Tags})',
  'COUNTA({Title}, {Qty}, {Done}, {Tags})',
  'COUNTALL({Tags})',
  'COUNTALL({Title}, {Qty})',
  'COUNTIF({Tags}, "red")',
  'COUNTIF({Tags}, "red", "!=")',
  'COUNTIF({Tags}, 10, ">")',
  'COUNTIF({Tags}, "green", "<=")',
  'COUNTIF({Notes}, ",")',
  'COUNTIF({Notes}, "a", "!=")',
  'COUNTIF({Tags}, "green", {Title})',
  'COUNTIF({Tags}, "red", "~")',
  'COUNTIF({Qty}, 5)',
  'RECORD_ID()',
  'RECORD_ID() = "rec0000000001"',
];

/** Deep nesting: a node's SQL is shared by its parent's several uses (formula-sql-share.ts), values must not change. */
const nest = (template: string, depth: number, inner: string) =>
  Array.from({ length: depth }).reduce<string>((x) => template.replaceAll('X', x), inner);
const NESTED = [
  nest('LOWER(X)', 16, '{Title}') + ' = "alpha"',
  nest('UPPER(TRIM(X))', 8, '{Notes}'),
  nest('FIND("a", X & "")', 16, '{Title}'),
  nest('SEARCH("l", X & {Notes})', 12, '{Title}'),
  nest('FIND("e", {Notes}, X)', 6, '{Qty}'),
  nest('ROUND(X * 1.5, 1)', 12, '{Price}'),
  nest('-X', 40, '{Qty}'),
  nest('IF(X = "", "-", LEFT(X & {Title}, 5))', 6, '{Notes}'),
  nest('SWITCH(X, "Alpha", "a", {Title})', 6, '{Title}'),
  nest('DATEADD(X, {Stars}, "days")', 8, '{Due Date}'),
  nest('VALUE(X & "1")', 8, '{Qty}'),
  nest('ISERROR(X) + X', 4, '{Title}'),
  nest('SUBSTITUTE(X, "a", "ab")', 10, '{Title}'),
  Array(60).fill('{Title} = "Alpha"').join(' || '),
  Array(40).fill('{Title}').join(' & '),
];

// biome-ignore lint/suspicious/noExportsInTest: the equivalence test replays these cases
export const SQL_CASES = [...OPERATORS, ...NUMERIC, ...TEXT, ...LOGICAL, ...DATES, ...ARRAYS, ...NESTED];

let db: FormulaDatabase;
let sheet: string;
let dstSheet: string;

/** Records around the 2024 DST changes of America/New_York (gap 03-10 02:00–03:00, overlap 11-03 01:00–02:00). */
const DST_RECORDS: FormulaRecord[] = [
  Date.UTC(2024, 2, 10, 6, 30),
  Date.UTC(2024, 2, 10, 7, 30),
  Date.UTC(2024, 10, 3, 5, 30),
  Date.UTC(2024, 10, 3, 6, 30),
  Date.UTC(2024, 0, 31, 5, 0),
].map((due, i) =>
  makeRecord(100 + i, { Title: `r${i}`, Qty: i + 1, 'Due Date': due }, Date.UTC(2024, 2, 9, 7, 0) + i * 86_400_000),
);

beforeAll(async () => {
  db = await formulaDatabase();
  sheet = await db.datasheet(RECORDS);
  dstSheet = await db.datasheet(DST_RECORDS);
});
afterAll(async () => {
  await db?.dispose();
});

type Row = { id: string; v: unknown; e: boolean; c: boolean; value: unknown };

async function run(formula: string, datasheetId: string, timeZone: string): Promise<Row[]> {
  const ast = parseFormula(formula, FIELDS);
  const params: unknown[] = [datasheetId];
  const ctx = { fields: FIELDS, alias: 'r', params, timeZone, now: NOW };
  const parts = compileFormulaParts(ast, ctx);
  const condition = compileFormulaCondition(ast, ctx);
  const value = compileFormula(ast, ctx);
  return db.query<Row>(
    `SELECT r.id, ${parts.v} AS v, ${parts.e} AS e, ${condition} AS c, ${value} AS value FROM records r WHERE r.datasheet_id = $1 ORDER BY r.position`,
    params,
  );
}

function close(a: unknown, b: unknown): boolean {
  if (typeof a === 'number' && typeof b === 'number') return Math.abs(a - b) <= 1e-12 * Math.max(1, Math.abs(a));
  return Object.is(a, b) || JSON.stringify(a) === JSON.stringify(b);
}

async function check(raw: string, records: readonly FormulaRecord[], datasheetId: string, timeZone: string) {
  const approximate = raw.startsWith('~');
  const formula = approximate ? raw.slice(1) : raw;
  const ast = parseFormula(formula, FIELDS);
  const rows = await run(formula, datasheetId, timeZone);
  expect(rows).toHaveLength(records.length);
  records.forEach((record, i) => {
    const expected = evaluateFormula(ast, record, { fields: FIELDS, timeZone, now: NOW });
    const row = rows[i]!;
    const label = `${formula} on ${record.id}`;
    const isError = expected instanceof FormulaRuntimeError;
    expect(row.e, `${label}: error flag`).toBe(isError);
    expect(row.c, `${label}: condition`).toBe(isTruthy(expected));
    if (isError) {
      expect(row.value, `${label}: value on error`).toBeNull();
      return;
    }
    if (approximate) expect(close(row.v, expected), `${label}: ${String(row.v)} ≈ ${String(expected)}`).toBe(true);
    else {
      expect(row.v, `${label}: value`).toEqual(expected);
      expect(row.value, `${label}: compileFormula`).toEqual(expected);
    }
  });
}

describe('compiled formulas equal the evaluator on every fixture row', () => {
  it.each(SQL_CASES)('%s', async (formula) => {
    await check(formula, RECORDS, sheet, TIME_ZONE);
  });
});

describe('date functions across DST changes (America/New_York)', () => {
  const dstCases = [
    ...DATES.filter((f) => !f.startsWith('~')),
    '{Due Date} & ""',
    'DATEADD({Due Date}, 1, "days") - {Due Date}',
    'DATETIME_DIFF(DATEADD({Due Date}, 1, "d"), {Due Date}, "hours")',
    'DATETIME_PARSE("2024-03-10 02:30")',
    'DATETIME_PARSE("2024-11-03 01:30")',
    'DATETIME_FORMAT({Due Date}, "YYYY-MM-DD HH:mm Z")',
  ];
  it.each(dstCases)('%s', async (formula) => {
    await check(formula, DST_RECORDS, dstSheet, 'America/New_York');
  });
});

describe('coverage', () => {
  it('exercises every function', () => {
    const used = new Set(SQL_CASES.flatMap((f) => [...f.toUpperCase().matchAll(/([A-Z_]+)\(/g)].map((m) => m[1]!)));
    expect(FUNCTION_NAMES.filter((name) => !used.has(name))).toEqual([]);
  });

  it('binds user values as parameters', () => {
    const params: unknown[] = [];
    const sql = compileFormulaCondition(parseFormula(`{Title} = "O'Brien; DROP TABLE records" & 42`, FIELDS), {
      fields: FIELDS,
      alias: 'r',
      params,
      timeZone: TIME_ZONE,
      now: NOW,
    });
    expect(sql).not.toContain("O'Brien");
    expect(sql).not.toContain('42');
    expect(params).toEqual(expect.arrayContaining(["O'Brien; DROP TABLE records", '42']));
  });
});

describe('compiled once per schema and formula (memoKey)', () => {
  const formula = '{Due Date} < NOW() - 86400000 * {Stars}';

  it('binds each statement its own clock and numbers its placeholders after the params so far', async () => {
    const ast = parseFormula(formula, FIELDS);
    let parses = 0;
    const later = new Date(Date.UTC(2025, 0, 1));
    for (const [now, prefix] of [
      [NOW, []],
      [later, ['unused']],
      [NOW, []],
    ] as const) {
      const params: unknown[] = [sheet, ...prefix];
      const condition = compileFormulaCondition(() => (parses++, ast), {
        fields: FIELDS,
        alias: 'r',
        params,
        timeZone: TIME_ZONE,
        now,
        memoKey: formula,
      });
      const rows = await db.query<{ c: boolean }>(
        `SELECT ${condition} AS c FROM records r WHERE r.datasheet_id = $1 ${prefix.length ? 'AND r.id <> $2::text' : ''} ORDER BY r.position`,
        params,
      );
      const expected = RECORDS.map((record) =>
        isTruthy(evaluateFormula(ast, record, { fields: FIELDS, timeZone: TIME_ZONE, now })),
      );
      expect(rows.map((r) => r.c)).toEqual(expected);
    }
    expect(parses).toBe(1);
  });

  it('compiles afresh for another schema (fields array)', () => {
    const renumbered = FIELDS.map((f) => (f.name === 'Stars' ? { ...f, id: 'fldStarsRenamed1' } : f));
    const compile = (fields: typeof FIELDS) =>
      compileFormulaCondition(() => parseFormula(formula, fields), {
        fields,
        alias: 'r',
        params: [],
        timeZone: TIME_ZONE,
        now: NOW,
        memoKey: formula,
      });
    expect(compile(FIELDS)).not.toContain('fldStarsRenamed1');
    expect(compile(renumbered)).toContain('fldStarsRenamed1');
  });
});
