import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../src/db/client.js';
import { createChangeFeed, type Feed } from '../../src/db/feed/change-feed.js';
import type { FeedEvent } from '../../src/domain/events/feed.js';
import { freshPostgresDatabase, onPostgres } from '../support/database.js';
import { fusion } from '../support/fusion.js';
import { freePort, runTs, waitReady, type Running } from '../support/process.js';

/**
 * Several server processes on one PostgreSQL: a change committed through one process reaches the feed of another,
 * woken by LISTEN/NOTIFY or by Redis (each dispatcher below hears only the one way under test: its fallback poll is
 * an hour), and a process killed after a commit leaves its audit row to whoever runs the audit consumer next.
 */
const HOUR = 3_600_000;

async function startServer(databaseUrl: string, env: Record<string, string | undefined> = {}) {
  const port = await freePort();
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'tb-feed-'));
  const server = runTs('src/main.ts', [], {
    DATABASE_URL: databaseUrl,
    DATA_DIR: dataDir,
    PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    RATE_LIMIT: 'off',
    ...env,
  });
  const url = `http://127.0.0.1:${port}`;
  await waitReady(url, 60_000);
  return { server, url, dataDir };
}

async function bootstrapToken(server: Running) {
  const [, spaceId] = await server.waitFor(/\((spc\w+)\)/);
  const [, token] = await server.waitFor(/\s(tbk_\w+)/);
  return { spaceId: spaceId!, token: token! };
}

async function createDatasheet(url: string, token: string, spaceId: string): Promise<string> {
  const created = await fusion<{ id: string }>(url, 'POST', `/v1/spaces/${spaceId}/datasheets`, {
    token,
    body: { name: 'Across processes', fields: [{ name: 'Title', type: 'SingleText', property: {} }] },
  });
  expect(created.body.success, created.text).toBe(true);
  return created.body.data!.id;
}

function nextEvent(feed: Feed, datasheetId: string): { event: Promise<FeedEvent>; close(): void } {
  let close = () => {};
  const event = new Promise<FeedEvent>((resolve, reject) => {
    const subscription = feed.subscribe(datasheetId, null, resolve, reject);
    close = () => subscription.close();
  });
  return { event, close };
}

describe.skipIf(!onPostgres())('two processes on one PostgreSQL', () => {
  let pgdb: Awaited<ReturnType<typeof freshPostgresDatabase>>;
  let writer: Awaited<ReturnType<typeof startServer>>;
  let auth: { spaceId: string; token: string };
  let db: Database;
  const feeds: Feed[] = [];

  beforeAll(async () => {
    pgdb = await freshPostgresDatabase();
    writer = await startServer(pgdb!.url, { REDIS_URL: process.env.REDIS_URL });
    auth = await bootstrapToken(writer.server);
    db = await openDatabase({ databaseUrl: pgdb!.url, dataDir: writer.dataDir });
  }, 90_000);
  afterAll(async () => {
    for (const feed of feeds) await feed.close();
    await db?.close();
    writer?.server.child.kill('SIGTERM');
    await writer?.server.exited;
    await pgdb?.drop();
    if (writer) await rm(writer.dataDir, { recursive: true, force: true });
  });

  function listeningFeed(options: { databaseUrl?: string; redisUrl?: string }): Feed {
    const feed = createChangeFeed(db, {
      ...options,
      origin: 'test',
      retentionDays: 7,
      leaseMs: 30_000,
      pollMs: HOUR,
      onError: () => {},
    });
    feeds.push(feed);
    feed.start();
    return feed;
  }

  it('a change written through one process reaches a subscriber of another, woken by LISTEN/NOTIFY', async () => {
    const feed = listeningFeed({ databaseUrl: pgdb!.url });
    const datasheetId = await createDatasheet(writer.url, auth.token, auth.spaceId);
    await feed.drain();
    const next = nextEvent(feed, datasheetId);
    const written = await fusion<{ records: { recordId: string }[] }>(
      writer.url,
      'POST',
      `/v1/datasheets/${datasheetId}/records`,
      { token: auth.token, body: { records: [{ fields: { Title: 'over there' } }] } },
    );
    const event = await next.event;
    next.close();
    expect(event).toMatchObject({
      datasheetId,
      kind: 'records.created',
      sequence: '2',
      recordIds: [written.body.data!.records[0]!.recordId],
      requestId: written.headers.get('request-id'),
    });
  });

  it.skipIf(!process.env.REDIS_URL)('and woken by Redis pub/sub when REDIS_URL is set', async () => {
    const feed = listeningFeed({ redisUrl: process.env.REDIS_URL });
    const datasheetId = await createDatasheet(writer.url, auth.token, auth.spaceId);
    await feed.drain();
    // Subscribed to the channel before the write (the subscriber connection wakes the feed once when ready).
    await new Promise((resolve) => setTimeout(resolve, 300));
    const next = nextEvent(feed, datasheetId);
    await fusion(writer.url, 'POST', `/v1/datasheets/${datasheetId}/records`, {
      token: auth.token,
      body: { records: [{ fields: { Title: 'via redis' } }] },
    });
    expect(await next.event).toMatchObject({ datasheetId, kind: 'records.created', sequence: '2' });
    next.close();
  });
});

describe.skipIf(!onPostgres())('a crash between commit and the audit consumer', () => {
  it('kill -9 after the commit, before the audit row: after restart the row appears exactly once', async () => {
    const pgdb = (await freshPostgresDatabase())!;
    const env = { FEED_LEASE_SECONDS: '1' };
    let first = await startServer(pgdb.url, env);
    const dirs = [first.dataDir];
    const blocker = new pg.Client({ connectionString: pgdb.url });
    await blocker.connect();
    try {
      const { spaceId, token } = await bootstrapToken(first.server);
      const datasheetId = await createDatasheet(first.url, token, spaceId);
      const audited = async () =>
        (
          await blocker.query<{ n: number }>(
            `SELECT count(*)::int AS n FROM audit_events WHERE action = 'field.created' AND detail->>'datasheetId' = $1`,
            [datasheetId],
          )
        ).rows[0]!.n;
      // Audit rows cannot be written while this lock is held: the consumer's insert waits.
      await blocker.query('BEGIN');
      await blocker.query('LOCK TABLE audit_events IN SHARE ROW EXCLUSIVE MODE');
      const field = await fusion(first.url, 'POST', `/v1/spaces/${spaceId}/datasheets/${datasheetId}/fields`, {
        token,
        body: { name: 'Added', type: 'SingleText', property: {} },
      });
      expect(field.body.success, field.text).toBe(true);
      // The change is committed; the audit consumer is stuck on its insert.
      for (;;) {
        const { rows } = await blocker.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
           WHERE c.relname = 'audit_events' AND NOT l.granted`,
        );
        if (rows[0]!.n > 0) break;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      first.server.child.kill('SIGKILL');
      await first.server.exited;
      // The dead process's waiting statement must not run once the lock goes: end its connection.
      await blocker.query(
        `SELECT pg_terminate_backend(a.pid) FROM pg_stat_activity a
         WHERE a.datname = current_database() AND a.pid <> pg_backend_pid()`,
      );
      await blocker.query('ROLLBACK');
      expect(await audited()).toBe(0);

      first = await startServer(pgdb.url, env);
      dirs.push(first.dataDir);
      while ((await audited()) === 0) await new Promise((resolve) => setTimeout(resolve, 50));
      // Once it is there, the consumer has moved past it: no second row follows.
      const [event] = (
        await blocker.query<{ id: string }>(
          `SELECT id::text AS id FROM change_events WHERE datasheet_id = $1 AND kind = 'field.created'`,
          [datasheetId],
        )
      ).rows;
      for (;;) {
        const { rows } = await blocker.query<{ last_id: string }>(
          `SELECT last_id::text AS last_id FROM feed_cursors WHERE consumer = 'audit'`,
        );
        if (BigInt(rows[0]!.last_id) >= BigInt(event!.id)) break;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(await audited()).toBe(1);
    } finally {
      await blocker.end();
      first.server.child.kill('SIGTERM');
      await first.server.exited;
      await pgdb.drop();
      for (const dir of dirs) await rm(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
