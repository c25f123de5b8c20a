import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Database } from '../../src/db/client.js';
import type { RecordQuery } from '../../src/domain/records/query-records.js';
import { domainFixture } from '../support/domain.js';

let f: Awaited<ReturnType<typeof domainFixture>>;
let dsId: string;
const N = 230;
const SIZE = 20;

beforeAll(async () => {
  f = await domainFixture();
  const ds = await f.services.datasheets.create(f.scope, {
    name: 'Deep',
    fields: [
      { name: 'Title', type: 'SingleText', property: {} },
      { name: 'Qty', type: 'Number', property: { precision: 0 } },
    ],
  });
  dsId = ds.id;
  // Qty repeats (ties are broken by position, id) and is sometimes empty.
  await f.services.records.create(
    f.scope,
    dsId,
    Array.from({ length: N }, (_, i) => ({ Title: `t${i}`, ...(i % 9 === 4 ? {} : { Qty: (i * 13) % 17 }) })),
  );
});
afterAll(async () => {
  await f?.inst.dispose();
});

/** Record statements sent while `fn` runs, with their bound values. */
async function statementsOf(db: Database, fn: () => Promise<unknown>) {
  const seen: { sql: string; params: unknown[] }[] = [];
  const query = db.query.bind(db);
  db.query = (async (sql: string, params?: unknown[]) => {
    if (/FROM records r\b/.test(sql) && !/count\(\*\)/.test(sql)) seen.push({ sql, params: params ?? [] });
    return query(sql, params);
  }) as Database['query'];
  try {
    await fn();
  } finally {
    db.query = query;
  }
  return seen;
}

const ids = async (q: RecordQuery) => (await f.services.records.query(f.scope, dsId, q)).records.map((r) => r.recordId);

/** Every row in order, read in one page of up to 1,000 (no page boundary is involved). */
const everything = (q: RecordQuery) => ids({ ...q, pageSize: 1000 });

it.each([
  ['row order', {}],
  ['Qty descending', { sort: [{ field: 'Qty', order: 'desc' as const }] }],
  ['a filter and Qty ascending', { filterByFormula: '{Qty} >= 3', sort: [{ field: 'Qty', order: 'asc' as const }] }],
])('pages by number in %s seek from known page ends, with exactly the rows OFFSET gives', async (_, base) => {
  const all = await everything(base);
  const pages = Math.ceil(all.length / SIZE) + 1;
  // Forward, then backward and scattered: each page equals its slice of the whole.
  const order = [
    ...Array.from({ length: pages }, (_, i) => i + 1),
    ...Array.from({ length: pages }, (_, i) => pages - i),
    3,
    9,
    2,
  ];
  for (const pageNum of order) {
    expect(await ids({ ...base, pageNum, pageSize: SIZE }), `page ${pageNum}`).toEqual(
      all.slice((pageNum - 1) * SIZE, pageNum * SIZE),
    );
  }
  // Page 8 right after page 7: a seek from page 7's last row, skipping nothing.
  await ids({ ...base, pageNum: 7, pageSize: SIZE });
  const [statement] = await statementsOf(f.inst.db, () => ids({ ...base, pageNum: 8, pageSize: SIZE }));
  expect(statement!.sql).toMatch(/\) [<>] \(|OR \(/);
  expect(statement!.params.at(-2)).toBe(0);
});

it('pages stay exact after a write moves the revision (the boundaries of the old revision are not used)', async () => {
  const base = { sort: [{ field: 'Qty', order: 'desc' as const }] };
  for (let p = 1; p <= 6; p++) await ids({ ...base, pageNum: p, pageSize: SIZE });
  const [first] = (await f.services.records.query(f.scope, dsId, { ...base, pageNum: 3, pageSize: SIZE })).records;
  // A record that sorts before everything, and one change that moves another.
  await f.services.records.create(f.scope, dsId, [{ Title: 'top', Qty: 1000 }]);
  await f.services.records.update(f.scope, dsId, [{ recordId: first!.recordId, fields: { Qty: -5 } }]);
  const all = await everything(base);
  for (const pageNum of [4, 5, 6, 12, 1]) {
    expect(await ids({ ...base, pageNum, pageSize: SIZE }), `page ${pageNum}`).toEqual(
      all.slice((pageNum - 1) * SIZE, pageNum * SIZE),
    );
  }
});
