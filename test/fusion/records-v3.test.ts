import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';
import { fusion } from '../support/fusion.js';

/** GET /fusion/v3/datasheets/{id}/records is v1's GET records under another path: same parameters, answers and errors. */
let t: TestApp;
let dst: string;
let ids: string[];

beforeAll(async () => {
  t = await startTestApp({ RATE_LIMIT: 'off' });
  const created = await fusion<{ id: string }>(t.url, 'POST', `/v1/spaces/${t.spaceId}/datasheets`, {
    token: t.token,
    body: {
      name: 'V3',
      fields: [
        { name: 'Name', type: 'SingleText', property: {} },
        { name: 'Qty', type: 'Number', property: { precision: 0 } },
      ],
    },
  });
  dst = created.body.data!.id;
  const rows = [
    { Name: 'b', Qty: 2 },
    { Name: 'a', Qty: 2 },
    { Name: 'c', Qty: 1 },
  ];
  const res = await fusion<{ records: { recordId: string }[] }>(t.url, 'POST', `/v1/datasheets/${dst}/records`, {
    token: t.token,
    body: { records: rows.map((fields) => ({ fields })) },
  });
  ids = res.body.data!.records.map((r) => r.recordId);
});
afterAll(async () => {
  await t?.close();
});

const both = async (query: string) => {
  const v1 = await fusion(t.url, 'GET', `/v1/datasheets/${dst}/records${query}`, { token: t.token });
  const v3 = await fusion(t.url, 'GET', `/v3/datasheets/${dst}/records${query}`, { token: t.token });
  return { v1, v3 };
};

it.each([
  ['no parameters', ''],
  ['fieldKey=name (the documented v3 example)', '?fieldKey=name'],
  ['paging', '?pageSize=2&pageNum=2'],
  ['pageSize=-1', '?pageSize=-1'],
  [
    'JS SDK bracket sort on two fields',
    '?sort%5B%5D%5Bfield%5D=Qty&sort%5B%5D%5Border%5D=desc&sort%5B%5D%5Bfield%5D=Name&sort%5B%5D%5Border%5D=asc',
  ],
  [
    'repeated JSON sort and fields',
    `?sort=${encodeURIComponent('{"field":"Name","order":"desc"}')}&fields=Qty&fields=Name`,
  ],
  [
    'a formula, string cells and id keys',
    `?filterByFormula=${encodeURIComponent('{Qty}=2')}&cellFormat=string&fieldKey=id`,
  ],
  ['maxRecords', '?maxRecords=2'],
])('answers exactly as v1 for %s', async (_label, query) => {
  const { v1, v3 } = await both(query);
  expect(v3.status).toBe(200);
  expect(v3.body).toMatchObject({ code: 200, success: true, message: 'SUCCESS' });
  expect(v3.body).toEqual(v1.body);
  expect(Object.keys(v3.body.data as object).sort()).toEqual(['pageNum', 'pageSize', 'records', 'total']);
});

it('selects record ids in request order', async () => {
  const { v3 } = await both(`?recordIds=${ids[2]}&recordIds=${ids[0]}`);
  expect((v3.body.data as { records: { recordId: string }[] }).records.map((r) => r.recordId)).toEqual([
    ids[2],
    ids[0],
  ]);
});

it.each([
  ['?pageSize=1001', 'pageSize must be an integer from 1 to 1000'],
  ['?fieldKey=title', 'Invalid fieldKey (only supports "id" or "name")'],
  ['?sort[0][field]=Nope', 'The sorted field "Nope" does not exist'],
  ['?viewId=viwNope000000', 'The specified view does not exist'],
])('refuses %s with v1 error, code 400', async (query, message) => {
  const { v1, v3 } = await both(query);
  expect([v3.status, v3.body]).toEqual([200, { success: false, code: 400, message }]);
  expect(v3.body).toEqual(v1.body);
});

it('needs a token and answers an unknown datasheet with 301', async () => {
  const anonymous = await fusion(t.url, 'GET', `/v3/datasheets/${dst}/records`);
  expect([anonymous.status, anonymous.body]).toEqual([401, { success: false, code: 401, message: 'Unauthorized' }]);
  const missing = await fusion(t.url, 'GET', '/v3/datasheets/dstNope000000000/records', { token: t.token });
  expect(missing.body).toEqual({ success: false, code: 301, message: "Can't find the specified datasheet" });
});
