import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileFormula, compileFormulaCondition } from '../../src/db/query/compile-formula.js';
import { formulaIndexHint } from '../../src/db/query/formula-index-hints.js';
import type { FieldDef } from '../../src/domain/fields/field-type.js';
import { resolveFormulaFields } from '../../src/domain/formula/formula-fields.js';
import {
  evaluateFormula,
  FormulaRuntimeError,
  isTruthy,
  parseFormula,
  type FormulaRecord,
} from '../../src/domain/formula/index.js';
import { formulaDatabase, type FormulaDatabase } from '../unit/formula/db-fixture.js';
import { FIELDS, makeRecord, NOW, type RowInput } from '../unit/formula/fixture.js';

/**
 * Property: for random well-typed formulas over the fixture's fields and random records (empty cells included),
 * `SELECT id FROM records r WHERE <compileFormulaCondition>` returns exactly the records the evaluator keeps.
 * Each datasheet also has two random Formula fields, F1 and F2 (F2 may read F1; the formulas may read both):
 * their values computed in SQL equal the evaluator's, record by record.
 * The seed is printed on failure (set FORMULA_SEED to replay; FORMULA_RUNS to run more).
 */
type T = 'number' | 'string' | 'boolean' | 'datetime' | 'array';

const quote = (s: string) => `"${s.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
const pick = <V>(...values: V[]) => fc.constantFrom(...values);

const TEXTS = [
  '',
  'a',
  'Alpha',
  'beta',
  'red',
  '12.5',
  '-3',
  '2024-03-01',
  '2024-03-01 10:30',
  ' x ',
  'Ünï 😀',
  'a,b',
  'true',
  '0',
  'TRUE',
  '1e5',
  ' 5 ',
  '+.5',
  '-0',
  '2024/2/29',
  '2024-02-30',
  '2024-03-10T02:30',
  '2024-11-03 01:30:15.5+05:30',
  '1700000000000',
  '$1,234.5',
];
const textLiteral = pick(...TEXTS).map(quote);
const numberLiteral = fc
  .oneof(
    fc.integer({ min: -50, max: 50 }),
    fc.integer({ min: -100_000, max: 100_000 }).map((n) => n / 100),
    pick(0, 0.1, 0.2, 0.3, 1e15, 12345.678),
  )
  .map((n) => (n < 0 ? `(-${-n})` : String(n)));
const smallInt = fc.integer({ min: -3, max: 12 }).map((n) => (n < 0 ? `(-${-n})` : String(n)));
const UNITS = ['ms', 'seconds', 'm', 'hours', 'days', 'd', 'weeks', 'months', 'M', 'quarters', 'years', 'y'];
const unit = pick(...UNITS).map(quote);
const FORMATS = ['YYYY-MM-DD', 'HH:mm:ss', 'YYYY/MM/DD hh:mm A', 'dddd D MMMM YY', '[Q]Q ddd d Z', 'x', ''];

const fieldOf = (...names: string[]) =>
  fc.tuple(pick(...names), fc.boolean()).map(([n, bare]) => (bare && !/\s/.test(n) ? n : `{${n}}`));

/** Leaves: mostly field references (so results vary by record), sometimes literals. */
const leaf = (fields: fc.Arbitrary<string>, literals: fc.Arbitrary<string>) =>
  fc.oneof({ weight: 3, arbitrary: fields }, { weight: 1, arbitrary: literals });
const LEAVES: Record<T, fc.Arbitrary<string>> = {
  number: leaf(fieldOf('Qty', 'Price', 'Rate', 'Stars', 'Seq'), numberLiteral),
  string: leaf(fieldOf('Title', 'Notes', 'Status'), textLiteral),
  boolean: leaf(fieldOf('Done'), pick('TRUE()', 'FALSE()')),
  datetime: leaf(fieldOf('Due Date', 'Created'), pick('TODAY()', 'NOW()', 'CREATED_TIME()', '"2024-01-15 08:00"')),
  array: fieldOf('Tags'),
};

const TYPES: T[] = ['number', 'string', 'boolean', 'datetime', 'array'];

type Leaves = Record<T, fc.Arbitrary<string>>;

/** The leaves plus a reference to a Formula field of type `type`. */
const withReference = (leaves: Leaves, type: T, name: string): Leaves => ({
  ...leaves,
  [type]: fc.oneof({ weight: 2, arbitrary: leaves[type] }, { weight: 1, arbitrary: fc.constant(`{${name}}`) }),
});

function gen(type: T, depth: number, leaves: Leaves = LEAVES): fc.Arbitrary<string> {
  if (depth <= 0) return leaves[type];
  const g = (t: T) => fc.constant(null).chain(() => gen(t, depth - 1, leaves));
  const any = fc.constantFrom(...TYPES).chain((t) => gen(t, depth - 1, leaves));
  const n = () => g('number');
  const s = () => g('string');
  const b = () => g('boolean');
  const d = () => g('datetime');
  const a = () => g('array');
  const call = (name: string, ...args: fc.Arbitrary<string>[]) =>
    fc.tuple(...args).map((xs) => `${name}(${xs.join(', ')})`);
  const op = (x: fc.Arbitrary<string>, o: string, y: fc.Arbitrary<string>) =>
    fc.tuple(x, y).map(([l, r]) => `(${l} ${o} ${r})`);
  const composites: Record<T, fc.Arbitrary<string>[]> = {
    number: [
      op(n(), '+', n()),
      op(n(), '-', n()),
      op(n(), '*', n()),
      op(n(), '/', n()),
      op(n(), '%', n()),
      n().map((x) => `-${x}`),
      op(d(), '-', d()),
      call('ROUND', n(), smallInt),
      call('ROUNDUP', n(), smallInt),
      call('ROUNDDOWN', n(), smallInt),
      call('CEILING', n(), pick('0.1', '0.5', '2', '(-2)')),
      call('FLOOR', n(), pick('0.25', '3')),
      call('INT', n()),
      call('ABS', n()),
      call('MOD', n(), n()),
      call('EVEN', n()),
      call('ODD', n()),
      call('SQRT', n()),
      call('SUM', n(), n(), any),
      call('AVERAGE', n(), any),
      call('MAX', n(), n()),
      call('MIN', n(), any),
      call('VALUE', s()),
      call('LEN', s()),
      call('FIND', s(), s()),
      call('SEARCH', s(), s(), smallInt),
      call('YEAR', d()),
      call('MONTH', d()),
      call('DAY', d()),
      call('HOUR', d()),
      call('MINUTE', d()),
      call('WEEKDAY', d()),
      call('WEEKNUM', d()),
      call('DATETIME_DIFF', d(), d(), unit),
      call('TONOW', d(), unit),
      call('WORKDAY_DIFF', d(), d()),
      call('COUNTA', a()),
      call('COUNTALL', a()),
      call('COUNTIF', a(), s()),
      call('COUNT', n(), any),
      call('IF', b(), n(), n()),
      call('SWITCH', n(), n(), n(), n()),
    ],
    string: [
      op(any, '&', any),
      op(s(), '+', any),
      call('CONCATENATE', any, any),
      call('LEFT', s(), smallInt),
      call('RIGHT', s(), smallInt),
      call('MID', s(), smallInt, smallInt),
      call('UPPER', s()),
      call('LOWER', s()),
      call('TRIM', s()),
      call('SUBSTITUTE', s(), s(), s()),
      call('SUBSTITUTE', s(), s(), s(), smallInt),
      call('REPLACE', s(), smallInt, smallInt, s()),
      call('REPT', s(), pick('0', '1', '3')),
      call('T', any),
      call('DATETIME_FORMAT', d(), pick(...FORMATS).map(quote)),
      call('DATESTR', d()),
      call('TIMESTR', d()),
      call('ARRAYJOIN', a(), pick('", "', '"|"', '""')),
      call('IF', b(), s(), any),
      call('SWITCH', s(), s(), s(), s()),
      call('ENCODE_URL_COMPONENT', s()),
      call('RECORD_ID'),
    ],
    boolean: [
      ...(['=', '!=', '>', '>=', '<', '<='] as const).map((o) =>
        fc.tuple(any, any).map(([l, r]) => `(${l} ${o} ${r})`),
      ),
      ...(['=', '<'] as const).map((o) => op(s(), o, s())),
      op(n(), '>', n()),
      op(d(), '<', d()),
      op(d(), '=', s()),
      op(any, '&&', any),
      op(any, '||', any),
      any.map((x) => `!${x}`),
      call('AND', any, any),
      call('OR', any, any),
      call('XOR', any, any, any),
      call('NOT', any),
      call('ISERROR', any),
      call('IS_BEFORE', d(), d()),
      call('IS_AFTER', d(), s()),
      call('IS_SAME', d(), d(), unit),
      call('AND', a()),
      call('OR', a()),
    ],
    datetime: [
      call('DATEADD', d(), n(), unit),
      call('DATETIME_PARSE', s()),
      call('IF', b(), d(), d()),
      call('WORKDAY', d(), smallInt),
      call('MAX', d(), d()),
      call('SET_TIMEZONE', d(), pick('0', '8', '(-5)', '"Europe/Paris"')),
    ],
    array: [
      call('ARRAYUNIQUE', a(), s()),
      call('ARRAYCOMPACT', a(), s()),
      call('ARRAYFLATTEN', a(), n()),
      call('IF', b(), a(), a()),
    ],
  };
  return fc.oneof({ weight: 1, arbitrary: leaves[type] }, { weight: 3, arbitrary: fc.oneof(...composites[type]) });
}

/** Top-level formulas lean towards conditions (booleans), the usual filterByFormula shape. */
const topType = fc.oneof(
  { weight: 4, arbitrary: fc.constant<T>('boolean') },
  { weight: 2, arbitrary: fc.constant<T>('number') },
  { weight: 2, arbitrary: fc.constant<T>('string') },
  { weight: 1, arbitrary: fc.constant<T>('datetime') },
  { weight: 1, arbitrary: fc.constant<T>('array') },
);
const formulaOf = (leaves: Leaves) =>
  fc.integer({ min: 1, max: 4 }).chain((depth) => topType.chain((t) => gen(t, depth, leaves)));

/** Two Formula fields (F2 may read F1) and three formulas that may read either. */
const formulaSet = topType.chain((t1) =>
  fc.integer({ min: 1, max: 3 }).chain((d1) =>
    gen(t1, d1).chain((f1) =>
      topType.chain((t2) =>
        fc.integer({ min: 1, max: 3 }).chain((d2) =>
          gen(t2, d2, withReference(LEAVES, t1, 'F1')).chain((f2) =>
            fc
              .array(formulaOf(withReference(withReference(LEAVES, t1, 'F1'), t2, 'F2')), {
                minLength: 3,
                maxLength: 3,
              })
              .map((formulas) => ({ f1, f2, formulas })),
          ),
        ),
      ),
    ),
  ),
);

const formulaField = (id: string, name: string, expression: string): FieldDef => ({
  id,
  name,
  type: 'Formula',
  property: { expression, valueType: 'String', hasError: false },
  isPrimary: false,
});

/** A value as SQL returns it, for comparison with the evaluator's (errors are empty cells). */
const comparable = (value: unknown): unknown =>
  value instanceof FormulaRuntimeError || value === undefined ? null : value;

const maybe = <V>(arb: fc.Arbitrary<V>) => fc.option(arb, { nil: null, freq: 4 });
const row: fc.Arbitrary<RowInput & { created: number }> = fc.record({
  Title: maybe(pick(...TEXTS)),
  Notes: maybe(pick(...TEXTS)),
  Qty: maybe(
    fc.oneof(
      fc.integer({ min: -20, max: 20 }),
      fc.integer({ min: -10_000, max: 10_000 }).map((n) => n / 100),
      pick(0.1, 1e21, -0.005),
    ),
  ),
  Price: maybe(fc.integer({ min: -100_000, max: 100_000 }).map((n) => n / 1000)),
  Rate: maybe(pick(0, 0.25, 0.5, 1, 0.333, -0.1)),
  Done: fc.boolean(),
  Status: maybe(pick('Todo', 'Doing', 'Done')),
  Tags: maybe(fc.array(pick('red', 'green', 'blue', '12'), { maxLength: 4 })),
  'Due Date': maybe(
    fc.oneof(
      fc.integer({ min: Date.UTC(1995, 0, 1), max: Date.UTC(2035, 0, 1) }),
      fc.integer({ min: 0, max: 400_000 }).map((m) => Date.UTC(2024, 0, 1) + m * 60_000),
    ),
  ),
  Stars: maybe(fc.integer({ min: 0, max: 5 })),
  Seq: fc.integer({ min: 1, max: 1000 }),
  created: fc.integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2025, 0, 1) }),
});

let db: FormulaDatabase;
let datasheets = 0;
beforeAll(async () => {
  db = await formulaDatabase();
});
afterAll(async () => {
  await db?.dispose();
});

const ZONES = ['UTC', 'Asia/Shanghai', 'America/New_York'];
const RUNS = Number(process.env.FORMULA_RUNS ?? 80);

describe('compiled filter ≡ evaluator', () => {
  it(
    `selects exactly the records the evaluator keeps (${RUNS} random datasheets × 3 formulas)`,
    async () => {
      const seed = process.env.FORMULA_SEED ? Number(process.env.FORMULA_SEED) : Date.now() % 2_147_483_647;
      const property = fc.asyncProperty(
        fc.array(row, { minLength: 1, maxLength: 30 }),
        formulaSet,
        pick(...ZONES),
        async (rows, { f1, f2, formulas }, timeZone) => {
          const first = ++datasheets * 100;
          const records: FormulaRecord[] = rows.map(({ created, ...r }, i) => makeRecord(first + i, r, created));
          const sheet = await db.datasheet(records);
          const { fields, asts } = resolveFormulaFields([
            ...FIELDS,
            formulaField('fldF1', 'F1', f1),
            formulaField('fldF2', 'F2', f2),
          ]);
          const context = { fields, timeZone, now: NOW, formulas: asts };
          for (const [id, text] of [
            ['fldF1', f1],
            ['fldF2', f2],
          ] as const) {
            const ast = asts.get(id);
            if (!ast) throw new Error(`formula field ${text} did not parse`);
            const params: unknown[] = [sheet];
            const value = compileFormula(ast, { ...context, alias: 'r', params });
            let computed: unknown[];
            try {
              computed = (
                await db.query<{ v: unknown }>(
                  `SELECT ${value} AS v FROM records r WHERE r.datasheet_id = $1 ORDER BY r.position`,
                  params,
                )
              ).map((r) => r.v);
            } catch (error) {
              throw new Error(`formula field ${text} (zone ${timeZone}): SQL failed: ${(error as Error).message}`);
            }
            const expected = records.map((r) => comparable(evaluateFormula(ast, r, context)));
            if (JSON.stringify(computed.map(comparable)) !== JSON.stringify(expected)) {
              throw new Error(
                `formula field ${id} = ${text} (F1 = ${f1}, zone ${timeZone}): SQL computed ${JSON.stringify(computed)}, evaluator ${JSON.stringify(expected)}`,
              );
            }
          }
          for (const text of formulas) {
            const ast = parseFormula(text, fields);
            const params: unknown[] = [sheet];
            const exact = compileFormulaCondition(ast, { ...context, alias: 'r', params });
            // With the index hint filterByFormula adds (formula-index-hints.ts): it must never drop a kept row.
            const hint = formulaIndexHint(ast, fields, timeZone);
            const bind = { add: (v: unknown, cast?: string) => `$${params.push(v)}${cast ? `::${cast}` : ''}` };
            const condition = hint ? `(${exact} AND ${hint.sql(bind)})` : exact;
            let selected: string[];
            try {
              const rows = await db.query<{ id: string }>(
                `SELECT r.id FROM records r WHERE r.datasheet_id = $1 AND ${condition} ORDER BY r.position`,
                params,
              );
              selected = rows.map((r) => r.id);
            } catch (error) {
              throw new Error(`formula ${text} (zone ${timeZone}): SQL failed: ${(error as Error).message}`);
            }
            const kept = records.filter((r) => isTruthy(evaluateFormula(ast, r, context))).map((r) => r.id);
            if (process.env.FORMULA_DEBUG) console.log(`${kept.length}/${records.length}`, text);
            if (JSON.stringify(selected) !== JSON.stringify(kept)) {
              throw new Error(
                `formula ${text} (zone ${timeZone}): SQL selected ${JSON.stringify(selected)}, evaluator kept ${JSON.stringify(kept)}`,
              );
            }
          }
        },
      );
      const result = await fc.check(property, { numRuns: RUNS, seed, endOnFailure: !process.env.FORMULA_SHRINK });
      if (result.failed) {
        const reason =
          result.errorInstance instanceof Error ? result.errorInstance.message : String(result.errorInstance);
        expect.fail(
          `seed ${seed} (FORMULA_SEED=${seed} to replay), counterexample after ${result.numRuns} runs: ${reason}`,
        );
      }
    },
    Math.max(60_000, RUNS * 1_000),
  );
});
