import { afterAll, describe, expect, it } from 'vitest';
import { freshPostgresDatabase, onPostgres } from '../support/database.js';
import { privateRedis, type PrivateRedis } from '../support/private-redis.js';
import { databaseKind, probe, report } from './support/probe.js';
import { tcpProxy, type TcpProxy } from './support/tcp-proxy.js';
import { leakIn, logOutput, startServerProcess, type ServerProcess } from './support/server.js';

/**
 * Outages under load, the server a separate process: its Redis (a private redis-server, never the shared
 * one) killed and started again, and its PostgreSQL connection cut and restored through a TCP proxy
 * (never restarting the shared server). The server keeps serving without Redis, answers 503 fast with a
 * clear message while the database is away (and /readyz says so), and recovers without a restart.
 */
const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
});

/** `phase` when sent and when answered: a request sent while the database was away may be served once it is back. */
type Outcome = { status: number; ms: number; text: string; phase: string };

/** Requests from a few clients in a loop until stopped, each outcome kept with the phase it was sent in. */
function steadyLoad(s: ServerProcess, dst: string, phase: () => string) {
  const outcomes: Outcome[] = [];
  let running = true;
  const client = async (i: number) => {
    for (let n = 0; running; n++) {
      const at = phase();
      const write = n % 3 === 0;
      const answer = await probe(s.url, {
        method: write ? 'POST' : 'GET',
        path: `/fusion/v1/datasheets/${dst}/records${write ? '' : '?pageSize=10'}`,
        headers: { authorization: `Bearer ${s.token}`, 'content-type': 'application/json' },
        body: write ? JSON.stringify({ records: [{ fields: { Name: `c${i}-${n}` } }] }) : undefined,
      }).catch((error: Error) => ({ status: 0, ms: 0, text: error.message }));
      outcomes.push({ ...answer, phase: at === phase() ? at : `${at}→${phase()}` });
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  const clients = Promise.all([0, 1, 2, 3].map(client));
  return {
    outcomes,
    async stop() {
      running = false;
      await clients;
    },
  };
}

async function datasheet(s: ServerProcess): Promise<string> {
  const res = await fetch(`${s.url}/fusion/v1/spaces/${s.spaceId}/datasheets`, {
    method: 'POST',
    headers: { authorization: `Bearer ${s.token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'Outage', fields: [{ name: 'Name', type: 'SingleText', property: {} }] }),
  });
  return ((await res.json()) as { data: { id: string } }).data.id;
}

const waitFor = async (what: string, condition: () => Promise<boolean> | boolean, ms = 30_000) => {
  const deadline = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
};

describe('Redis stopped and started again under load', () => {
  let redis: PrivateRedis;

  it('keeps serving every request while Redis is away and after it is back, on the same process', async () => {
    redis = await privateRedis();
    await redis.start();
    cleanups.push(() => redis.stop());
    // Limits far above the load, so every answer is a success unless the limiter itself fails.
    const s = await startServerProcess({
      REDIS_URL: redis.url,
      RATE_LIMIT: 'on',
      RATE_LIMIT_QPS: 'FREE=100000,PLUS=100000,PRO=100000,ENTERPRISE=100000',
    });
    cleanups.push(() => s.dispose());
    const pid = s.current().child.pid;
    const dst = await datasheet(s);
    let phase = 'up';
    const load = steadyLoad(s, dst, () => phase);
    await waitFor('requests with Redis up', () => load.outcomes.length > 20);
    phase = 'down';
    await redis.stop();
    const downFrom = load.outcomes.length;
    await waitFor('requests with Redis down', () => load.outcomes.length > downFrom + 40);
    phase = 'back';
    await redis.start();
    const backFrom = load.outcomes.length;
    await waitFor('requests with Redis back', () => load.outcomes.length > backFrom + 40);
    await load.stop();

    const failed = load.outcomes.filter((o) => o.status !== 200 || !JSON.parse(o.text || '{}').success);
    report({
      suite: 'outage: Redis killed and restarted',
      database: databaseKind(),
      cases: load.outcomes.length,
      failures: failed.length,
      note: failed[0] ? `${failed[0].phase}: ${failed[0].status} ${failed[0].text.slice(0, 100)}` : undefined,
    });
    expect(failed.slice(0, 3)).toEqual([]);
    expect(s.current().child.pid).toBe(pid);
    const { json } = logOutput(s.output());
    expect(json.map((line) => leakIn(line, [s.token])).filter(Boolean)).toEqual([]);
  }, 180_000);
});

describe.skipIf(!onPostgres())('PostgreSQL cut away and restored under load (through a TCP proxy)', () => {
  let proxy: TcpProxy;

  it('answers 503 fast with a clear message while it is away, /readyz says so, and the pool recovers', async () => {
    const pgdb = (await freshPostgresDatabase())!;
    cleanups.push(() => pgdb.drop());
    const real = new URL(pgdb.url);
    proxy = await tcpProxy(real.hostname, Number(real.port || 5432));
    cleanups.push(() => proxy.close());
    const viaProxy = new URL(pgdb.url);
    viaProxy.hostname = '127.0.0.1';
    viaProxy.port = String(proxy.port);
    const s = await startServerProcess({ DATABASE_POOL_TIMEOUT_MS: '2000' }, { databaseUrl: viaProxy.toString() });
    cleanups.push(() => s.dispose());
    const pid = s.current().child.pid;
    const dst = await datasheet(s);

    let phase = 'up';
    const load = steadyLoad(s, dst, () => phase);
    await waitFor('requests with the database up', () => load.outcomes.length > 20);
    phase = 'cutting';
    await proxy.cut();
    phase = 'down';
    const downFrom = load.outcomes.length;
    await waitFor('requests with the database away', () => load.outcomes.length > downFrom + 40);
    const ready = await fetch(`${s.url}/readyz`).catch((error: unknown) => {
      throw new Error(`the server stopped answering: ${String(error)}\n${s.output().slice(-3000)}`);
    });
    expect([ready.status, await ready.json()]).toEqual([503, { status: 'unavailable' }]);
    phase = 'restoring';
    await proxy.restore();
    await waitFor('/readyz to answer ready again', async () => (await fetch(`${s.url}/readyz`)).status === 200);
    phase = 'back';
    const backFrom = load.outcomes.length;
    await waitFor('requests with the database back', () => load.outcomes.length > backFrom + 40);
    await load.stop();

    const by = (p: string) => load.outcomes.filter((o) => o.phase === p);
    const down = by('down');
    const wrongWhileDown = down.filter((o) => {
      if (o.status !== 503) return true;
      const body = JSON.parse(o.text) as { success: boolean; code: number; message: string };
      return body.success !== false || body.code !== 503 || !/database is unavailable/i.test(body.message);
    });
    const failedWhenUp = [...by('up'), ...by('back')].filter((o) => o.status !== 200 || !JSON.parse(o.text).success);
    const slowest = Math.max(...down.map((o) => o.ms));
    report({
      suite: 'outage: PostgreSQL cut and restored',
      database: databaseKind(),
      cases: load.outcomes.length,
      failures: wrongWhileDown.length + failedWhenUp.length,
      p99Ms: Math.round(slowest),
      note: 'p99 column: slowest answer while the database was away',
    });
    expect(wrongWhileDown.slice(0, 3)).toEqual([]);
    expect(failedWhenUp.slice(0, 3)).toEqual([]);
    // Fast is shown by every answer while it was away being a 503 (none hung until the probe gave up, status 0);
    // the slowest is reported, not bounded: wall-clock limits have no place on a shared machine.
    for (const o of load.outcomes) expect(leakIn(o.text, [s.token])).toBeUndefined();
    expect(s.current().child.pid).toBe(pid);
    const { json } = logOutput(s.output());
    expect(json.map((line) => leakIn(line, [s.token])).filter(Boolean)).toEqual([]);
  }, 180_000);
});
