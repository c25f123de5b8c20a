import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ownerScope, startTestApp, type TestApp } from '../support/app.js';
import { gql } from '../support/graphql.js';

/**
 * Acceptance: paging a datasheet of 10,000 records with `records(first: 500, after)` over real HTTP while another
 * client keeps inserting records. Keyset cursors must neither skip nor repeat a record that existed throughout.
 */
let t: TestApp;
let dsId: string;
let qtyFieldId: string;
const SEEDED = 10_000;
const seeded = new Set<string>();
/** Records the writers inserted (in any run so far). */
const inserted = new Set<string>();

const CREATE = `mutation($ds: ID!, $records: [RecordInput!]!) { createRecords(datasheetId: $ds, records: $records) { id } }`;
const PAGE = `query($ds: ID!, $after: String, $sort: [SortInput!]) {
  records(datasheetId: $ds, first: 500, after: $after, sort: $sort) {
    edges { cursor node { id } } pageInfo { hasNextPage endCursor } } }`;

interface Page {
  records: { edges: { cursor: string; node: { id: string } }[]; pageInfo: { hasNextPage: boolean; endCursor: string } };
}

async function create(records: { fields: Record<string, unknown> }[]): Promise<string[]> {
  const res = await gql<{ createRecords: { id: string }[] }>(t.url, CREATE, {
    token: t.token,
    variables: { ds: dsId, records },
  });
  expect(res.body.errors).toBeUndefined();
  return res.body.data!.createRecords.map((r) => r.id);
}

beforeAll(async () => {
  t = await startTestApp({ RATE_LIMIT: 'off' });
  const ds = await t.app.services.datasheets.create(await ownerScope(t), {
    name: 'Paged',
    fields: [
      { name: 'Name', type: 'SingleText', property: {} },
      { name: 'Qty', type: 'Number', property: { precision: 0 } },
    ],
  });
  dsId = ds.id;
  qtyFieldId = ds.fields.find((f: { name: string }) => f.name === 'Qty')!.id;
  // Qty repeats every 100 records, so the sorted run has long runs of ties broken by row order.
  for (let b = 0; b < SEEDED / 1000; b++) {
    const batch = Array.from({ length: 1000 }, (_, i) => ({ fields: { Name: `s${b * 1000 + i}`, Qty: i % 100 } }));
    for (const id of await create(batch)) seeded.add(id);
  }
  expect(seeded.size).toBe(SEEDED);
}, 300_000);
afterAll(async () => {
  await t?.close();
});

/** Every record id of the datasheet in the database's own order for the query (compared in SQL, not JavaScript). */
async function storedOrder(sorted: boolean): Promise<string[]> {
  const order = sorted ? `(cells->>'${qtyFieldId}')::numeric DESC, position, id` : 'position, id';
  const rows = await t.app.prisma.$queryRawUnsafe<{ id: string }[]>(
    `SELECT id FROM records WHERE datasheet_id = $1 ORDER BY ${order}`,
    dsId,
  );
  return rows.map((r) => r.id);
}

describe('records paging under concurrent inserts', () => {
  it.each([
    ['the default order', null],
    ['Qty descending', [{ field: 'Qty', order: 'DESC' }]],
  ] as const)(
    'pages %s to the end: every seeded record exactly once, in keyset order',
    async (_label, sort) => {
      let paging = true;
      let insertedWhilePaging = 0;
      // Records inserted while paging may appear or not (they land before or after the cursor: anywhere in
      // the Qty order, at the end of the default order), but never twice.
      const writer = (async () => {
        for (let n = 0; paging; n++) {
          const batch = Array.from({ length: 50 }, (_, i) => ({
            fields: { Name: `w${n}.${i}`, Qty: (n * 37 + i) % 100 },
          }));
          for (const id of await create(batch)) inserted.add(id);
          if (paging) insertedWhilePaging += batch.length;
        }
      })();

      const seen: string[] = [];
      let after: string | null = null;
      let pages = 0;
      let last: Page['records']['pageInfo'] | undefined;
      try {
        do {
          const res = await gql<Page>(t.url, PAGE, { token: t.token, variables: { ds: dsId, after, sort } });
          expect(res.body.errors).toBeUndefined();
          const page: Page['records'] = res.body.data!.records;
          expect(page.edges.length).toBeLessThanOrEqual(500);
          for (const edge of page.edges) seen.push(edge.node.id);
          last = page.pageInfo;
          if (page.edges.length) expect(last.endCursor).toBe(page.edges.at(-1)!.cursor);
          after = last.endCursor;
          pages++;
          expect(pages).toBeLessThan(100);
        } while (last.hasNextPage);
      } finally {
        paging = false;
        await writer;
      }

      expect(last?.hasNextPage).toBe(false);
      expect(insertedWhilePaging).toBeGreaterThan(0);
      // No record twice, and every seeded record exactly once.
      expect(new Set(seen).size).toBe(seen.length);
      const seenSet = new Set(seen);
      expect([...seeded].filter((id) => !seenSet.has(id))).toEqual([]);
      expect(seen.filter((id) => !seeded.has(id) && !inserted.has(id))).toEqual([]);
      // The order is the keyset order: the pages, put together, follow the stored order (records inserted
      // behind the cursor are missing from the pages, never out of place).
      const rank = new Map((await storedOrder(sort !== null)).map((id, i) => [id, i]));
      const ranks = seen.map((id) => rank.get(id)!);
      const outOfOrder = ranks.findIndex((r, i) => i > 0 && r <= ranks[i - 1]!);
      expect(outOfOrder).toBe(-1);
    },
    300_000,
  );
});
