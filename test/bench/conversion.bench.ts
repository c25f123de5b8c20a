import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/config.js';
import { openInstallation } from '../../src/installation.js';
import { freshPostgresDatabase } from '../support/database.js';
import type { Figure } from './http.bench.js';

/** Peak resident set size while `fn` runs, sampled every 20 ms (MiB), and its duration. */
async function measured<T>(fn: () => Promise<T>): Promise<{ seconds: number; peakMiB: number }> {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 20);
  const t0 = performance.now();
  try {
    await fn();
    return { seconds: (performance.now() - t0) / 1000, peakMiB: Math.max(peak, process.memoryUsage().rss) / 2 ** 20 };
  } finally {
    clearInterval(timer);
  }
}

/**
 * A field type change over `rows` records (every cell changes, so every cell gets a history row and a feed entry):
 * Text → Number and back Number → Text, beside the record service updating the same cells in batches of 1,000 (the
 * ordinary write path, with its history and feed) in the same run; cells/s, the ratio, and peak RSS.
 */
export async function conversionBench(rows: number): Promise<Figure[]> {
  const pgdb = await freshPostgresDatabase();
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'tb-bench-convert-'));
  const inst = await openInstallation(loadConfig({ DATA_DIR: dataDir, DATABASE_URL: pgdb?.url }), { role: 'server' });
  const label = pgdb ? 'PostgreSQL' : 'PGlite';
  try {
    const space = await inst.services.spaces.create({ name: 'bench', plan: 'ENTERPRISE' });
    const scope = { spaceId: space.id, userId: space.ownerId };
    const sheet = await inst.services.datasheets.create(scope, {
      name: 'convert',
      fields: [
        { name: 'Name', type: 'SingleText', property: {} },
        { name: 'F', type: 'Text' },
      ],
    });
    const field = sheet.fields[1]!;
    await inst.db.query('UPDATE datasheets SET row_cap = $1 WHERE id = $2', [rows + 1, sheet.id]);
    for (let i = 0; i < rows; i += 1000) {
      const batch = Array.from({ length: Math.min(1000, rows - i) }, (_, k) => ({
        Name: `r${i + k}`,
        F: `${(i + k) % 997}`,
      }));
      await inst.services.records.create(scope, sheet.id, batch);
    }
    const ids = (
      await inst.db.query<{ id: string }>('SELECT id FROM records WHERE datasheet_id = $1 ORDER BY position', [
        sheet.id,
      ])
    ).map((r) => r.id);
    const baseline = process.memoryUsage().rss / 2 ** 20;
    const update = await measured(async () => {
      for (let i = 0; i < ids.length; i += 1000) {
        const batch = ids.slice(i, i + 1000).map((id, k) => ({ recordId: id, fields: { F: `${(i + k) % 991}.5` } }));
        await inst.services.records.update(scope, sheet.id, batch);
      }
    });
    const toNumber = await measured(() =>
      inst.services.fields.update(scope, sheet.id, field.id, { type: 'Number', property: { precision: 1 } }),
    );
    const toText = await measured(() => inst.services.fields.update(scope, sheet.id, field.id, { type: 'Text' }));
    const n = rows.toLocaleString('en-US');
    const rate = (m: { seconds: number }) => rows / m.seconds;
    return [
      {
        name: `record service update, ${label}`,
        value: rate(update),
        unit: 'rows/s',
        note: `${n} cells, batches of 1,000`,
      },
      { name: `convert Text → Number, ${label}`, value: rate(toNumber), unit: 'rows/s', note: `${n} cells` },
      { name: `  ÷ record service update`, value: rate(toNumber) / rate(update), unit: '×' },
      { name: `convert Number → Text, ${label}`, value: rate(toText), unit: 'rows/s', note: `${n} cells` },
      { name: `  ÷ record service update`, value: rate(toText) / rate(update), unit: '×' },
      {
        name: `convert peak RSS, ${label}`,
        value: Math.max(toNumber.peakMiB, toText.peakMiB),
        unit: 'MiB',
        note: `before: ${Math.round(baseline)} MiB; updates: ${Math.round(update.peakMiB)} MiB`,
      },
    ];
  } finally {
    await inst.close();
    await pgdb?.drop();
    await rm(dataDir, { recursive: true, force: true });
  }
}
