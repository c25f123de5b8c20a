/**
 * Does an import's memory grow with its row count? Imports a generated CSV of N rows (argv[2], default 100,000) on
 * the database of DATABASE_URL (else PGlite) and prints the peak RSS and heap, and — run with `--expose-gc` — the
 * live heap after a forced collection every two seconds (what the import really keeps). Compare two sizes:
 *   npx tsx test/bench/import-memory.ts 50000 && npx tsx test/bench/import-memory.ts 200000
 *   npx tsx --expose-gc test/bench/import-memory.ts 200000
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { once } from 'node:events';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/config.js';
import { openInstallation } from '../../src/installation.js';
import { freshPostgresDatabase } from '../support/database.js';
import { FIELDS } from './records.bench.js';

const rows = Number(process.argv[2] ?? 100_000);
const gc = (globalThis as { gc?: () => void }).gc;
const MiB = (bytes: number) => Math.round(bytes / 2 ** 20);

const pgdb = await freshPostgresDatabase();
const dataDir = await mkdtemp(path.join(os.tmpdir(), 'tb-import-memory-'));
const inst = await openInstallation(loadConfig({ DATA_DIR: dataDir, DATABASE_URL: pgdb?.url }), { role: 'server' });
try {
  const space = await inst.services.spaces.create({ name: 'bench', plan: 'ENTERPRISE' });
  const scope = { spaceId: space.id, userId: space.ownerId };
  const sheet = await inst.services.datasheets.create(scope, { name: 'io', fields: FIELDS });
  await inst.db.query('UPDATE datasheets SET row_cap = $1 WHERE id = $2', [rows + 1, sheet.id]);
  const file = path.join(dataDir, 'bench.csv');
  const out = createWriteStream(file);
  out.write('Title,Amount,Stage,Closed,Notes\n');
  const stages = ['Lead', 'Won', 'Lost'];
  for (let n = 0; n < rows; n++) {
    const line = `Deal ${n},${(n * 37) % 100_000},${stages[n % 3]},${n % 2 === 0},"note ${n}, and more"\n`;
    if (!out.write(line)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  gc?.();
  const before = process.memoryUsage();
  let peakRss = before.rss;
  let peakHeap = before.heapUsed;
  const live: number[] = [];
  const sampler = setInterval(() => {
    const m = process.memoryUsage();
    peakRss = Math.max(peakRss, m.rss);
    peakHeap = Math.max(peakHeap, m.heapUsed);
  }, 20);
  const collector = gc
    ? setInterval(() => {
        gc();
        live.push(process.memoryUsage().heapUsed);
      }, 2000)
    : undefined;
  const t0 = performance.now();
  const job = await inst.services.imports.start(scope, {
    datasheetId: sheet.id,
    file: { name: 'bench.csv', data: createReadStream(file) },
  });
  await inst.services.imports.idle();
  clearInterval(sampler);
  clearInterval(collector);
  const done = await inst.services.imports.get(scope, job.id);
  const step = Math.max(1, Math.floor(live.length / 6));
  console.log(
    JSON.stringify({
      database: pgdb ? 'PostgreSQL' : 'PGlite',
      rows,
      rowsWritten: done.rowsWritten,
      seconds: Math.round((performance.now() - t0) / 1000),
      rssBeforeMiB: MiB(before.rss),
      peakRssMiB: MiB(peakRss),
      heapBeforeMiB: MiB(before.heapUsed),
      peakHeapMiB: MiB(peakHeap),
      ...(gc ? { liveHeapAfterGcMiB: live.filter((_, i) => i % step === 0).map(MiB) } : {}),
    }),
  );
} finally {
  await inst.close();
  await pgdb?.drop();
  await rm(dataDir, { recursive: true, force: true });
}
