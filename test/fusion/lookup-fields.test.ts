import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';
import { fusion } from '../support/fusion.js';

/** Lookup fields over the Fusion API: created against a link field, computed from the linked records on every read. */
let t: TestApp;

type Page = { records: { recordId: string; fields: Record<string, unknown> }[] };

const api = async <T = Page>(method: string, path: string, body?: unknown) =>
  (await fusion<T>(t.url, method, `/v1${path}`, { token: t.token, body })).body;
const datasheet = async (name: string, fields: unknown[]) =>
  (
    await api<{ id: string; fields: { id: string; name: string }[] }>('POST', `/spaces/${t.spaceId}/datasheets`, {
      name,
      fields,
    })
  ).data!;
const addField = (dst: string, field: unknown) =>
  api<{ id: string }>('POST', `/spaces/${t.spaceId}/datasheets/${dst}/fields`, field);

let orders: string;
let productsId: string;
let priceId: string;

beforeAll(async () => {
  t = await startTestApp({ RATE_LIMIT: 'off' });
  const products = await datasheet('Products', [
    { name: 'Name', type: 'SingleText', property: {} },
    { name: 'Price', type: 'Currency', property: { precision: 2, symbol: '$' } },
  ]);
  const made = await api('POST', `/datasheets/${products.id}/records`, {
    records: [{ fields: { Name: 'pen', Price: 1.25 } }, { fields: { Name: 'book', Price: 12 } }],
  });
  const [pen, book] = made.data!.records.map((r) => r.recordId);
  orders = (await datasheet('Orders', [{ name: 'Title', type: 'SingleText', property: {} }])).id;
  const link = (
    await addField(orders, { name: 'Items', type: 'OneWayLink', property: { foreignDatasheetId: products.id } })
  ).data!.id;
  const price = products.fields.find((f) => f.name === 'Price')!.id;
  productsId = products.id;
  priceId = price;
  const name = products.fields.find((f) => f.name === 'Name')!.id;
  for (const field of [
    { name: 'Item names', type: 'MagicLookUp', property: { relatedLinkFieldId: link, targetFieldId: name } },
    {
      name: 'Total',
      type: 'MagicLookUp',
      property: {
        relatedLinkFieldId: link,
        targetFieldId: price,
        rollupFunction: 'SUM',
        format: { precision: 2, symbol: '$' },
      },
    },
  ]) {
    expect(await addField(orders, field)).toMatchObject({ success: true });
  }
  await api('POST', `/datasheets/${orders}/records`, {
    records: [{ fields: { Title: 'first', Items: [book, pen] } }, { fields: { Title: 'none' } }],
  });
});
afterAll(async () => {
  await t?.close();
});

describe('Lookup fields', () => {
  it('read the linked records’ values and roll-ups, as json and as text', async () => {
    const json = (await api('GET', `/datasheets/${orders}/records`)).data!.records.map((r) => r.fields);
    expect(json).toEqual([
      { Title: 'first', Items: expect.any(Array), 'Item names': ['book', 'pen'], Total: 13.25 },
      { Title: 'none', Total: 0 },
    ]);
    const text = (await api('GET', `/datasheets/${orders}/records?cellFormat=string`)).data!.records.map(
      (r) => r.fields,
    );
    expect(text[0]).toMatchObject({ 'Item names': 'book, pen', Total: '$13.25' });
  });

  it('refuse a lookup over a field that is not a link, with the reference message', async () => {
    const title = (
      await api<{ fields: { id: string; name: string }[] }>('GET', `/datasheets/${orders}/fields`)
    ).data!.fields.find((f) => f.name === 'Title')!.id;
    const res = await addField(orders, {
      name: 'Bad',
      type: 'MagicLookUp',
      property: { relatedLinkFieldId: title, targetFieldId: 'fldAnything0001' },
    });
    expect(res).toMatchObject({
      success: false,
      code: 400,
      message: `The field ID "${title}" associated with the lookup field is not a link field.`,
    });
  });

  it('show the field they read as entityField in GET fields, and hasError once it is gone', async () => {
    type Fields = { fields: { name: string; type: string; property?: Record<string, unknown> }[] };
    const lookupOf = async (name: string) =>
      (await api<Fields>('GET', `/datasheets/${orders}/fields`)).data!.fields.find((f) => f.name === name)!;
    expect((await lookupOf('Total')).property).toMatchObject({
      rollupFunction: 'SUM',
      valueType: 'Number',
      entityField: {
        datasheetId: productsId,
        field: { id: priceId, name: 'Price', type: 'Currency', property: { precision: 2, symbol: '$' } },
      },
    });
    const removed = await api('DELETE', `/spaces/${t.spaceId}/datasheets/${productsId}/fields/${priceId}`);
    expect(removed).toMatchObject({ success: true });
    expect((await lookupOf('Total')).property).toEqual({
      relatedLinkFieldId: expect.any(String),
      targetFieldId: priceId,
      rollupFunction: 'SUM',
      hasError: true,
    });
    // Its cells read empty, and the rest of the record still reads.
    expect((await api('GET', `/datasheets/${orders}/records`)).data!.records[0]!.fields).toMatchObject({
      Title: 'first',
      'Item names': ['book', 'pen'],
    });
  });
});
