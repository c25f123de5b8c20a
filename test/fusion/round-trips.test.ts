import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';
import { onPostgres } from '../support/database.js';
import { fusion } from '../support/fusion.js';

/**
 * Database round trips per request on the hot paths, counted at the driver (every statement Prisma, raw
 * sessions and transactions send, BEGIN and COMMIT included). A warm-up request of the same kind runs
 * first, so once-a-minute work (the token's last-used time) and cold caches are not counted. On PostgreSQL the token
 * verified by the warm-up is remembered (src/domain/tokens/token-cache.ts): one statement fewer per request.
 */
let t: TestApp;
let datasheetId: string;
let recordId: string;
beforeAll(async () => {
  t = await startTestApp({}, { countRoundTrips: true });
  const created = await fusion<{ id: string }>(t.url, 'POST', `/v1/spaces/${t.spaceId}/datasheets`, {
    token: t.token,
    body: {
      name: 'trips',
      fields: [
        { name: 'Name', type: 'SingleText', property: {} },
        { name: 'Amount', type: 'Number', property: { precision: 2 } },
      ],
    },
  });
  datasheetId = created.body.data!.id;
  const written = await fusion<{ records: { recordId: string }[] }>(
    t.url,
    'POST',
    `/v1/datasheets/${datasheetId}/records`,
    {
      token: t.token,
      body: { records: [{ fields: { Name: 'a', Amount: 1 } }] },
    },
  );
  recordId = written.body.data!.records[0]!.recordId;
  await t.app.services.indexing.idle();
  // PostgreSQL: tokens are remembered once the server hears the database's changes to them.
  for (let i = 0; i < 200 && onPostgres() && !t.app.services.tokenCache.enabled; i++)
    await new Promise((r) => setTimeout(r, 25));
});
afterAll(async () => {
  await t?.close();
});

async function roundTrips(send: () => Promise<{ status: number; body: { success: boolean } }>): Promise<number> {
  expect((await send()).body.success).toBe(true); // warm-up
  await t.app.services.indexing.idle();
  await t.app.services.feed.drain();
  const before = t.app.roundTrips!.count;
  const res = await send();
  expect(res.body.success).toBe(true);
  // Only the request's own statements: the change feed's dispatcher and consumers run detached after commit
  // (src/db/background.ts) and are counted apart.
  return t.app.roundTrips!.count - before;
}

const records = Array.from({ length: 10 }, (_, i) => ({ fields: { Name: `r${i}`, Amount: i } }));

describe('database round trips per request', () => {
  it.each([
    ['GET /spaces', 1, () => fusion(t.url, 'GET', '/v1/spaces', { token: t.token })],
    [
      'GET one record',
      2,
      () => fusion(t.url, 'GET', `/v1/datasheets/${datasheetId}/records?recordIds=${recordId}`, { token: t.token }),
    ],
    // The batch's change feed rows ride on its insert statement (src/db/stores/feed.store.ts feedAppend).
    [
      'POST 10 records',
      5,
      () => fusion(t.url, 'POST', `/v1/datasheets/${datasheetId}/records`, { token: t.token, body: { records } }),
    ],
    // A page short of the end needs `total`: counted once per datasheet revision, then answered from memory.
    [
      'GET a page of 1 of many',
      2,
      () =>
        fusion(
          t.url,
          'GET',
          `/v1/datasheets/${datasheetId}/records?pageSize=1&filterByFormula=${encodeURIComponent('{Amount} >= 0')}`,
          { token: t.token },
        ),
    ],
    // A page by number seeks from the page end the warm-up left (page-boundaries.ts): still one statement.
    [
      'GET page 2 by number',
      2,
      () => fusion(t.url, 'GET', `/v1/datasheets/${datasheetId}/records?pageSize=1&pageNum=2`, { token: t.token }),
    ],
  ] as const)('%s takes %i', async (_name, expected, send) => {
    expect(await roundTrips(send)).toBe(onPostgres() ? expected - 1 : expected);
  });
});
