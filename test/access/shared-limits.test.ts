import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { freshPostgresDatabase, onPostgres } from '../support/database.js';
import { privateRedis, type PrivateRedis } from '../support/private-redis.js';
import { freePort, runTs, waitReady, type Running } from '../support/process.js';

/**
 * Two server processes share one rate budget through Redis, and keep serving on per-process limits when
 * Redis goes away. Two processes need a database they can share, which the embedded one is not: this
 * suite runs in the PostgreSQL pass (DATABASE_URL set), as .ci/run does.
 */
let redis: PrivateRedis;
let pgdb: Awaited<ReturnType<typeof freshPostgresDatabase>>;
let dataDir: string;
const servers: Running[] = [];
const urls: string[] = [];
let token: string;

beforeAll(async () => {
  if (!onPostgres()) return;
  redis = await privateRedis();
  await redis.start();
  pgdb = await freshPostgresDatabase();
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'tb-shared-'));
  for (let i = 0; i < 2; i++) {
    const port = await freePort();
    const env = {
      DATABASE_URL: pgdb!.url,
      REDIS_URL: redis.url,
      PORT: String(port),
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
      RATE_LIMIT_QPS: 'ENTERPRISE=4',
    };
    const server = runTs('src/main.ts', [], env);
    servers.push(server);
    urls.push(`http://127.0.0.1:${port}`);
    await server.waitFor(/Fusion API/);
    await waitReady(urls[i]!);
    if (i === 0) token = (await server.waitFor(/\n\s+(tbk_[0-9A-Za-z]+)\n/))[1]!;
  }
}, 120_000);

afterAll(async () => {
  for (const server of servers) {
    server.child.kill('SIGTERM');
    await server.exited;
  }
  await redis?.stop().catch(() => {});
  await pgdb?.drop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

/** 12 requests at once, alternating between the two processes; the statuses they got. */
async function burst(): Promise<number[]> {
  await new Promise((r) => setTimeout(r, 1100)); // a fresh window
  const responses = await Promise.all(
    Array.from({ length: 12 }, (_, i) =>
      fetch(`${urls[i % 2]}/fusion/v1/me`, { headers: { authorization: `Bearer ${token}` } }),
    ),
  );
  return responses.map((r) => r.status);
}

it.skipIf(!onPostgres())('two processes share one budget through Redis', async () => {
  const statuses = await burst();
  expect(statuses.filter((s) => s === 200)).toHaveLength(4);
  expect(statuses.filter((s) => s === 429)).toHaveLength(8);
});

it.skipIf(!onPostgres())('with Redis gone, both keep serving and each applies the limit on its own', async () => {
  await redis.stop();
  const statuses = await burst();
  expect(statuses.filter((s) => s === 200)).toHaveLength(8);
  expect(statuses.filter((s) => s === 429)).toHaveLength(4);
  expect(statuses.every((s) => s === 200 || s === 429)).toBe(true);
});

it.skipIf(!onPostgres())('shares the budget again once Redis is back', async () => {
  await redis.start();
  await new Promise((r) => setTimeout(r, 1500)); // reconnect backoff is at most 1 s
  const statuses = await burst();
  expect(statuses.filter((s) => s === 200)).toHaveLength(4);
});
