import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { domainFixture } from '../support/domain.js';

let f: Awaited<ReturnType<typeof domainFixture>>;
let ds: Awaited<ReturnType<typeof f.services.datasheets.create>>;
let ids: string[];
const fieldId = (name: string) => ds.fields.find((x) => x.name === name)!.id;

beforeAll(async () => {
  f = await domainFixture();
  ds = await f.services.datasheets.create(f.scope, {
    name: 'Query',
    fields: [
      { name: 'Name', type: 'SingleText', property: {} },
      { name: 'Qty', type: 'Number', property: { precision: 0 } },
      {
        name: 'Stage',
        type: 'SingleSelect',
        property: { options: [{ name: 'Lead' }, { name: 'Won' }, { name: 'Lost' }] },
      },
      { name: 'Notes', type: 'Text' },
    ],
  });
  const created = await f.services.records.create(f.scope, ds.id, [
    { Name: 'delta', Qty: 10, Stage: 'Won', Notes: 'x' },
    { Name: 'alpha', Qty: 2, Stage: 'Lost' },
    { Name: 'charlie', Qty: 2, Stage: 'Lead' },
    { Name: 'bravo', Stage: 'Won' },
    { Name: 'echo', Qty: -1 },
  ]);
  ids = created.map((r) => r.id);
});
afterAll(async () => {
  await f?.inst.dispose();
});

const names = (page: { records: { fields: Record<string, unknown> }[] }) => page.records.map((r) => r.fields.Name);

describe('sorting', () => {
  it('keeps row order without sorts, and sorts numbers numerically with empties first', async () => {
    expect(names(await f.services.records.query(f.scope, ds.id, {}))).toEqual([
      'delta',
      'alpha',
      'charlie',
      'bravo',
      'echo',
    ]);
    const asc = await f.services.records.query(f.scope, ds.id, { sort: [{ field: 'Qty', order: 'asc' }] });
    expect(names(asc)).toEqual(['bravo', 'echo', 'alpha', 'charlie', 'delta']);
    const desc = await f.services.records.query(f.scope, ds.id, { sort: [{ field: 'Qty', order: 'desc' }] });
    expect(names(desc)).toEqual(['delta', 'alpha', 'charlie', 'echo', 'bravo']);
  });

  it('sorts text in locale order (case and accents after the letter), not by code point', async () => {
    const sheet = await f.services.datasheets.create(f.scope, {
      name: 'Collation',
      fields: [{ name: 'Name', type: 'SingleText', property: {} }],
    });
    const words = ['b', 'Zebra', 'A', 'é', 'a', 'B', 'e', 'zebra', '中', '阿', '张'];
    for (let i = 0; i < words.length; i += 10) {
      await f.services.records.create(
        f.scope,
        sheet.id,
        words.slice(i, i + 10).map((Name) => ({ Name })),
      );
    }
    const sorted = names(
      await f.services.records.query(f.scope, sheet.id, { sort: [{ field: 'Name', order: 'asc' }] }),
    );
    if (process.env.DATABASE_URL) {
      // PostgreSQL's ICU has the Chinese collation: exactly the reference's zh-CN Intl.Collator order (Han first by
      // pinyin, then Latin with pinyin tone order: 阿 张 中 a A b B é e zebra Zebra).
      expect(sorted).toEqual([...words].sort(new Intl.Collator('zh-CN').compare));
    } else {
      // PGlite's ICU has only the root order: the same for Latin text up to accents, Han after it by code point.
      expect(sorted).toEqual(['a', 'A', 'b', 'B', 'e', 'é', 'zebra', 'Zebra', '中', '张', '阿']);
    }
  });

  it('sorts selects by option order with empties last, then by the next rule', async () => {
    const page = await f.services.records.query(f.scope, ds.id, {
      sort: [
        { field: 'Stage', order: 'asc' },
        { field: 'Name', order: 'desc' },
      ],
    });
    expect(names(page)).toEqual(['charlie', 'delta', 'bravo', 'alpha', 'echo']);
  });

  it('accepts field ids with fieldKey=id and names the unknown sort field', async () => {
    const page = await f.services.records.query(f.scope, ds.id, {
      fieldKey: 'id',
      sort: [{ field: fieldId('Name'), order: 'asc' }],
    });
    expect(page.records.map((r) => r.fields[fieldId('Name')])).toEqual(['alpha', 'bravo', 'charlie', 'delta', 'echo']);
    await expect(f.services.records.query(f.scope, ds.id, { sort: [{ field: 'Nope', order: 'asc' }] })).rejects.toThrow(
      'The sorted field "Nope" does not exist',
    );
  });
});

describe('views', () => {
  it("applies a view's row order, filter, sorts (after the user's) and hidden fields", async () => {
    const view = await f.services.views.add(f.scope, ds.id, {
      name: 'Open deals',
      filter: { conjunction: 'and', conditions: [{ fieldId: fieldId('Stage'), operator: 'isNot', value: 'Lost' }] },
      sort: [{ fieldId: fieldId('Qty'), desc: true }],
      hiddenFields: [fieldId('Notes')],
    });
    const page = await f.services.records.query(f.scope, ds.id, { viewId: view.id });
    expect(names(page)).toEqual(['delta', 'charlie', 'echo', 'bravo']);
    expect(Object.keys(page.records[0]!.fields)).toEqual(['Name', 'Qty', 'Stage']);
    const resorted = await f.services.records.query(f.scope, ds.id, {
      viewId: view.id,
      sort: [{ field: 'Name', order: 'asc' }],
    });
    expect(names(resorted)).toEqual(['bravo', 'charlie', 'delta', 'echo']);
    await expect(f.services.records.query(f.scope, ds.id, { viewId: 'viwNope000000' })).rejects.toThrow(
      'The specified view does not exist',
    );
  });

  it('refuses a filter whose operator does not fit its field, saving nothing', async () => {
    const before = (await f.services.datasheets.get(f.scope, ds.id)).views.length;
    await expect(
      f.services.views.add(f.scope, ds.id, {
        filter: { conjunction: 'and', conditions: [{ fieldId: fieldId('Stage'), operator: 'isGreater', value: 1 }] },
      }),
    ).rejects.toThrow('Invalid value for filter: The isGreater operator does not apply to SingleSelect field Stage');
    await expect(
      f.services.views.add(f.scope, ds.id, {
        filter: { conjunction: 'and', conditions: [{ fieldId: fieldId('Qty'), operator: 'is', value: 'many' }] },
      }),
    ).rejects.toThrow('"many" is not a number');
    expect((await f.services.datasheets.get(f.scope, ds.id)).views).toHaveLength(before);
  });

  it('follows a manual row order', async () => {
    const view = await f.services.views.add(f.scope, ds.id, { name: 'Manual', rowOrder: [ids[4]!, ids[2]!] });
    expect(names(await f.services.records.query(f.scope, ds.id, { viewId: view.id }))).toEqual([
      'echo',
      'charlie',
      'delta',
      'alpha',
      'bravo',
    ]);
  });

  it.each([
    [{ conjunction: 'and', conditions: [{ fieldId: 'Qty', operator: 'isGreater', value: 2 }] }, ['delta']],
    [
      {
        conjunction: 'or',
        conditions: [
          { fieldId: 'Qty', operator: 'isEmpty' },
          { fieldId: 'Name', operator: 'contains', value: 'LPH' },
        ],
      },
      ['alpha', 'bravo'],
    ],
    [
      {
        conjunction: 'and',
        conditions: [
          { fieldId: 'Qty', operator: 'isLessEqual', value: 2 },
          {
            conjunction: 'or',
            conditions: [
              { fieldId: 'Stage', operator: 'is', value: 'Lead' },
              { fieldId: 'Stage', operator: 'isEmpty' },
            ],
          },
        ],
      },
      ['charlie', 'echo'],
    ],
    [{ conjunction: 'and', conditions: [{ fieldId: 'Qty', operator: 'isRepeat' }] }, ['alpha', 'charlie']],
    [{ conjunction: 'and', conditions: [{ fieldId: 'Notes', operator: 'isNotEmpty' }] }, ['delta']],
  ])('filters with %j', async (filter, expected) => {
    const resolve = (g: { conditions: unknown[] }): unknown => ({
      ...g,
      conditions: g.conditions.map((c) =>
        'conditions' in (c as object)
          ? resolve(c as { conditions: unknown[] })
          : { ...(c as object), fieldId: fieldId((c as { fieldId: string }).fieldId) },
      ),
    });
    const view = await f.services.views.add(f.scope, ds.id, { filter: resolve(filter) });
    const page = await f.services.records.query(f.scope, ds.id, {
      viewId: view.id,
      sort: [{ field: 'Name', order: 'asc' }],
    });
    expect(names(page)).toEqual(expected);
    await f.services.views.remove(f.scope, ds.id, view.id);
  });
});

describe('selection and paging', () => {
  it('returns record ids in request order, and projects fields in request order', async () => {
    const page = await f.services.records.query(f.scope, ds.id, {
      recordIds: [ids[3]!, ids[0]!, 'recMissing0000'],
      fields: ['Qty', 'Name'],
    });
    expect(page.records.map((r) => r.recordId)).toEqual([ids[3], ids[0]]);
    expect(Object.keys(page.records[1]!.fields)).toEqual(['Qty', 'Name']);
    await expect(f.services.records.query(f.scope, ds.id, { fields: ['Nope'] })).rejects.toThrow('Invalid fields');
  });

  it('pages by number with total and maxRecords', async () => {
    const p2 = await f.services.records.query(f.scope, ds.id, { pageSize: 2, pageNum: 2, withTotal: true });
    expect([names(p2), p2.total, p2.pageNum, p2.pageSize]).toEqual([['charlie', 'bravo'], 5, 2, 2]);
    const capped = await f.services.records.query(f.scope, ds.id, {
      pageSize: 2,
      pageNum: 2,
      maxRecords: 3,
      withTotal: true,
    });
    expect([names(capped), capped.total]).toEqual([['charlie'], 3]);
    expect((await f.services.records.query(f.scope, ds.id, {})).total).toBeUndefined();
  });

  it('answers the same total whether a short last page shows it or a count is needed', async () => {
    const filter = '{Qty} > 0';
    for (const extra of [{}, { maxRecords: 3 }, { recordIds: ids.slice(1, 4) }, { filterByFormula: filter }]) {
      const expected = (await f.services.records.query(f.scope, ds.id, { ...extra, pageSize: 1000 })).records.length;
      for (const pageSize of [1, 2, 3, 5, 6]) {
        for (const pageNum of [1, 2, 3, 7]) {
          const page = await f.services.records.query(f.scope, ds.id, { ...extra, pageSize, pageNum, withTotal: true });
          expect([extra, pageSize, pageNum, page.total]).toEqual([extra, pageSize, pageNum, expected]);
        }
      }
    }
  });

  it.each([
    [{ pageSize: 0 }, 'pageSize must be an integer from 1 to 1000'],
    [{ pageSize: 1001 }, 'pageSize must be an integer from 1 to 1000'],
    [{ pageNum: 0 }, 'pageNum must be an integer from 1 up'],
    [{ maxRecords: 0 }, 'maxRecords must be an integer from 1 up'],
    [{ after: 'garbage' }, 'The cursor is invalid or belongs to another query'],
  ])('refuses %j naming the parameter', async (query, message) => {
    await expect(f.services.records.query(f.scope, ds.id, query)).rejects.toThrow(message);
  });

  it('pages by keyset cursor through every row exactly once, even with rows inserted between pages', async () => {
    const sort = [{ field: 'Qty', order: 'desc' as const }];
    const seen: string[] = [];
    let after: string | null = null;
    let first = true;
    for (;;) {
      const page: Awaited<ReturnType<typeof f.services.records.query>> = await f.services.records.query(
        f.scope,
        ds.id,
        { sort, pageSize: 2, after },
      );
      seen.push(...page.records.map((r) => r.recordId));
      if (first) {
        await f.services.records.create(f.scope, ds.id, [{ Name: 'late', Qty: 100 }]); // sorts before the cursor: not seen
        first = false;
      }
      if (!page.nextCursor) break;
      after = page.nextCursor;
    }
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.filter((id) => ids.includes(id)).sort()).toEqual([...ids].sort());
    const other = await f.services.records.query(f.scope, ds.id, {
      pageSize: 2,
      after: null,
      sort: [{ field: 'Name', order: 'asc' }],
    });
    await expect(
      f.services.records.query(f.scope, ds.id, { sort, pageSize: 2, after: other.nextCursor }),
    ).rejects.toThrow('belongs to another query');
  });
});

describe('links', () => {
  it('filters a link field by linked record id', async () => {
    const people = await f.services.datasheets.create(f.scope, { name: 'People' });
    const [ann, bob] = await f.services.records.create(f.scope, people.id, [{ Title: 'Ann' }, { Title: 'Bob' }]);
    const tasks = await f.services.datasheets.create(f.scope, {
      name: 'Tasks',
      fields: [
        { name: 'Title', type: 'SingleText', property: {} },
        { name: 'Owner', type: 'OneWayLink', property: { foreignDatasheetId: people.id } },
      ],
    });
    await f.services.records.create(f.scope, tasks.id, [
      { Title: 't1', Owner: [ann!.id] },
      { Title: 't2', Owner: [bob!.id, ann!.id] },
      { Title: 't3', Owner: [bob!.id] },
    ]);
    const owner = tasks.fields.find((x) => x.name === 'Owner')!.id;
    const view = await f.services.views.add(f.scope, tasks.id, {
      filter: { conjunction: 'and', conditions: [{ fieldId: owner, operator: 'contains', value: ann!.id }] },
    });
    const page = await f.services.records.query(f.scope, tasks.id, { viewId: view.id });
    expect(page.records.map((r) => r.fields.Title)).toEqual(['t1', 't2']);
  });
});

/** Services over the same database, as another server process has them (its own caches). */
async function otherProcess() {
  const { createServices } = await import('../../src/services.js');
  const { createRateLimiter, DEFAULT_RATE_LIMIT_SETTINGS } = await import('../../src/ratelimit/limiter.js');
  return createServices(f.inst.db, {
    config: {
      dataDir: '/nonexistent',
      publicUrl: 'http://localhost',
      timeZone: 'UTC',
      rateLimit: DEFAULT_RATE_LIMIT_SETTINGS,
    },
    expectedMigrations: 0,
    limiter: createRateLimiter(DEFAULT_RATE_LIMIT_SETTINGS),
  });
}

describe('schema cache', () => {
  it('notices a schema change made by another process on the next query', async () => {
    const other = await otherProcess();
    const sheet = await f.services.datasheets.create(f.scope, { name: 'Cached' });
    await f.services.records.create(f.scope, sheet.id, [{ Title: 'one' }]);
    expect((await f.services.records.query(f.scope, sheet.id, {})).records[0]!.fields).toEqual({ Title: 'one' });
    await other.fields.add(f.scope, sheet.id, { name: 'Extra', type: 'Text' });
    await other.records.create(f.scope, sheet.id, [{ Title: 'two', Extra: 'new column' }]);
    const page = await f.services.records.query(f.scope, sheet.id, {});
    expect(page.records.map((r) => r.fields)).toEqual([{ Title: 'one' }, { Title: 'two', Extra: 'new column' }]);
    await other.fields.update(f.scope, sheet.id, (await other.datasheets.get(f.scope, sheet.id)).fields[1]!.id, {
      name: 'Renamed',
    });
    expect((await f.services.records.query(f.scope, sheet.id, {})).records[1]!.fields).toEqual({
      Title: 'two',
      Renamed: 'new column',
    });
    other.indexing.stop();
  });

  it('keeps counts (`total`) only as long as the datasheet does not change, whoever writes', async () => {
    const other = await otherProcess();
    const sheet = await f.services.datasheets.create(f.scope, {
      name: 'Counted',
      fields: [{ name: 'N', type: 'Number', property: { precision: 0 } }],
    });
    const made = await f.services.records.create(f.scope, sheet.id, [{ N: 1 }, { N: 2 }, { N: 3 }]);
    const total = async () =>
      (await f.services.records.query(f.scope, sheet.id, { filterByFormula: '{N} > 1', pageSize: 1, withTotal: true }))
        .total;
    expect(await total()).toBe(2);
    expect(await total()).toBe(2);
    await other.records.create(f.scope, sheet.id, [{ N: 5 }]);
    expect(await total()).toBe(3);
    await other.records.update(f.scope, sheet.id, [{ recordId: made[2]!.id, fields: { N: 0 } }]);
    expect(await total()).toBe(2);
    await other.records.delete(f.scope, sheet.id, [made[1]!.id]);
    expect(await total()).toBe(1);
    other.indexing.stop();
  });
});
