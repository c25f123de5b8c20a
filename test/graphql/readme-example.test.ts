import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';
import { type GqlResponse, gql } from '../support/graphql.js';

/**
 * The README's "GraphQL worked example", run as written: every ```graphql block of that section is sent over HTTP,
 * in order, with the variables the README describes, so the section cannot drift from the server.
 */
const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const section = readme.slice(
  readme.indexOf('## GraphQL worked example'),
  readme.indexOf('\n## ', readme.indexOf('## GraphQL worked example') + 3),
);
const blocks = [...section.matchAll(/```graphql\n([\s\S]*?)```/g)].map((m) => m[1]!);
const documents = new Map(blocks.map((doc) => [/^(?:query|mutation) (\w+)/.exec(doc)![1]!, doc]));
const errorExample = /```json\n([\s\S]*?)```/.exec(section)![1]!;

let t: TestApp;
// biome-ignore lint/suspicious/noExplicitAny: the README's answers are read as the JSON they are
const run = (name: string, variables: Record<string, unknown> = {}): Promise<GqlResponse<any>> => {
  const doc = documents.get(name);
  if (!doc) throw new Error(`README has no ${name} document`);
  return gql(t.url, doc, { token: t.token, variables });
};
// biome-ignore lint/suspicious/noExplicitAny: as above
const data = async (name: string, variables: Record<string, unknown> = {}): Promise<any> => {
  const res = await run(name, variables);
  expect(res.body.errors, `${name}: ${res.text.slice(0, 300)}`).toBeUndefined();
  expect(res.status).toBe(200);
  return res.body.data;
};

beforeAll(async () => {
  t = await startTestApp({ RATE_LIMIT: 'off' });
});
afterAll(async () => {
  await t?.close();
});

describe('README GraphQL worked example', () => {
  it('shows the documents this test runs, in order', () => {
    expect([...documents.keys()]).toEqual([
      'Spaces',
      'CreateDatasheet',
      'CreateRecords',
      'BigOrders',
      'UpdateRecords',
      'RecordHistory',
    ]);
  });

  it('creates a datasheet, writes 1,000 records, pages a filtered sort, updates and reads history', async () => {
    const { spaces } = await data('Spaces');
    expect(spaces.map((s: { id: string }) => s.id)).toContain(t.spaceId);

    const { createDatasheet: ds } = await data('CreateDatasheet', { spaceId: t.spaceId });
    expect(ds.id).toMatch(/^dst/);
    expect(ds.fields.map((f: { name: string }) => f.name)).toEqual(['Item', 'Qty']);
    const qtyFieldId = ds.fields[1].id as string;
    // The same idempotencyKey with the same arguments replays the first answer: no second datasheet.
    expect((await data('CreateDatasheet', { spaceId: t.spaceId })).createDatasheet.id).toBe(ds.id);

    const two = [{ fields: { Item: 'apple', Qty: 3 } }, { fields: { Item: 'pear', Qty: 1 } }];
    const created = (await data('CreateRecords', { datasheetId: ds.id, records: two })).createRecords;
    expect(created.map((r: { fields: unknown }) => r.fields)).toEqual(two.map((r) => r.fields));
    const thousand = Array.from({ length: 1_000 }, (_, i) => ({ fields: { Item: `item ${i}`, Qty: i % 10 } }));
    const many = await data('CreateRecords', { datasheetId: ds.id, records: thousand, key: 'orders-batch-1' });
    expect(many.createRecords).toHaveLength(1_000);
    const replay = await data('CreateRecords', { datasheetId: ds.id, records: thousand, key: 'orders-batch-1' });
    expect(replay.createRecords.map((r: { id: string }) => r.id)).toEqual(
      many.createRecords.map((r: { id: string }) => r.id),
    );
    const reused = await run('CreateRecords', { datasheetId: ds.id, records: two, key: 'orders-batch-1' });
    expect(reused.body.errors![0]!.extensions!.code).toBe('CONFLICT');

    const seen = new Set<string>();
    const quantities: number[] = [];
    let after: string | null = null;
    let pages = 0;
    for (;;) {
      const { records } = await data('BigOrders', { datasheetId: ds.id, after });
      pages++;
      expect(records.totalCount).toBe(701); // apple, and 7 of every 10 generated
      for (const { node } of records.edges) {
        expect(seen.has(node.id)).toBe(false);
        seen.add(node.id);
        quantities.push(node.fields.Qty);
      }
      if (!records.pageInfo.hasNextPage) break;
      after = records.pageInfo.endCursor;
    }
    expect(pages).toBe(8);
    expect(seen.size).toBe(701);
    expect(quantities.every((q) => q > 2)).toBe(true);
    expect(quantities).toEqual([...quantities].sort((a, b) => b - a));

    const apple = created[0].id as string;
    const updated = await data('UpdateRecords', {
      datasheetId: ds.id,
      records: [{ id: apple, fields: { Qty: 4 }, expectedRevision: 1 }],
    });
    expect(updated.updateRecords).toEqual([{ id: apple, revision: 2 }]);
    const stale = await run('UpdateRecords', {
      datasheetId: ds.id,
      records: [{ id: apple, fields: { Qty: 5 }, expectedRevision: 1 }],
    });
    expect(stale.body.errors![0]!.extensions!.code).toBe('CONFLICT');
    expect(stale.status).toBe(409);

    const { record } = await data('RecordHistory', { id: apple });
    expect(record).toMatchObject({ id: apple, revision: 2, fields: { Item: 'apple', Qty: 4 } });
    expect(record.history.nodes[0]).toMatchObject({ kind: 'updated', field: qtyFieldId, oldValue: 3, newValue: 4 });
  });

  it('answers the error the README shows for a bad cell, writing nothing', async () => {
    // The README's idempotencyKey replays the Orders datasheet of the test above.
    const { createDatasheet: ds } = await data('CreateDatasheet', { spaceId: t.spaceId });
    const before = (await data('BigOrders', { datasheetId: ds.id })).records.totalCount;
    const res = await run('CreateRecords', { datasheetId: ds.id, records: [{ fields: { Item: 'x', Qty: 'many' } }] });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject(JSON.parse(errorExample));
    expect((await data('BigOrders', { datasheetId: ds.id })).records.totalCount).toBe(before);
  });
});
