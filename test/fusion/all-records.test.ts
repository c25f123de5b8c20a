import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ownerScope, startTestApp, type TestApp } from '../support/app.js';
import { fusion } from '../support/fusion.js';

/**
 * GET records with pageSize=-1 (every matching row): streamed page by page and metered by rows, one rate-limit
 * point per 1,000 rows. Rates are on, 20 points per minute-long window, so what each request spent shows.
 */
let t: TestApp;
let dst: string;
const ROWS = 2_500;

type Page = {
  total: number;
  pageNum: number;
  pageSize: number;
  records: { recordId: string; fields: Record<string, unknown> }[];
};

async function get(query: string) {
  const response = await fusion<Page>(t.url, 'GET', `/v1/datasheets/${dst}/records${query}`, { token: t.token });
  return { response, body: response.body };
}
const remaining = (r: { response: { headers: Headers } }) => Number(r.response.headers.get('x-ratelimit-remaining'));

beforeAll(async () => {
  t = await startTestApp({ RATE_LIMIT_QPS: 'FREE=20,PLUS=20,PRO=20,ENTERPRISE=20', RATE_LIMIT_WINDOW_MS: '60000' });
  const scope = await ownerScope(t);
  const sheet = await t.app.services.datasheets.create(scope, {
    name: 'Many',
    fields: [
      { name: 'Name', type: 'SingleText', property: {} },
      { name: 'N', type: 'Number', property: { precision: 0 } },
    ],
  });
  dst = sheet.id;
  for (let from = 0; from < ROWS; from += 1_000) {
    await t.app.services.records.create(
      scope,
      dst,
      Array.from({ length: Math.min(1_000, ROWS - from) }, (_, i) => ({ Name: `r${from + i}`, N: (from + i) % 7 })),
    );
  }
});
afterAll(async () => {
  await t?.close();
});

describe('pageSize=-1', () => {
  it('streams every matching row in the paged order, and spends one point per 1,000 rows', async () => {
    const all = await get('?pageSize=-1&sort[][field]=N&sort[][order]=desc');
    expect(all.response.headers.get('content-length')).toBeNull();
    expect(all.response.headers.get('transfer-encoding')).toBe('chunked');
    expect(all.body).toMatchObject({
      code: 200,
      success: true,
      message: 'SUCCESS',
      data: { total: ROWS, pageNum: 1, pageSize: ROWS },
    });
    expect(Object.keys(all.body)).toEqual(['code', 'success', 'data', 'message']);
    expect(Object.keys(all.body.data!)).toEqual(['total', 'records', 'pageNum', 'pageSize']);
    const ids = all.body.data!.records.map((r) => r.recordId);
    expect(new Set(ids).size).toBe(ROWS);
    // Admission took 1 point, the two pages after the first 1 each: the next request sees 20 - 3 - 1 left.
    const after = await get('?pageSize=1');
    expect(remaining(all)).toBe(19);
    expect(remaining(after)).toBe(16);
    const paged: string[] = [];
    for (let pageNum = 1; pageNum <= 3; pageNum++) {
      paged.push(
        ...(await get(`?pageSize=1000&pageNum=${pageNum}&sort[][field]=N&sort[][order]=desc`)).body.data!.records.map(
          (r) => r.recordId,
        ),
      );
    }
    expect(ids).toEqual(paged);
  });

  it('honours maxRecords and filters, and answers an empty result as a paged one does', async () => {
    const capped = await get('?pageSize=-1&maxRecords=1500');
    expect(capped.body.data).toMatchObject({ total: 1500, pageSize: 1500 });
    expect(capped.body.data!.records).toHaveLength(1500);
    const few = await get('?pageSize=-1&maxRecords=5');
    expect(few.body.data).toMatchObject({ total: 5, pageSize: 5 });
    const sevens = await get(`?pageSize=-1&filterByFormula=${encodeURIComponent('{N} = 3')}`);
    expect(sevens.body.data!.total).toBe(357);
    expect(sevens.body.data!.records.every((r) => r.fields.N === 3)).toBe(true);
    const none = await get(`?pageSize=-1&filterByFormula=${encodeURIComponent('{N} = 99')}`);
    expect(none.body).toEqual({
      code: 200,
      success: true,
      data: { total: 0, records: [], pageNum: 1, pageSize: 0 },
      message: 'SUCCESS',
    });
  });

  it('answers a bad query before streaming, with the usual envelope', async () => {
    const bad = await get('?pageSize=-1&viewId=viwNope');
    expect(bad.body).toEqual({ success: false, code: 400, message: 'The specified view does not exist' });
  });
});

describe('text cells by default', () => {
  it('refuses 5 MB of text with the default limit of 100,000 characters', async () => {
    const response = await fetch(`${t.url}/fusion/v1/datasheets/${dst}/records`, {
      method: 'POST',
      headers: { authorization: `Bearer ${t.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ records: [{ fields: { Name: 'x'.repeat(5 * 1024 * 1024) } }] }),
    });
    expect(await response.json()).toEqual({
      success: false,
      code: 400,
      message: "field:Name text can't be longer than 100000 characters",
    });
  });
});
