import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/config.js';
import type { Database } from '../../src/db/client.js';
import { newId } from '../../src/domain/ids.js';
import { openInstallation } from '../../src/installation.js';
import { freshPostgresDatabase } from '../support/database.js';
import type { Figure } from './http.bench.js';

export const FIELDS = [
  { name: 'Title', type: 'SingleText', property: {} },
  { name: 'Amount', type: 'Number', property: { precision: 2 } },
  { name: 'Stage', type: 'SingleSelect', property: { options: [{ name: 'Lead' }, { name: 'Won' }, { name: 'Lost' }] } },
  { name: 'Closed', type: 'Checkbox', property: { icon: 'white_check_mark' } },
  { name: 'Notes', type: 'Text' },
];
const STAGES = ['Lead', 'Won', 'Lost'];

export function batchOf(start: number, size: number) {
  return Array.from({ length: size }, (_, i) => {
    const n = start + i;
    return {
      Title: `Deal ${n}`,
      Amount: (n * 37) % 100_000,
      Stage: STAGES[n % 3],
      Closed: n % 2 === 0,
      Notes: `note ${n} `.repeat(3),
    };
  });
}

/** The raw baseline: already serialized rows in one multi-row INSERT … unnest, one transaction. */
export async function rawInsert(
  db: Database,
  datasheetId: string,
  rows: readonly { id: string; cells: string; position: number }[],
): Promise<void> {
  await db.transaction((s) =>
    s.query(
      `INSERT INTO records (id, datasheet_id, cells, position, revision, created_at, updated_at)
       SELECT r.id, $1, r.cells::jsonb, r.position, 1, now(), now() FROM unnest($2::text[], $3::text[], $4::float8[]) AS r(id, cells, position)`,
      [datasheetId, rows.map((r) => r.id), rows.map((r) => r.cells), rows.map((r) => r.position)],
    ),
  );
}

/**
 * Writes `total` records in batches of `batchSize` through the record service (validation, defaults, auto
 * numbers, row cap, events; creations write no history rows, the record row is the creation), then the same stored rows through a bare multi-row INSERT … unnest,
 * one transaction per batch, into a second datasheet of the same database.
 */
export async function recordsBench(total: number, batchSize: number): Promise<Figure[]> {
  const pgdb = await freshPostgresDatabase();
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'tb-bench-rec-'));
  const config = loadConfig({ DATA_DIR: dataDir, DATABASE_URL: pgdb?.url });
  const inst = await openInstallation(config, { role: 'server' });
  const label = pgdb ? 'PostgreSQL' : 'PGlite';
  try {
    const space = await inst.services.spaces.create({ name: 'bench', plan: 'ENTERPRISE' });
    const scope = { spaceId: space.id, userId: space.ownerId };
    const service = await inst.services.datasheets.create(scope, { name: 'service', fields: FIELDS });
    const raw = await inst.services.datasheets.create(scope, { name: 'raw', fields: FIELDS });

    const inputs = Array.from({ length: Math.ceil(total / batchSize) }, (_, b) => batchOf(b * batchSize, batchSize));
    const createdBatches = [];
    const t0 = performance.now();
    for (const batch of inputs) createdBatches.push(await inst.services.records.create(scope, service.id, batch));
    const serviceSeconds = (performance.now() - t0) / 1000;

    // The baseline inserts exactly the stored rows the service produced, already serialized.
    const storedBatches = createdBatches.map((created) =>
      created.map((r) => ({ id: newId('record'), cells: JSON.stringify(r.cells), position: r.position })),
    );

    const t1 = performance.now();
    for (const rows of storedBatches) await rawInsert(inst.db, raw.id, rows);
    const rawSeconds = (performance.now() - t1) / 1000;
    const ours = total / serviceSeconds;
    const bare = total / rawSeconds;
    return [
      {
        name: `record service create, ${label}`,
        value: ours,
        unit: 'rec/s',
        note: `${total.toLocaleString('en-US')} records, batches of ${batchSize}: validation, defaults, row cap, events`,
      },
      {
        name: `raw INSERT … unnest, ${label}`,
        value: bare,
        unit: 'rec/s',
        note: 'same rows, no validation or history',
      },
      { name: `ratio service / raw, ${label}`, value: ours / bare, unit: '×', note: pgdb ? 'goal ≥ 0.40' : '' },
    ];
  } finally {
    await inst.close();
    await pgdb?.drop();
    await rm(dataDir, { recursive: true, force: true });
  }
}
