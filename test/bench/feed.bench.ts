import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/config.js';
import { openInstallation } from '../../src/installation.js';
import { freshPostgresDatabase } from '../support/database.js';
import type { Figure } from './http.bench.js';
import { batchOf, FIELDS } from './records.bench.js';

/** One installation on a fresh database, with the change feed on or off (FEED=off). */
async function open(feed: 'on' | 'off') {
  const pgdb = await freshPostgresDatabase();
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'tb-bench-feed-'));
  const inst = await openInstallation(loadConfig({ DATA_DIR: dataDir, DATABASE_URL: pgdb?.url, FEED: feed }), {
    role: 'server',
    inMemory: !pgdb,
  });
  const space = await inst.services.spaces.create({ name: 'bench', plan: 'ENTERPRISE' });
  const scope = { spaceId: space.id, userId: space.ownerId };
  const datasheet = await inst.services.datasheets.create(scope, { name: 'feed', fields: FIELDS });
  return {
    inst,
    scope,
    datasheetId: datasheet.id,
    async close() {
      await inst.close();
      await pgdb?.drop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * What the change feed costs writers: the same record batches (creates, then updates of what was created) through
 * the record service with the feed on and off, alternating batch by batch between the two installations (and which
 * goes first) so that both see the same machine load. Goal: the feed costs at most 15 %.
 */
export async function feedBench(total: number, batchSize: number): Promise<Figure[]> {
  const on = await open('on');
  const off = await open('off');
  const label = process.env.DATABASE_URL ? 'PostgreSQL' : 'PGlite';
  try {
    // Which side goes first alternates, so that neither always pays for what the other left (garbage, cache misses).
    const turns = (b: number) =>
      b % 2 === 0
        ? ([
            ['on', on],
            ['off', off],
          ] as const)
        : ([
            ['off', off],
            ['on', on],
          ] as const);
    const elapsed = { on: 0, off: 0 };
    const created = { on: [] as string[][], off: [] as string[][] };
    const batches = Math.ceil(total / batchSize);
    for (let b = 0; b < batches; b++) {
      const batch = batchOf(b * batchSize, batchSize);
      for (const [name, side] of turns(b)) {
        const t0 = performance.now();
        const records = await side.inst.services.records.create(side.scope, side.datasheetId, batch);
        elapsed[name] += performance.now() - t0;
        created[name].push(records.map((r) => r.id));
      }
    }
    for (let b = 0; b < batches; b++) {
      for (const [name, side] of turns(b)) {
        const updates = created[name][b]!.map((recordId, i) => ({ recordId, fields: { Amount: i, Title: `u${i}` } }));
        const t0 = performance.now();
        await side.inst.services.records.update(side.scope, side.datasheetId, updates);
        elapsed[name] += performance.now() - t0;
      }
    }
    const written = 2 * batches * batchSize;
    const withFeed = written / (elapsed.on / 1000);
    const withoutFeed = written / (elapsed.off / 1000);
    const note = `${written.toLocaleString('en-US')} records (creates then updates), batches of ${batchSize}`;
    return [
      { name: `writes with the change feed, ${label}, batches of ${batchSize}`, value: withFeed, unit: 'rec/s', note },
      { name: `writes without it (FEED=off), ${label}`, value: withoutFeed, unit: 'rec/s', note },
      { name: `cost of the feed, ${label}`, value: 1 - withFeed / withoutFeed, unit: '×', note: 'goal ≤ 0.15' },
    ];
  } finally {
    await on.close();
    await off.close();
  }
}
