import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';
import { onPostgres } from '../support/database.js';

/**
 * What an Idempotency-Key must not do: replay refusals (rate, auth), let replays skip the rate limit, let a
 * retry run a slow request a second time, or lose a committed write's key when the response is lost.
 */

const apps: TestApp[] = [];
afterAll(async () => {
  await Promise.all(apps.map((a) => a.close()));
});
async function start(env: Record<string, string>): Promise<TestApp> {
  const t = await startTestApp(env);
  apps.push(t);
  return t;
}

function call(
  t: TestApp,
  method: string,
  path: string,
  body: unknown,
  key?: string,
  token = t.token,
  signal?: AbortSignal,
) {
  return fetch(`${t.url}/fusion${path}`, {
    method,
    headers: {
      'content-type': 'application/json',
      authorization: `Bearer ${token}`,
      ...(key ? { 'idempotency-key': key } : {}),
    },
    body: JSON.stringify(body),
    signal,
  });
}
const createDatasheet = (t: TestApp, name: string, key?: string, token?: string) =>
  call(
    t,
    'POST',
    `/v1/spaces/${t.spaceId}/datasheets`,
    { name, fields: [{ name: 'Name', type: 'SingleText', property: {} }] },
    key,
    token,
  );
const datasheetsNamed = (t: TestApp, name: string) => t.app.prisma.node.count({ where: { spaceId: t.spaceId, name } });
const keyRows = (t: TestApp, key: string) => t.app.prisma.idempotencyKey.count({ where: { key } });
const ALL_PLANS = (qps: number) => `FREE=${qps},PLUS=${qps},PRO=${qps},ENTERPRISE=${qps}`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('rate limits and access come before the key', () => {
  it('never replays a 429: the same key after the window runs the request', async () => {
    const t = await start({ RATE_LIMIT_QPS: ALL_PLANS(2), RATE_LIMIT_WINDOW_MS: '1000' });
    // Fill the window, then send the keyed request; should the window roll over in between, try a new key.
    let name = '';
    let key = '';
    for (let attempt = 0; ; attempt++) {
      while ((await createDatasheet(t, 'filler')).status !== 429);
      [name, key] = [`After 429 ${attempt}`, `key-429-${attempt}`];
      const limited = await createDatasheet(t, name, key);
      if (limited.status !== 429) continue;
      expect(limited.headers.get('retry-after')).toMatch(/^\d+$/);
      break;
    }
    expect(await keyRows(t, key)).toBe(0);
    // Retried until the window lets it through: never a replayed 429, every 429 with Retry-After.
    for (;;) {
      const retry = await createDatasheet(t, name, key);
      expect(retry.headers.get('idempotent-replayed')).toBeNull();
      if (retry.status === 200) {
        expect(await retry.json()).toMatchObject({ success: true });
        break;
      }
      expect(retry.status).toBe(429);
      expect(retry.headers.get('retry-after')).toMatch(/^\d+$/);
      await sleep(Number(retry.headers.get('retry-after')) * 1000);
    }
    expect(await datasheetsNamed(t, name)).toBe(1);
    expect((await createDatasheet(t, name, key)).headers.get('idempotent-replayed')).toBe('true');
  });

  it('meters replays: they count against the rate limit like any request', async () => {
    const t = await start({ RATE_LIMIT_QPS: ALL_PLANS(3), RATE_LIMIT_WINDOW_MS: '600000' });
    const first = await createDatasheet(t, 'Metered', 'key-metered');
    expect(first.headers.get('x-ratelimit-remaining')).toBe('2');
    const replay = await createDatasheet(t, 'Metered', 'key-metered');
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.headers.get('x-ratelimit-remaining')).toBe('1');
    expect((await createDatasheet(t, 'Metered', 'key-metered')).headers.get('x-ratelimit-remaining')).toBe('0');
    const over = await createDatasheet(t, 'Metered', 'key-metered');
    expect(over.status).toBe(429);
    expect(over.headers.get('idempotent-replayed')).toBeNull();
    expect(await datasheetsNamed(t, 'Metered')).toBe(1);
  });

  it('stores no refusal of the access gate (401, 403): the retry with a good token runs', async () => {
    const t = await start({ RATE_LIMIT: 'off' });
    expect((await createDatasheet(t, 'Gate', 'key-gate', 'tbk_wrong')).status).toBe(401);
    const reader = (await t.app.services.tokens.create({ spaceId: t.spaceId, scopes: ['spaces:read'] })).secret;
    const forbidden = await createDatasheet(t, 'Gate', 'key-gate', reader);
    expect(forbidden.status).toBe(403);
    expect(await keyRows(t, 'key-gate')).toBe(0);
  });
});

describe('at most once', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await start({ RATE_LIMIT: 'off' });
  });

  it('completes the key although the client went away before the response', async () => {
    const abort = new AbortController();
    const sent = call(
      t,
      'POST',
      `/v1/spaces/${t.spaceId}/datasheets`,
      { name: 'Aborted', fields: [{ name: 'Name', type: 'SingleText', property: {} }] },
      'key-abort',
      t.token,
      abort.signal,
    ).catch(() => undefined);
    while ((await keyRows(t, 'key-abort')) === 0) await sleep(5);
    abort.abort();
    await sent;
    const retry = await call(
      t,
      'POST',
      `/v1/spaces/${t.spaceId}/datasheets`,
      { name: 'Aborted', fields: [{ name: 'Name', type: 'SingleText', property: {} }] },
      'key-abort',
    );
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(await retry.json()).toMatchObject({ success: true });
    expect(await datasheetsNamed(t, 'Aborted')).toBe(1);
  });

  // Holding database locks from a second connection needs PostgreSQL (PGlite has one connection).
  describe.skipIf(!onPostgres())('on PostgreSQL, with locks held by the test', () => {
    let db: pg.Client;
    // biome-ignore lint/suspicious/noDuplicateTestHooks: a nested describe's own hook (describe.skipIf is not seen as nesting)
    beforeAll(async () => {
      db = new pg.Client({ connectionString: t.config.databaseUrl });
      await db.connect();
    });
    afterAll(async () => {
      await db?.end();
    });

    it('never lets a retry take over a request that is still running, however long it runs', async () => {
      const datasheetId = ((await (await createDatasheet(t, 'Slow')).json()) as { data: { id: string } }).data.id;
      const timing = t.app.services.idempotency.timing;
      const saved = { ...timing };
      Object.assign(timing, { leaseMs: 200, waitMs: 1000 });
      const body = { records: [{ fields: { Name: 'slow' } }] };
      try {
        await db.query('BEGIN');
        await db.query('SELECT 1 FROM datasheets WHERE id = $1 FOR UPDATE', [datasheetId]);
        const first = call(t, 'POST', `/v1/datasheets/${datasheetId}/records`, body, 'key-slow');
        while ((await keyRows(t, 'key-slow')) === 0) await sleep(10);
        await sleep(10 * timing.leaseMs); // many leases: the first renews its claim while it waits for the lock
        const duplicate = await call(t, 'POST', `/v1/datasheets/${datasheetId}/records`, body, 'key-slow');
        expect(duplicate.status).toBe(409);
        expect(await duplicate.json()).toMatchObject({
          success: false,
          code: 409,
          message: expect.stringContaining('still in progress'),
        });
        await db.query('COMMIT');
        expect((await first).status).toBe(200);
      } finally {
        await db.query('ROLLBACK').catch(() => undefined);
        Object.assign(timing, saved);
      }
      const again = await call(t, 'POST', `/v1/datasheets/${datasheetId}/records`, body, 'key-slow');
      expect(again.headers.get('idempotent-replayed')).toBe('true');
      expect(await t.app.prisma.record.count({ where: { datasheetId } })).toBe(1);
    });

    it('marks the key used in the write’s own transaction: losing the response never runs the write twice', async () => {
      // Storing this key's response fails, as if the process stopped right after the write committed.
      await db.query(`CREATE FUNCTION lose_completion() RETURNS trigger LANGUAGE plpgsql AS
        $$ BEGIN RAISE EXCEPTION 'response lost'; END $$`);
      await db.query(`CREATE TRIGGER lose_completion BEFORE UPDATE ON idempotency_keys FOR EACH ROW
        WHEN (NEW.key = 'key-lost' AND NEW.status_code IS NOT NULL) EXECUTE FUNCTION lose_completion()`);
      try {
        expect((await createDatasheet(t, 'Lost response', 'key-lost')).status).toBe(200);
        const row = await t.app.prisma.idempotencyKey.findFirstOrThrow({ where: { key: 'key-lost' } });
        expect(row).toMatchObject({ committed: true, statusCode: null });
        // Nobody renews the claim any more; once its lease lapsed the retry is refused, not run again.
        await t.app.prisma.idempotencyKey.updateMany({
          where: { key: 'key-lost' },
          data: { leaseExpiresAt: new Date(0) },
        });
        const retry = await createDatasheet(t, 'Lost response', 'key-lost');
        expect(retry.status).toBe(409);
        expect(await retry.json()).toMatchObject({
          success: false,
          code: 409,
          message: expect.stringContaining('was applied'),
        });
        expect(retry.headers.get('idempotent-replayed')).toBeNull();
      } finally {
        await db.query('DROP TRIGGER lose_completion ON idempotency_keys');
      }
      expect(await datasheetsNamed(t, 'Lost response')).toBe(1);
    });
  });
});
