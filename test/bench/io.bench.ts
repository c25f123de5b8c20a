import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { once } from 'node:events';
import { loadConfig } from '../../src/config.js';
import { openInstallation } from '../../src/installation.js';
import { freshPostgresDatabase } from '../support/database.js';
import type { Figure } from './http.bench.js';
import { IMPORT_CHUNK_ROWS } from '../../src/domain/imports/import-job.js';
import { FIELDS } from './records.bench.js';

/** Peak resident set size while `fn` runs, sampled every 20 ms (MiB). */
async function peakRss<T>(fn: () => Promise<T>): Promise<{ result: T; seconds: number; peakMiB: number }> {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 20);
  const t0 = performance.now();
  try {
    const result = await fn();
    return {
      result,
      seconds: (performance.now() - t0) / 1000,
      peakMiB: Math.max(peak, process.memoryUsage().rss) / 2 ** 20,
    };
  } finally {
    clearInterval(timer);
  }
}

/** A CSV file of `rows` rows of the bench's five fields, written to disk as it is generated. */
async function writeCsv(file: string, rows: number): Promise<void> {
  const out = createWriteStream(file);
  const stages = ['Lead', 'Won', 'Lost'];
  out.write('Title,Amount,Stage,Closed,Notes\n');
  for (let n = 0; n < rows; n++) {
    const line = `Deal ${n},${(n * 37) % 100_000},${stages[n % 3]},${n % 2 === 0},"note ${n}, and more"\n`;
    if (!out.write(line)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

/** A sink that discards what it is given, slowly enough to push back (a 16 KiB buffer). */
function counter(): Writable & { bytes: number } {
  const sink = new Writable({
    highWaterMark: 16 * 1024,
    write(chunk: Buffer, _encoding, done) {
      sink.bytes += chunk.length;
      setImmediate(done);
    },
  }) as Writable & { bytes: number };
  sink.bytes = 0;
  return sink;
}

/**
 * Imports a CSV file of `rows` rows (streamed from disk, validated, written in chunks of IMPORT_CHUNK_ROWS through the
 * record service, one chunk written while the next is read), then exports the datasheet as CSV, JSONL and (up to
 * `xlsxRows`) XLSX into a slow sink: rows/s and peak RSS (beside the RSS before each step).
 */
export async function ioBench(rows: number, xlsxRows: number): Promise<Figure[]> {
  const pgdb = await freshPostgresDatabase();
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'tb-bench-io-'));
  const config = loadConfig({ DATA_DIR: dataDir, DATABASE_URL: pgdb?.url });
  const inst = await openInstallation(config, { role: 'server' });
  const label = pgdb ? 'PostgreSQL' : 'PGlite';
  const figures: Figure[] = [];
  try {
    const space = await inst.services.spaces.create({ name: 'bench', plan: 'ENTERPRISE' });
    const scope = { spaceId: space.id, userId: space.ownerId };
    const sheet = await inst.services.datasheets.create(scope, { name: 'io', fields: FIELDS });
    await inst.db.query('UPDATE datasheets SET row_cap = $1 WHERE id = $2', [rows + 1, sheet.id]);
    const file = path.join(dataDir, 'bench.csv');
    await writeCsv(file, rows);
    const baseline = process.memoryUsage().rss / 2 ** 20;
    const imported = await peakRss(async () => {
      const job = await inst.services.imports.start(scope, {
        datasheetId: sheet.id,
        file: { name: 'bench.csv', data: createReadStream(file) },
      });
      await inst.services.imports.idle();
      return inst.services.imports.get(scope, job.id);
    });
    if (imported.result.rowsWritten !== rows) throw new Error(`import wrote ${imported.result.rowsWritten} of ${rows}`);
    const n = rows.toLocaleString('en-US');
    figures.push(
      {
        name: `import CSV, ${label}`,
        value: rows / imported.seconds,
        unit: 'rows/s',
        note: `${n} rows, chunks of ${IMPORT_CHUNK_ROWS}`,
      },
      {
        name: `import CSV peak RSS, ${label}`,
        value: imported.peakMiB,
        unit: 'MiB',
        note: `before: ${Math.round(baseline)} MiB`,
      },
    );
    for (const format of ['csv', 'jsonl', 'xlsx'] as const) {
      if (format === 'xlsx' && rows > xlsxRows) continue;
      const plan = await inst.services.exports.prepare(scope, sheet.id, { format });
      const sink = counter();
      const before = process.memoryUsage().rss / 2 ** 20;
      const exported = await peakRss(() => inst.services.exports.write(plan, sink));
      if (exported.result !== rows) throw new Error(`export wrote ${exported.result} of ${rows}`);
      figures.push(
        {
          name: `export ${format.toUpperCase()}, ${label}`,
          value: rows / exported.seconds,
          unit: 'rows/s',
          note: `${n} rows, ${Math.round(sink.bytes / 2 ** 20)} MiB`,
        },
        {
          name: `export ${format.toUpperCase()} peak RSS, ${label}`,
          value: exported.peakMiB,
          unit: 'MiB',
          note: `before: ${Math.round(before)} MiB`,
        },
      );
    }
    return figures;
  } finally {
    await inst.close();
    await pgdb?.drop();
    await rm(dataDir, { recursive: true, force: true });
  }
}
