import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { openInstallation } from '../../src/installation.js';
import { freshPostgresDatabase } from '../support/database.js';
import { runTs } from '../support/process.js';

const BATCH = 400;
let dataDir: string;
let pgdb: Awaited<ReturnType<typeof freshPostgresDatabase>>;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'tb-crash-'));
  pgdb = await freshPostgresDatabase();
});
afterAll(async () => {
  await pgdb?.drop();
  await rm(dataDir, { recursive: true, force: true });
});

it.each([1, 2, 3])(
  'kill -9 during a write transaction loses nothing acknowledged and leaves nothing partial (trial %i)',
  async (trial) => {
    const env = { DATA_DIR: dataDir, DATABASE_URL: pgdb?.url, LOG_LEVEL: 'silent' };
    const writer = runTs('test/support/crash-writer.ts', [], env);
    const [, spaceId] = await writer.waitFor(/space (spc\w+)/);
    await writer.waitFor(new RegExp(`committed ${trial + 1}\\n`));
    // Land somewhere inside a later transaction (each lingers ~30 ms before COMMIT).
    await new Promise((r) => setTimeout(r, 10 + trial * 7));
    writer.child.kill('SIGKILL');
    expect(await writer.exited).toBe('SIGKILL');
    const acknowledged = [...writer.stdout().matchAll(/committed (\d+)/g)].map((m) => Number(m[1]));

    // The restarted process opens the database (the stale lock of the killed one is taken over).
    const installation = await openInstallation(loadConfig(env), { role: 'server' });
    try {
      const groups = await installation.db.prisma.node.groupBy({
        by: ['name'],
        where: { spaceId },
        _count: { _all: true },
      });
      const present = new Map(groups.map((g) => [g.name, g._count._all]));
      for (const n of acknowledged) expect(present.get(`batch-${n}`), `acknowledged batch ${n}`).toBe(BATCH);
      for (const [name, count] of present) expect(count, `${name} is whole`).toBe(BATCH);
      expect(present.size - acknowledged.length).toBeLessThanOrEqual(1);
    } finally {
      await installation.close();
    }
  },
);
