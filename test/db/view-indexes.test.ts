import { afterAll, beforeAll, expect, it } from 'vitest';
import { sortKeyExprs } from '../../src/db/query/sort-keys.js';
import { domainFixture } from '../support/domain.js';

let f: Awaited<ReturnType<typeof domainFixture>>;
beforeAll(async () => {
  f = await domainFixture();
});
afterAll(async () => {
  await f?.inst.dispose();
});

const rxIndexes = async () =>
  (
    await f.inst.db.query<{ indexname: string; indexdef: string }>(
      `SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'records' AND indexname LIKE 'rx_%' ORDER BY indexname`,
    )
  ).map((r) => r.indexdef);

it('creates indexes for the fields views sort and filter on, used by the engine’s ORDER BY, and drops them after', async () => {
  const ds = await f.services.datasheets.create(f.scope, {
    name: 'Indexed',
    fields: [
      { name: 'Name', type: 'SingleText', property: {} },
      { name: 'Amount', type: 'Number', property: { precision: 2 } },
      { name: 'Stage', type: 'SingleSelect', property: { options: [{ name: 'Won' }, { name: 'Lost' }] } },
    ],
  });
  const [, amount, stage] = ds.fields;
  await f.services.records.create(
    f.scope,
    ds.id,
    Array.from({ length: 50 }, (_, i) => ({ Name: `n${i}`, Amount: i, Stage: i % 2 ? 'Won' : 'Lost' })),
  );
  const view = await f.services.views.add(f.scope, ds.id, {
    sort: [{ fieldId: amount!.id, desc: true }],
    filter: { conjunction: 'and', conditions: [{ fieldId: stage!.id, operator: 'is', value: 'Won' }] },
  });
  await f.services.indexing.idle();
  const defs = await rxIndexes();
  expect(defs).toHaveLength(2);
  expect(defs.some((d) => d.includes(amount!.id) && /DESC/.test(d))).toBe(true);
  expect(defs.some((d) => d.includes(stage!.id))).toBe(true);

  // The planner walks the sort index for the engine's ORDER BY (sequential scans off to take size out of it).
  const [flag, value] = sortKeyExprs(amount!);
  const plan = await f.inst.db.transaction(async (s) => {
    await s.exec('SET LOCAL enable_seqscan = off; SET LOCAL enable_sort = off');
    return s.query<{ 'QUERY PLAN': string }>(
      `EXPLAIN SELECT r.id FROM records r WHERE r.datasheet_id = $1 ORDER BY ${flag} DESC, ${value} DESC, r.position, r.id LIMIT 100`,
      [ds.id],
    );
  });
  expect(plan.map((p) => p['QUERY PLAN']).join('\n')).toMatch(/Index (Only )?Scan using rx_/);

  await f.services.views.remove(f.scope, ds.id, view.id);
  await f.services.indexing.idle();
  expect(await rxIndexes()).toEqual([]);
});
