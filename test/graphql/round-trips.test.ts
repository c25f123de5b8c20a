import { afterAll, beforeAll, expect, it } from 'vitest';
import { ownerScope, startTestApp, type TestApp } from '../support/app.js';
import { onPostgres } from '../support/database.js';
import { gql } from '../support/graphql.js';

/**
 * SQL statements per GraphQL operation, counted at the driver: a page of records asking for nested relations
 * (its datasheet's name and fields, authors, the newest history entry) costs as many statements for 1,000 rows as
 * for 10, because every relation that fans out goes through a per-request DataLoader.
 */
let t: TestApp;
let datasheetId: string;
beforeAll(async () => {
  t = await startTestApp({ RATE_LIMIT: 'off' }, { countRoundTrips: true });
  const scope = await ownerScope(t);
  const s = t.app.services;
  const ds = await s.datasheets.create(scope, {
    name: 'Trips',
    fields: [
      { name: 'Name', type: 'SingleText', property: {} },
      { name: 'N', type: 'Number', property: { precision: 0 } },
    ],
  });
  datasheetId = ds.id;
  const created = await s.records.create(
    scope,
    ds.id,
    Array.from({ length: 1000 }, (_, i) => ({ Name: `r${i}`, N: i })),
  );
  // Some records have updates (history rows), others only their creation.
  await s.records.update(
    scope,
    ds.id,
    created.slice(0, 500).map((r) => ({ recordId: r.id, fields: { N: -1 } })),
  );
  await s.indexing.idle();
  // PostgreSQL: tokens are remembered (no lookup per operation) once the server hears the database's changes to them.
  for (let i = 0; i < 200 && onPostgres() && !s.tokenCache.enabled; i++) await new Promise((r) => setTimeout(r, 25));
}, 120_000);
afterAll(async () => {
  await t?.close();
});

const QUERY = `query($id: ID!, $first: Int!) {
  records(datasheetId: $id, first: $first) {
    edges { node { id fields createdBy { id name } updatedBy { id }
      datasheet { name fields { name } views { id } }
      history(first: 1) { nodes { kind field newValue author { name } } } } }
  }
}`;

async function statements(first: number): Promise<number> {
  const send = () =>
    gql<{ records: { edges: unknown[] } }>(t.url, QUERY, { token: t.token, variables: { id: datasheetId, first } });
  expect((await send()).body.errors).toBeUndefined(); // warm-up (token last-used time, caches)
  await t.app.services.indexing.idle();
  const before = t.app.roundTrips!.count;
  const res = await send();
  expect(res.body.errors).toBeUndefined();
  expect(res.body.data!.records.edges).toHaveLength(first);
  return t.app.roundTrips!.count - before;
}

it('does not grow with the rows of the page (10 and 1,000 records, nested relations)', async () => {
  const ten = await statements(10);
  const thousand = await statements(1000);
  expect(thousand).toBe(ten);
  expect(ten).toBeLessThanOrEqual(8);
}, 60_000);

const CREATE = `mutation($id: ID!, $records: [RecordInput!]!) { createRecords(datasheetId: $id, records: $records) { id } }`;

/** Statements one createRecords mutation of `size` records sends (after a warm-up of the same size). */
async function createStatements(size: number): Promise<number> {
  let batch = 0;
  const send = () =>
    gql<{ createRecords: { id: string }[] }>(t.url, CREATE, {
      token: t.token,
      variables: {
        id: datasheetId,
        records: Array.from({ length: size }, (_, i) => ({ fields: { Name: `c${batch}-${i}`, N: i } })),
      },
    }).finally(() => batch++);
  expect((await send()).body.errors).toBeUndefined();
  await t.app.services.indexing.idle();
  const before = t.app.roundTrips!.count;
  const res = await send();
  expect(res.body.errors).toBeUndefined();
  expect(res.body.data!.createRecords).toHaveLength(size);
  return t.app.roundTrips!.count - before;
}

it('createRecords of 1,000 takes as many statements as of 10: the token (remembered on PostgreSQL), BEGIN, the lock, one insert (with its change feed rows), COMMIT', async () => {
  const ten = await createStatements(10);
  const thousand = await createStatements(1000);
  expect(thousand).toBe(ten);
  expect(thousand).toBe(onPostgres() ? 4 : 5);
}, 60_000);
