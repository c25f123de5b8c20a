import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/client.js';
import { domainFixture } from '../support/domain.js';

let f: Awaited<ReturnType<typeof domainFixture>>;
beforeAll(async () => {
  f = await domainFixture();
});
afterAll(async () => {
  await f?.inst.dispose();
});

const qxIndexes = async () =>
  (
    await f.inst.db.query<{ indexname: string; indexdef: string }>(
      `SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'records' AND indexname LIKE 'qx_%' ORDER BY indexname`,
    )
  ).map((r) => r.indexdef);

/** The record statements `fn` sends (SELECT … FROM records r …), captured as the engine wrote them. */
async function statementsOf(db: Database, fn: () => Promise<unknown>): Promise<{ sql: string; params: unknown[] }[]> {
  const seen: { sql: string; params: unknown[] }[] = [];
  const query = db.query.bind(db);
  db.query = (async (sql: string, params?: unknown[]) => {
    if (/FROM records r\b/.test(sql) && !sql.startsWith('SELECT count')) seen.push({ sql, params: params ?? [] });
    return query(sql, params);
  }) as Database['query'];
  try {
    await fn();
  } finally {
    db.query = query;
  }
  return seen;
}

/**
 * The plan of a statement with sequential scans priced out, so table size does not decide; `ordered` prices out
 * explicit sorts too (a page in ORDER BY … LIMIT, as on a large datasheet).
 */
async function planOf(statement: { sql: string; params: unknown[] }, ordered = true): Promise<string> {
  const rows = await f.inst.db.transaction(async (s) => {
    await s.exec(`SET LOCAL enable_seqscan = off${ordered ? '; SET LOCAL enable_sort = off' : ''}`);
    return s.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${statement.sql}`, statement.params);
  });
  return rows.map((r) => r['QUERY PLAN']).join('\n');
}

describe('indexes for the queries made', () => {
  it('serves filterByFormula comparisons and the user sort from expression indexes built after repeated queries', async () => {
    const ds = await f.services.datasheets.create(f.scope, {
      name: 'Orders',
      fields: [
        { name: 'Title', type: 'SingleText', property: {} },
        { name: 'Qty', type: 'Number', property: { precision: 0 } },
        { name: 'Status', type: 'SingleSelect', property: { options: [{ name: 'done' }, { name: 'open' }] } },
      ],
    });
    const [title, qty, status] = ds.fields;
    await f.services.records.create(
      f.scope,
      ds.id,
      Array.from({ length: 200 }, (_, i) => ({
        Title: `t${i}`,
        Qty: (i * 37) % 1000,
        Status: i % 3 ? 'open' : 'done',
      })),
    );
    const query = {
      filterByFormula: 'AND({Qty} > 500, {Status} = "done")',
      sort: [{ field: 'Qty', order: 'desc' as const }],
      pageSize: 10,
    };
    const expected = Array.from({ length: 200 }, (_, i) => ({ i, qty: (i * 37) % 1000, done: i % 3 === 0 }))
      .filter((r) => r.qty > 500 && r.done)
      .sort((a, b) => b.qty - a.qty)
      .slice(0, 10)
      .map((r) => r.qty);

    // One query is not enough to build anything; the third of the same shape is.
    const first = await f.services.records.query(f.scope, ds.id, query);
    await f.services.indexing.idle();
    expect(await qxIndexes()).toEqual([]);
    await f.services.records.query(f.scope, ds.id, query);
    const [statement] = await statementsOf(f.inst.db, () => f.services.records.query(f.scope, ds.id, query));
    await f.services.indexing.idle();
    const defs = await qxIndexes();
    // The sort key (Qty descending), and the two compared values (Qty, Status).
    expect(defs).toHaveLength(3);
    expect(defs.filter((d) => d.includes(qty!.id) && / DESC/.test(d))).toHaveLength(1);
    expect(defs.filter((d) => d.includes(status!.id))).toHaveLength(1);
    expect(defs.some((d) => d.includes(title!.id))).toBe(false);

    // The engine's own statement walks a query index (for ORDER BY … LIMIT, or for the filter).
    expect(await planOf(statement!)).toMatch(/Index (Only )?Scan( Backward)? using qx_/);
    // Same rows, in the same order, as before there was any index.
    const again = await f.services.records.query(f.scope, ds.id, query);
    expect(again.records.map((r) => r.fields.Qty)).toEqual(expected);
    expect(first.records.map((r) => r.fields.Qty)).toEqual(expected);
  });

  it('answers equality on text and comparisons on dates through a value index, with the exact rows', async () => {
    const ds = await f.services.datasheets.create(f.scope, {
      name: 'Events',
      fields: [
        { name: 'Name', type: 'SingleText', property: {} },
        { name: 'When', type: 'DateTime', property: { dateFormat: 'YYYY-MM-DD', includeTime: false } },
        { name: 'Done', type: 'Checkbox', property: { icon: 'white_check_mark' } },
      ],
    });
    const day = Date.UTC(2024, 0, 1);
    await f.services.records.create(
      f.scope,
      ds.id,
      Array.from({ length: 60 }, (_, i) => ({ Name: `e${i % 7}`, When: day + i * 86_400_000, Done: i % 2 === 0 })),
    );
    const cases: [string, (i: number) => boolean][] = [
      ['{Name} = "e3"', (i) => i % 7 === 3],
      ['{When} >= "2024-01-31"', (i) => i >= 30],
      ['OR({When} < "2024-01-05", {Name} = "e6")', (i) => i < 4 || i % 7 === 6],
      ['AND({Done}, {When} <= "2024-01-10")', (i) => i % 2 === 0 && i <= 9],
      ['AND({Name} = "e1", LEN({Name}) > 100)', () => false],
    ];
    for (const [formula, keep] of cases) {
      for (let n = 0; n < 3; n++) {
        const page = await f.services.records.query(f.scope, ds.id, {
          filterByFormula: formula,
          pageSize: 100,
          withTotal: true,
          // The service's clock zone is UTC in tests; dates are parsed in it.
        });
        const want = Array.from({ length: 60 }, (_, i) => i).filter(keep);
        expect(page.total, formula).toBe(want.length);
        expect(page.records.map((r) => Number((r.fields.Name as string).slice(1))).sort(), formula).toEqual(
          want.map((i) => i % 7).sort(),
        );
      }
    }
    await f.services.indexing.idle();
    const defs = await qxIndexes();
    const [name, when, done] = ds.fields;
    expect(defs.some((d) => d.includes(name!.id))).toBe(true);
    expect(defs.some((d) => d.includes(when!.id))).toBe(true);
    expect(defs.some((d) => d.includes(done!.id))).toBe(true);
    const [statement] = await statementsOf(f.inst.db, () =>
      f.services.records.query(f.scope, ds.id, { filterByFormula: '{Name} = "e3"', pageSize: 100 }),
    );
    // Filtered before it is sorted: the rows come from the index on Name's value.
    expect(await planOf(statement!, false)).toMatch(/(Index (Only )?Scan using|Bitmap Index Scan on) qx_/);
  });
});

describe('the bound and the sweep', () => {
  it('keeps at most maxPerDatasheet, dropping the least recently used, and drops what no query wanted lately', async () => {
    const { startQueryIndexing } = await import('../../src/db/query/query-indexes.js');
    const ds = await f.services.datasheets.create(f.scope, {
      name: 'Bounded',
      fields: [
        { name: 'A', type: 'Number', property: { precision: 0 } },
        { name: 'B', type: 'Number', property: { precision: 0 } },
      ],
    });
    const [a, b] = ds.fields;
    let clock = 1_000_000;
    const indexer = startQueryIndexing(f.inst.db, {
      maxPerDatasheet: 1,
      minUses: 1,
      unusedAfterMs: 1_000,
      now: () => clock,
    });
    const mine = async () => (await qxIndexes()).filter((d) => d.includes(a!.id) || d.includes(b!.id));
    indexer.observe(ds.id, { values: [a!] });
    await indexer.idle();
    expect(await mine()).toEqual([expect.stringContaining(a!.id)]);
    clock += 10;
    indexer.observe(ds.id, { values: [b!] });
    await indexer.idle();
    expect(await mine()).toEqual([expect.stringContaining(b!.id)]);
    clock += 500;
    expect(await indexer.sweep()).toEqual([]);
    clock += 1_000;
    expect(await indexer.sweep()).toHaveLength(1);
    expect(await mine()).toEqual([]);
    indexer.stop();
  });
});
