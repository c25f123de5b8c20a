import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';
import { fusion, type Envelope } from '../support/fusion.js';

let t: TestApp;
let dst: string;
let ids: string[];
type Page = {
  total: number;
  records: { recordId: string; fields: Record<string, unknown> }[];
  pageNum: number;
  pageSize: number;
};

const api = <T = Page>(method: string, path: string, body?: unknown) =>
  fusion<T>(t.url, method, `/v1${path}`, { token: t.token, body });
const names = (r: { body: Envelope<Page> }) => r.body.data!.records.map((x) => x.fields.Name);

beforeAll(async () => {
  t = await startTestApp({ RATE_LIMIT: 'off' });
  const created = await api<{ id: string }>('POST', `/spaces/${t.spaceId}/datasheets`, {
    name: 'Deals',
    fields: [
      { name: 'Name', type: 'SingleText', property: {} },
      { name: 'Qty', type: 'Number', property: { precision: 1 } },
      { name: 'Stage', type: 'SingleSelect', property: { options: [{ name: 'Lead' }, { name: 'Won' }] } },
      { name: 'Done', type: 'Checkbox', property: { icon: 'white_check_mark' } },
      { name: 'Link', type: 'URL' },
    ],
  });
  dst = created.body.data!.id;
  const rows = [
    { Name: 'b', Qty: 2, Stage: 'Won' },
    { Name: 'a', Qty: 2, Stage: 'Lead', Done: true },
    { Name: 'c', Qty: 1 },
  ];
  const res = await api<{ records: { recordId: string }[] }>('POST', `/datasheets/${dst}/records`, {
    records: rows.map((fields) => ({ fields })),
  });
  ids = res.body.data!.records.map((r) => r.recordId);
});
afterAll(async () => {
  await t?.close();
});

describe('create', () => {
  it('answers the created records in the json cell format, keyed by name', async () => {
    const res = await api<{ records: { recordId: string; fields: Record<string, unknown> }[] }>(
      'POST',
      `/datasheets/${dst}/records`,
      {
        records: [{ fields: { Name: 'new', Qty: 1.5, Unknown: 'ignored' } }],
      },
    );
    expect(res.body).toMatchObject({ code: 200, success: true, message: 'SUCCESS' });
    expect(res.body.data!.records[0]!.fields).toEqual({ Name: 'new', Qty: 1.5 });
    await api('DELETE', `/datasheets/${dst}/records?recordIds=${res.body.data!.records[0]!.recordId}`);
  });

  it('refuses more than 10 records before validating them (limits first), and writes nothing', async () => {
    const eleven = Array.from({ length: 11 }, (_, i) => ({ fields: { Name: `x${i}` } }));
    expect((await api('POST', `/datasheets/${dst}/records`, { records: eleven })).body).toEqual({
      success: false,
      code: 400,
      message: "Can't update/delete/create more than $10  records in one single request",
    });
    eleven[10]!.fields.Name = 5 as unknown as string;
    expect((await api('POST', `/datasheets/${dst}/records`, { records: eleven })).body.message).toBe(
      "Can't update/delete/create more than $10  records in one single request",
    );
    expect((await api('GET', `/datasheets/${dst}/records`)).body.data!.total).toBe(3);
  });

  it('answers the row cap with code 304 and HTTP 500, as the reference, writing nothing', async () => {
    await t.app.prisma.datasheet.update({ where: { id: dst }, data: { rowCap: 4 } });
    const res = await api('POST', `/datasheets/${dst}/records`, {
      records: [{ fields: { Name: 'x1' } }, { fields: { Name: 'x2' } }],
    });
    expect([res.status, res.body]).toEqual([
      500,
      { success: false, code: 304, message: 'the usage of this function exceed the 4 records limit of beta version' },
    ]);
    await t.app.prisma.datasheet.update({ where: { id: dst }, data: { rowCap: null } });
    expect((await api('GET', `/datasheets/${dst}/records`)).body.data!.total).toBe(3);
  });

  it('answers an unknown datasheet with 301', async () => {
    expect(
      (await api('POST', '/datasheets/dstNope000000000/records', { records: [{ fields: { Name: 'x' } }] })).body,
    ).toEqual({
      success: false,
      code: 301,
      message: "Can't find the specified datasheet",
    });
  });

  it('keys by field id with fieldKey=id in the body, and refuses an unknown fieldKey', async () => {
    const fields = (await api<{ fields: { id: string; name: string }[] }>('GET', `/datasheets/${dst}/fields`)).body
      .data!.fields;
    const nameId = fields.find((f) => f.name === 'Name')!.id;
    const res = await api<{ records: { recordId: string; fields: Record<string, unknown> }[] }>(
      'POST',
      `/datasheets/${dst}/records`,
      {
        fieldKey: 'id',
        records: [{ fields: { [nameId]: 'by id' } }],
      },
    );
    expect(res.body.data!.records[0]!.fields).toEqual({ [nameId]: 'by id' });
    await api('DELETE', `/datasheets/${dst}/records?recordIds=${res.body.data!.records[0]!.recordId}`);
    expect(
      (await api('POST', `/datasheets/${dst}/records`, { fieldKey: 'title', records: [{ fields: {} }] })).body.message,
    ).toBe('Invalid fieldKey (only supports "id" or "name")');
  });
});

describe('list', () => {
  it('pages with total, the page number and the number of records returned', async () => {
    const res = await api('GET', `/datasheets/${dst}/records?pageSize=2&pageNum=2`);
    expect(res.body.data).toMatchObject({ total: 3, pageNum: 2, pageSize: 1 });
    expect((await api('GET', `/datasheets/${dst}/records?pageSize=-1`)).body.data!.records).toHaveLength(3);
    expect((await api('GET', `/datasheets/${dst}/records?maxRecords=2`)).body.data).toMatchObject({
      total: 2,
      pageSize: 2,
    });
  });

  it.each([
    [
      'JS SDK brackets, two rules paired in order',
      'sort%5B%5D%5Bfield%5D=Qty&sort%5B%5D%5Border%5D=desc&sort%5B%5D%5Bfield%5D=Name&sort%5B%5D%5Border%5D=asc',
    ],
    ['indexed', 'sort[0][field]=Qty&sort[0][order]=desc&sort[1][field]=Name&sort[1][order]=asc'],
    [
      'repeated JSON (Python SDK)',
      `sort=${encodeURIComponent('{"field":"Qty","order":"desc"}')}&sort=${encodeURIComponent('{"field":"Name","order":"asc"}')}`,
    ],
    [
      'comma-joined JSON',
      `sort=${encodeURIComponent('{"field":"Qty","order":"desc"},{"field":"Name","order":"asc"}')}`,
    ],
    [
      'sort[] JSON',
      `sort[]=${encodeURIComponent('{"field":"Qty","order":"desc"}')}&sort[]=${encodeURIComponent('{"field":"Name","order":"asc"}')}`,
    ],
  ])('sorts on two fields with %s', async (_label, query) => {
    expect(names(await api('GET', `/datasheets/${dst}/records?${query}`))).toEqual(['a', 'b', 'c']);
  });

  it('names an unknown sort field, and refuses a malformed sort', async () => {
    expect((await api('GET', `/datasheets/${dst}/records?sort[0][field]=Nope`)).body).toEqual({
      success: false,
      code: 400,
      message: 'The sorted field "Nope" does not exist',
    });
    expect((await api('GET', `/datasheets/${dst}/records?sort=oops`)).body).toMatchObject({
      success: false,
      code: 400,
    });
  });

  it.each([
    ['comma list', (a: string, b: string) => `recordIds=${a},${b}`],
    ['repeated', (a: string, b: string) => `recordIds=${a}&recordIds=${b}`],
    ['brackets', (a: string, b: string) => `recordIds%5B%5D=${a}&recordIds%5B%5D=${b}`],
  ])('selects record ids in request order (%s)', async (_label, q) => {
    expect(
      (await api('GET', `/datasheets/${dst}/records?${q(ids[2]!, ids[0]!)}`)).body.data!.records.map((r) => r.recordId),
    ).toEqual([ids[2], ids[0]]);
  });

  it.each([
    ['comma list', 'fields=Qty,Name'],
    ['repeated', 'fields=Qty&fields=Name'],
    ['brackets', 'fields%5B%5D=Qty&fields%5B%5D=Name'],
  ])('projects fields in request order (%s)', async (_label, q) => {
    const res = await api('GET', `/datasheets/${dst}/records?${q}&recordIds=${ids[0]}`);
    expect(Object.keys(res.body.data!.records[0]!.fields)).toEqual(['Qty', 'Name']);
  });

  it('formats cells as strings, with the Checkbox and URL quirks', async () => {
    const res = await api('GET', `/datasheets/${dst}/records?cellFormat=string&recordIds=${ids[1]},${ids[2]}`);
    expect(res.body.data!.records.map((r) => r.fields)).toEqual([
      { Name: 'a', Qty: '2.0', Stage: 'Lead', Done: '1', Link: '' },
      { Name: 'c', Qty: '1.0', Done: '0', Link: '' },
    ]);
  });

  it.each([
    ['pageSize=0', 'pageSize must be an integer from 1 to 1000'],
    ['pageSize=abc', 'pageSize must be an integer'],
    ['pageNum=0', 'pageNum must be an integer from 1 up'],
    ['viewId=viwNope000000', 'The specified view does not exist'],
    ['fields=Nope', 'Invalid fields'],
    ['fieldKey=title', 'Invalid fieldKey (only supports "id" or "name")'],
    ['cellFormat=xml', 'cellFormat must be "json" or "string"'],
  ])('answers %s with code 400 naming the parameter', async (q, message) => {
    const res = await api('GET', `/datasheets/${dst}/records?${q}`);
    expect([res.status, res.body]).toEqual([200, { success: false, code: 400, message }]);
  });

  it('filters by formula in SQL, with total counting the filtered rows', async () => {
    const res = await api(
      'GET',
      `/datasheets/${dst}/records?filterByFormula=${encodeURIComponent('AND({Qty} >= 2, {Stage} = "Won")')}`,
    );
    expect([names(res), res.body.data!.total]).toEqual([['b'], 1]);
    const text = await api(
      'GET',
      `/datasheets/${dst}/records?filterByFormula=${encodeURIComponent('FIND("a", {Name}) > 0')}`,
    );
    expect(names(text)).toEqual(['a']);
    expect(names(await api('GET', `/datasheets/${dst}/records?filterByFormula=`))).toHaveLength(3);
  });

  it('answers a formula that does not parse with code 400 and the parser message', async () => {
    const res = await api('GET', `/datasheets/${dst}/records?filterByFormula=${encodeURIComponent('NOPE({Qty})')}`);
    expect(res.body).toEqual({ success: false, code: 400, message: 'Undefined function: NOPE' });
  });

  it('ignores unknown parameters, as the SDK adds fieldKey everywhere', async () => {
    expect((await api('GET', `/datasheets/${dst}/records?foo=bar&fieldKey=name`)).body.success).toBe(true);
  });
});

describe('update and delete', () => {
  it('updates partially with PATCH and PUT; null clears', async () => {
    const patched = await api<{ records: { fields: Record<string, unknown> }[] }>(
      'PATCH',
      `/datasheets/${dst}/records`,
      {
        records: [{ recordId: ids[2], fields: { Qty: null, Stage: 'Won' } }],
      },
    );
    expect(patched.body.data!.records[0]!.fields).toEqual({ Name: 'c', Stage: 'Won' });
    const put = await api<{ records: { fields: Record<string, unknown> }[] }>('PUT', `/datasheets/${dst}/records`, {
      records: [{ recordId: ids[2], fields: { Qty: 1 } }],
    });
    expect(put.body.data!.records[0]!.fields).toEqual({ Name: 'c', Qty: 1, Stage: 'Won' });
    expect(
      (
        await api('PATCH', `/datasheets/${dst}/records`, {
          records: [{ recordId: 'recNope000000', fields: { Qty: 1 } }],
        })
      ).body.message,
    ).toBe('The record specified by the recordId does not exist');
  });

  it('deletes with every recordIds encoding, answering without data; refuses more than 10', async () => {
    const made = await api<{ records: { recordId: string }[] }>('POST', `/datasheets/${dst}/records`, {
      records: [{ fields: { Name: 'd1' } }, { fields: { Name: 'd2' } }, { fields: { Name: 'd3' } }],
    });
    const [d1, d2, d3] = made.body.data!.records.map((r) => r.recordId);
    const res = await api('DELETE', `/datasheets/${dst}/records?recordIds=${d1},${d2}&recordIds%5B%5D=${d3}`);
    expect(res.body).toEqual({ code: 200, success: true, message: 'SUCCESS' });
    expect((await api('GET', `/datasheets/${dst}/records`)).body.data!.total).toBe(3);
    const many = Array.from({ length: 11 }, () => ids[0]).join(',');
    expect((await api('DELETE', `/datasheets/${dst}/records?recordIds=${many}`)).body.message).toBe(
      "Can't update/delete/create more than $10  records in one single request",
    );
    expect((await api('DELETE', `/datasheets/${dst}/records`)).body.message).toBe('recordIds should not be empty');
  });
});

describe('fields and views', () => {
  it('lists fields with type, property, primary flag and editability', async () => {
    const fields = (await api<{ fields: Record<string, unknown>[] }>('GET', `/datasheets/${dst}/fields`)).body.data!
      .fields;
    expect(fields.map((f) => [f.name, f.type, f.isPrimary ?? false, f.editable])).toEqual([
      ['Name', 'SingleText', true, true],
      ['Qty', 'Number', false, true],
      ['Stage', 'SingleSelect', false, true],
      ['Done', 'Checkbox', false, true],
      ['Link', 'URL', false, true],
    ]);
    expect(fields[1]!.property).toEqual({ precision: 1 });
    expect(fields[3]!.property).toEqual({ icon: '✅' });
    expect(fields[4]).not.toHaveProperty('property');
  });

  it('lists views', async () => {
    expect((await api<{ views: unknown[] }>('GET', `/datasheets/${dst}/views`)).body.data!.views).toEqual([
      { id: expect.stringMatching(/^viw/), name: 'Grid view', type: 'Grid' },
    ]);
  });
});
