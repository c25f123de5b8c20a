import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';
import { fusion } from '../support/fusion.js';

/** Formula fields over the Fusion API: created with name references, computed on every read, sortable and filterable. */
let t: TestApp;
let dst: string;
type Page = { total: number; records: { recordId: string; fields: Record<string, unknown> }[] };

const api = async <T = Page>(method: string, path: string, body?: unknown) =>
  (await fusion<T>(t.url, method, `/v1${path}`, { token: t.token, body })).body;
const column = async (query: string, name: string) =>
  (await api('GET', `/datasheets/${dst}/records?${query}`)).data!.records.map((r) => r.fields[name]);

beforeAll(async () => {
  t = await startTestApp({ RATE_LIMIT: 'off' });
  const created = await api<{ id: string }>('POST', `/spaces/${t.spaceId}/datasheets`, {
    name: 'Orders',
    fields: [
      { name: 'Item', type: 'SingleText', property: {} },
      { name: 'Qty', type: 'Number', property: { precision: 0 } },
      { name: 'Unit price', type: 'Number', property: { precision: 2 } },
      {
        name: 'Total',
        type: 'Formula',
        property: { expression: '{Qty} * {Unit price}', format: { precision: 2, symbol: '$' } },
      },
    ],
  });
  expect(created).toMatchObject({ success: true });
  dst = created.data!.id;
});
afterAll(async () => {
  await t?.close();
});

describe('Formula fields', () => {
  it('answer written records with their computed values', async () => {
    const res = await api<Page>('POST', `/datasheets/${dst}/records`, {
      records: [
        { fields: { Item: 'pen', Qty: 3, 'Unit price': 1.25 } },
        { fields: { Item: 'book', Qty: 1, 'Unit price': 12 } },
        { fields: { Item: 'clip', Qty: 100, 'Unit price': 0.02 } },
      ],
    });
    expect(res.data!.records.map((r) => r.fields.Total)).toEqual([3.75, 12, 2]);
  });

  it('compute on read, formatted for cellFormat=string, and sort and filter by value', async () => {
    expect(await column('cellFormat=string', 'Total')).toEqual(['$3.75', '$12.00', '$2.00']);
    expect(await column('sort[][field]=Total&sort[][order]=desc', 'Item')).toEqual(['book', 'pen', 'clip']);
    expect(await column(`filterByFormula=${encodeURIComponent('{Total} < 5')}`, 'Item')).toEqual(['pen', 'clip']);
  });

  it('show the expression with field ids and the result type in GET fields', async () => {
    const fields = (
      await api<{ fields: { id: string; name: string; property?: Record<string, unknown> }[] }>(
        'GET',
        `/datasheets/${dst}/fields`,
      )
    ).data!.fields;
    const id = (name: string) => fields.find((x) => x.name === name)!.id;
    expect(fields.find((x) => x.name === 'Total')!.property).toMatchObject({
      expression: `{${id('Qty')}} * {${id('Unit price')}}`,
      valueType: 'Number',
      hasError: false,
      format: { type: 'Currency', format: { precision: 2, symbol: '$' } },
    });
  });

  it('refuse writes and bad expressions with the reference messages', async () => {
    const write = await api('POST', `/datasheets/${dst}/records`, { records: [{ fields: { Item: 'x', Total: 1 } }] });
    expect(write).toMatchObject({ success: false, code: 400, message: "Formula field can't be edited" });
    const bad = await api('POST', `/spaces/${t.spaceId}/datasheets/${dst}/fields`, {
      name: 'Broken',
      type: 'Formula',
      property: { expression: '{Nope} + 1' },
    });
    expect(bad).toMatchObject({ success: false, code: 400 });
    expect(bad.message).toMatch(/property\.expression.*Nope/);
    expect((await api('GET', `/datasheets/${dst}/records`)).data!.records).toHaveLength(3);
  });
});
