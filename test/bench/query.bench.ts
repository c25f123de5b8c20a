import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/config.js';
import { sortKeyExprs } from '../../src/db/query/sort-keys.js';
import { openInstallation } from '../../src/installation.js';
import { freshPostgresDatabase } from '../support/database.js';
import type { Figure } from './http.bench.js';

const STAGES = ['Lead', 'Won', 'Lost'];

export function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/**
 * Times two ways of answering the same query, alternating them run by run so that drift in the machine's speed
 * falls on both alike; the warm-up lets the JIT settle, as in a server that has been answering for a while.
 */
export async function timedPair(runs: number, a: () => Promise<unknown>, b: () => Promise<unknown>) {
  for (let i = 0; i < Math.min(20, Math.ceil(runs / 5)); i++) {
    await a();
    await b();
  }
  const samples: [number[], number[]] = [[], []];
  for (let i = 0; i < runs; i++) {
    for (const [k, fn] of [a, b].entries()) {
      const t0 = performance.now();
      await fn();
      samples[k]!.push(performance.now() - t0);
    }
  }
  return samples.map((xs) => {
    xs.sort((x, y) => x - y);
    return { p50: percentile(xs, 50), p95: percentile(xs, 95) };
  }) as [{ p50: number; p95: number }, { p50: number; p95: number }];
}

/**
 * Seeds `total` records and times the query engine (SQL building, execution and rendering to the Fusion
 * record shape) beside the same query written by hand as SQL (rows only), in one run.
 */
export async function queryBench(total: number, runs: number): Promise<Figure[]> {
  const pgdb = await freshPostgresDatabase();
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'tb-bench-q-'));
  const inst = await openInstallation(loadConfig({ DATA_DIR: dataDir, DATABASE_URL: pgdb?.url }), { role: 'server' });
  const label = pgdb ? 'PostgreSQL' : 'PGlite';
  try {
    const s = inst.services;
    const space = await s.spaces.create({ name: 'bench', plan: 'ENTERPRISE' });
    const scope = { spaceId: space.id, userId: space.ownerId };
    const ds = await s.datasheets.create(scope, {
      name: 'deals',
      fields: [
        { name: 'Title', type: 'SingleText', property: {} },
        { name: 'Amount', type: 'Number', property: { precision: 2 } },
        { name: 'Stage', type: 'SingleSelect', property: { options: STAGES.map((name) => ({ name })) } },
        { name: 'Closed', type: 'Checkbox', property: { icon: 'white_check_mark' } },
      ],
    });
    for (let start = 0; start < total; start += 1000) {
      await s.records.create(
        scope,
        ds.id,
        Array.from({ length: Math.min(1000, total - start) }, (_, i) => {
          const n = start + i;
          return { Title: `Deal ${n}`, Amount: (n * 7919) % 100_003, Stage: STAGES[n % 3], Closed: n % 5 === 0 };
        }),
      );
    }
    const [, amount, stage] = (await s.datasheets.get(scope, ds.id)).fields;
    const won = (stage!.property as { options: { id: string; name: string }[] }).options.find(
      (o) => o.name === 'Won',
    )!.id;
    const view = await s.views.add(scope, ds.id, {
      name: 'Won by amount',
      filter: { conjunction: 'and', conditions: [{ fieldId: stage!.id, operator: 'is', value: 'Won' }] },
      sort: [{ fieldId: amount!.id, desc: true }],
    });
    await s.indexing.idle();
    await inst.db.query('ANALYZE records');
    const db = inst.db;
    const [flag, value] = sortKeyExprs(amount!);
    const cols = 'r.id, r.cells, r.revision, r.position, r.created_at, r.created_by, r.updated_at, r.updated_by';
    const figures: Figure[] = [];
    const pair = async (
      name: string,
      engine: () => Promise<unknown>,
      hand: () => Promise<unknown>,
      n = runs,
      goal = 'goal ≤ 1.5',
    ) => {
      const [ours, sql] = await timedPair(n, engine, hand);
      figures.push(
        { name: `${name}, engine (${label})`, value: ours.p50, unit: 'ms p50', note: `p95 ${ours.p95.toFixed(2)} ms` },
        { name: `${name}, hand-written SQL`, value: sql.p50, unit: 'ms p50', note: `p95 ${sql.p95.toFixed(2)} ms` },
        { name: `${name}, ratio engine / SQL (p50)`, value: ours.p50 / sql.p50, unit: '×', note: goal },
      );
    };

    await pair(
      'view filter + sort, first 100',
      () => s.records.query(scope, ds.id, { viewId: view.id, pageSize: 100 }),
      () =>
        db.query(
          `SELECT ${cols} FROM records r WHERE r.datasheet_id = $1 AND r.cells->>'${stage!.id}' = $2
           ORDER BY ${flag} DESC, ${value} DESC, r.position, r.id LIMIT 100`,
          [ds.id, won],
        ),
    );
    await pair(
      'filterByFormula + sort, first 100',
      () =>
        s.records.query(scope, ds.id, {
          filterByFormula: 'AND({Stage} = "Won", {Amount} > 1000)',
          sort: [{ field: 'Amount', order: 'desc' }],
          pageSize: 100,
        }),
      () =>
        db.query(
          `SELECT ${cols} FROM records r WHERE r.datasheet_id = $1 AND r.cells->>'${stage!.id}' = $2 AND (r.cells->>'${amount!.id}')::float8 > 1000
           ORDER BY ${flag} DESC, ${value} DESC, r.position, r.id LIMIT 100`,
          [ds.id, won],
        ),
    );
    await pair(
      'page of 1,000 unfiltered',
      () => s.records.query(scope, ds.id, { pageSize: 1000 }),
      () =>
        db.query(`SELECT ${cols} FROM records r WHERE r.datasheet_id = $1 ORDER BY r.position, r.id LIMIT 1000`, [
          ds.id,
        ]),
    );
    let after: string | null = null;
    for (let i = 0; i < Math.floor(total / 2 / 1000); i++)
      after = (await s.records.query(scope, ds.id, { pageSize: 1000, after })).nextCursor ?? null;
    const [mid] = await db.query<{ position: number; id: string }>(
      `SELECT position, id FROM records WHERE datasheet_id = $1 ORDER BY position, id OFFSET $2 LIMIT 1`,
      [ds.id, Math.floor(total / 2) - 1],
    );
    await pair(
      `keyset page of 100 at row ${Math.floor(total / 2).toLocaleString('en-US')}`,
      () => s.records.query(scope, ds.id, { pageSize: 100, after }),
      () =>
        db.query(
          `SELECT ${cols} FROM records r WHERE r.datasheet_id = $1 AND (r.position, r.id) > ($2, $3) ORDER BY r.position, r.id LIMIT 100`,
          [ds.id, mid!.position, mid!.id],
        ),
    );
    const ids = (
      await db.query<{ id: string }>(`SELECT id FROM records WHERE datasheet_id = $1 ORDER BY random() LIMIT 100`, [
        ds.id,
      ])
    ).map((r) => r.id);
    await pair(
      'record-id selection of 100',
      () => s.records.query(scope, ds.id, { recordIds: ids, pageSize: 100 }),
      () =>
        db.query(
          `SELECT ${cols} FROM records r WHERE r.datasheet_id = $1 AND r.id = ANY($2::text[]) ORDER BY array_position($2::text[], r.id)`,
          [ds.id, ids],
        ),
    );
    // Formula fields compute in the query: sorting by one (no index can hold it) beside the same arithmetic by hand.
    await s.fields.add(scope, ds.id, { name: 'Net', type: 'Formula', property: { expression: '{Amount} * 0.8 - 5' } });
    await pair(
      'sort by a Formula field, first 100',
      () =>
        s.records.query(scope, ds.id, {
          sort: [{ field: 'Net', order: 'desc' }],
          fields: ['Title', 'Net'],
          pageSize: 100,
        }),
      () =>
        db.query(
          `SELECT ${cols}, (r.cells->>'${amount!.id}')::float8 * 0.8 - 5 AS net FROM records r WHERE r.datasheet_id = $1
           ORDER BY (r.cells->>'${amount!.id}')::float8 * 0.8 - 5 DESC NULLS LAST, r.position, r.id LIMIT 100`,
          [ds.id],
        ),
      // Each run reads every row: a few runs are enough.
      5,
      // The engine computes as the evaluator does (exact decimals, rounded to a double per operation); by hand, float8.
      'exact decimals vs float8',
    );
    return figures;
  } finally {
    await inst.close();
    await pgdb?.drop();
    await rm(dataDir, { recursive: true, force: true });
  }
}
