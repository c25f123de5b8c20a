import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FORMULA_LIMITS } from '../../src/domain/formula/limits.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { fusion, type Envelope } from '../support/fusion.js';

/**
 * Hostile formulas over HTTP: deep or long ones answer 400 naming the parameter (never a 500 from a stack overflow),
 * and deeply nested ones within the limits compile to SQL linear in their size and answer the right rows.
 */
let t: TestApp;
let dst: string;
type Page = { total: number; records: { recordId: string; fields: Record<string, unknown> }[] };

const api = <T = Page>(method: string, path: string, body?: unknown) =>
  fusion<T>(t.url, method, `/v1${path}`, { token: t.token, body });
const filter = (formula: string) =>
  api('GET', `/datasheets/${dst}/records?filterByFormula=${encodeURIComponent(formula)}`);
const names = (r: { body: Envelope<Page> }) => r.body.data!.records.map((x) => x.fields.Name);
const nest = (template: string, depth: number, inner: string) =>
  Array.from({ length: depth }).reduce<string>((x) => template.replaceAll('X', x), inner);
const addField = (expression: string) =>
  api<{ id: string }>('POST', `/spaces/${t.spaceId}/datasheets/${dst}/fields`, {
    name: 'Computed',
    type: 'Formula',
    property: { expression },
  });

const DEEP = `The formula is nested too deeply (more than ${FORMULA_LIMITS.depth} levels)`;
const LONG = `The formula is too long (more than ${FORMULA_LIMITS.length} characters)`;
const COMPLEX = 'The formula is too complex to run (its compiled query would be too large)';

beforeAll(async () => {
  t = await startTestApp({ RATE_LIMIT: 'off' });
  const created = await api<{ id: string }>('POST', `/spaces/${t.spaceId}/datasheets`, {
    name: 'Words',
    fields: [
      { name: 'Name', type: 'SingleText', property: {} },
      { name: 'Qty', type: 'Number', property: { precision: 0 } },
    ],
  });
  dst = created.body.data!.id;
  const rows = [{ Name: 'Alpha', Qty: 1 }, { Name: 'beta', Qty: 2 }, { Name: 'GAMMA', Qty: 3 }, { Qty: 4 }];
  expect(
    (await api('POST', `/datasheets/${dst}/records`, { records: rows.map((fields) => ({ fields })) })).body.success,
  ).toBe(true);
});
afterAll(async () => {
  await t?.close();
});

describe('filterByFormula limits', () => {
  it.each([
    ['6,000 negations', `${'!'.repeat(6000)}1`, DEEP],
    ['6,000 unary minus signs', `${'-'.repeat(6000)}{Qty}`, DEEP],
    ['6,000 open parentheses', `${'('.repeat(6000)}1`, DEEP],
    ['6,000 balanced parentheses', `${'('.repeat(6000)}1${')'.repeat(6000)}`, LONG],
    ['101 nested LOWER', nest('LOWER(X)', 101, '{Name}'), DEEP],
    ['a string longer than the limit', `"${'a'.repeat(FORMULA_LIMITS.length)}"`, LONG],
    [
      'a formula whose SQL would be too large',
      Array(40).fill('DATETIME_DIFF(Name, Name, Name) > 1').join('||'),
      COMPLEX,
    ],
  ])('answers %s with code 400 naming filterByFormula', async (_, formula, message) => {
    const res = await filter(formula);
    expect([res.status, res.body]).toEqual([
      200,
      { success: false, code: 400, message: `Invalid value for filterByFormula: ${message}` },
    ]);
  });

  it.each([
    ['16 nested LOWER', nest('LOWER(X)', 16, '{Name}') + ' = "alpha"', ['Alpha']],
    ['16 nested UPPER', nest('UPPER(X)', 16, '{Name}') + ' = "BETA"', ['beta']],
    [
      '16 nested FIND (found)',
      `${nest('FIND("a", X & "a")', 16, '{Name}')} = 2 && {Qty} < 4`,
      ['Alpha', 'beta', 'GAMMA'],
    ],
    [
      '16 nested FIND (not found)',
      `${nest('FIND("a", X & "")', 16, '{Name}')} = 0 && {Qty} != 1`,
      ['beta', 'GAMMA', undefined],
    ],
    ['FIND over 16 nested LOWER', `FIND("m", ${nest('LOWER(X)', 16, '{Name}')}) = 3`, ['GAMMA']],
    ['SEARCH over 16 nested LOWER', `SEARCH("ph", ${nest('LOWER(X)', 16, '{Name}')}) = 3`, ['Alpha']],
    ['16 nested SEARCH', nest('SEARCH("a", X & "a")', 16, '{Name}') + ' = 1', []],
    ['90 unary minus signs', nest('-X', 90, '{Qty}') + ' = 2', ['beta']],
    ['500 alternatives', Array(500).fill('{Qty} = 9').join(' || ') + ' || {Qty} = 3', ['GAMMA']],
  ])('answers %s with the matching records', async (_, formula, expected) => {
    const res = await filter(formula);
    expect([res.status, res.body.success, names(res)]).toEqual([200, true, expected]);
  });
});

describe('Formula field expression limits', () => {
  it.each([
    ['nested too deeply', nest('LOWER(X)', 101, '{Name}'), DEEP],
    ['too long', `"${'a'.repeat(FORMULA_LIMITS.length)}"`, LONG],
    ['too complex to compile', Array(40).fill('DATETIME_DIFF(Name, Name, Name)').join('&'), COMPLEX],
  ])(
    'refuses an expression %s with code 400 naming property.expression, adding nothing',
    async (_, expression, message) => {
      const res = await addField(expression);
      expect([res.status, res.body]).toEqual([
        200,
        { success: false, code: 400, message: `Invalid value for property.expression: ${message}` },
      ]);
      const fields = await api<{ fields: { name: string }[] }>('GET', `/datasheets/${dst}/fields`);
      expect(fields.body.data!.fields.map((f) => f.name)).toEqual(['Name', 'Qty']);
    },
  );

  it('computes a deeply nested expression within the limits', async () => {
    const res = await addField(nest('LOWER(X)', 20, '{Name}'));
    expect(res.body.success).toBe(true);
    const page = await filter('{Computed} = "gamma"');
    expect([names(page), page.body.data!.records[0]!.fields.Computed]).toEqual([['GAMMA'], 'gamma']);
  });
});
