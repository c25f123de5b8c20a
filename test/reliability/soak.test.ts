import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ROOT } from '../support/process.js';
import { limitAdmits, openListeners } from './support/listeners.js';
import { databaseKind, report } from './support/probe.js';
import { leakIn, logOutput, startServerProcess, type ServerProcess } from './support/server.js';
import { openSockets as countSockets } from './support/sockets.js';

/**
 * Mixed load (Fusion reads, filtered reads, writes, GraphQL reads) at a fixed rate from a second process
 * (autocannon) against the server process, while subscriptions (graphql-ws and REST event streams) are held and
 * receive the writes' events: no errors, every subscription's events in sequence without a gap, p99 reported,
 * resident memory steady from the first to the last part of the run, and afterwards no sockets, subscriptions or
 * database connections left open.
 * SOAK_SECONDS sets the measured length (10 in `npm test`, 60 in `npm run test:reliability`).
 */
const SECONDS = Number(process.env.SOAK_SECONDS ?? 10);
const RATE = Number(process.env.SOAK_RATE ?? 50);
const CONNECTIONS = 8;
/** Memory is compared between the first and the last WINDOW seconds of the measured run. */
const WINDOW = Math.min(10, Math.max(2, Math.floor(SECONDS / 3)));
/** Held through the run: recordsChanged over graphql-ws (on 4 connections) and REST event streams. */
const LISTENERS = { graphql: 20, clients: 4, streams: 5 };
/** The per-token subscription limit: exactly the held ones, so a leaked one shows as a refused one afterwards. */
const LIMIT = LISTENERS.graphql + LISTENERS.streams;

let s: ServerProcess;
let dst: string;

beforeAll(async () => {
  s = await startServerProcess({ SUBSCRIPTIONS_PER_TOKEN: String(LIMIT) });
  const res = await fetch(`${s.url}/fusion/v1/spaces/${s.spaceId}/datasheets`, {
    method: 'POST',
    headers: { authorization: `Bearer ${s.token}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      name: 'Soak',
      fields: [
        { name: 'Name', type: 'SingleText', property: {} },
        { name: 'Qty', type: 'Number', property: { precision: 0 } },
      ],
    }),
  });
  dst = ((await res.json()) as { data: { id: string } }).data.id;
}, 300_000);
afterAll(async () => {
  await s?.dispose();
});

/** Creates one record over REST; its id. */
async function write(name: string): Promise<string> {
  const res = await fetch(`${s.url}/fusion/v1/datasheets/${dst}/records`, {
    method: 'POST',
    headers: { authorization: `Bearer ${s.token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ records: [{ fields: { Name: name, Qty: 0 } }] }),
  });
  const body = (await res.json()) as { data: { records: { recordId: string }[] } };
  return body.data.records[0]!.recordId;
}

const rss = () => {
  const status = readFileSync(`/proc/${s.current().child.pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)![1]) * 1024;
};

const openSockets = () => countSockets(s.port);

async function databaseSessions(): Promise<{ total: number; active: number } | undefined> {
  if (!s.databaseUrl) return undefined;
  const client = new pg.Client({ connectionString: s.databaseUrl });
  await client.connect();
  try {
    const name = new URL(s.databaseUrl).pathname.slice(1);
    const { rows } = await client.query<{ total: string; active: string }>(
      `SELECT count(*) AS total, count(*) FILTER (WHERE state <> 'idle') AS active
         FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`,
      [name],
    );
    return { total: Number(rows[0]!.total), active: Number(rows[0]!.active) };
  } finally {
    await client.end();
  }
}

function load(
  seconds: number,
): Promise<{ requests: number; errors: number; timeouts: number; non2xx: number; mismatches: number; p99: number }> {
  const child = spawn(
    process.execPath,
    [
      path.join(ROOT, 'test/reliability/support/load.mjs'),
      s.url,
      s.token,
      dst,
      String(seconds),
      String(RATE),
      String(CONNECTIONS),
    ],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  let err = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  return new Promise((resolve, reject) =>
    child.on('exit', (code) =>
      code === 0
        ? resolve(JSON.parse(out.trim().split('\n').at(-1)!))
        : reject(new Error(`load exited ${code}: ${err}`)),
    ),
  );
}

it(`serves ${SECONDS} s of mixed load at ${RATE} requests/s without an error, a leak or memory growth`, async () => {
  const sessionsBefore = await databaseSessions();
  // Warm up (JIT, caches, pool) before anything is measured.
  await load(3);
  // Held through the measured run; each has received a write's event before it starts, so all are live.
  const live = openListeners(s.url, s.token, dst, LISTENERS);
  for (let i = 0; i < 50 && live.listeners.some((l) => l.events().length === 0); i++) await write(`open ${i}`);
  const samples: number[] = [];
  const sampler = setInterval(() => samples.push(rss()), 1_000);
  const result = await load(SECONDS);
  clearInterval(sampler);
  // Every write's event reaches every listener: a last write's event is the last one each must see.
  await live.seen(await write('last'));
  const heldEvents = live.received();
  const liveProblems = { endedEarly: live.endedEarly(), failures: live.failures(), gaps: live.gaps() };
  await live.close();

  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const first = mean(samples.slice(0, WINDOW));
  const last = mean(samples.slice(-WINDOW));
  const growth = ((last - first) / first) * 100;

  // Keep-alive connections close once the client is gone; the server keeps none of them.
  const deadline = Date.now() + 15_000;
  while (openSockets() > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
  const sockets = openSockets();
  const sessionsAfter = await databaseSessions();
  // The held subscriptions released their slots: the limit admits as many new ones as it allows, and no more.
  const afterwards = await limitAdmits(s.url, s.token, dst, LIMIT, () => write('probe'));

  report({
    suite: `soak: ${SECONDS} s mixed load at ${RATE}/s`,
    database: databaseKind(),
    cases: result.requests,
    failures: result.errors + result.timeouts + result.non2xx + result.mismatches,
    p99Ms: result.p99,
    rssGrowthPct: Math.round(growth * 10) / 10,
    note: `${LIMIT} subscriptions received ${heldEvents} events; sockets after ${sockets}; db sessions ${JSON.stringify(sessionsBefore)} -> ${JSON.stringify(sessionsAfter)}`,
  });
  expect(result).toMatchObject({ errors: 0, timeouts: 0, non2xx: 0, mismatches: 0 });
  expect(liveProblems).toEqual({ endedEarly: 0, failures: [], gaps: [] });
  // Each received the events of the run's writes, not only the first and last.
  expect(live.listeners.map((l) => l.events().length > 2)).toEqual(live.listeners.map(() => true));
  expect(afterwards).toEqual({ admitted: LIMIT, refusedCode: 'LIMIT_EXCEEDED' });
  // How many were served depends on the machine (PGlite runs one statement at a time); the run must have served some.
  expect(result.requests).toBeGreaterThan(0);
  expect(growth).toBeLessThan(20);
  expect(sockets).toBe(0);
  if (sessionsAfter) {
    // The pool keeps at most its size, none of them busy, however many requests ran.
    expect(sessionsAfter.active).toBe(0);
    // At most the pool's size (10), plus two LISTEN connections: the change feed's (src/db/feed/wakers.ts) and the
    // token cache's (src/db/auth-changes.ts).
    expect(sessionsAfter.total).toBeLessThanOrEqual(10 + 2);
  }
  const { json } = logOutput(s.output());
  expect(json.filter((line) => (JSON.parse(line) as { level: number }).level >= 50).slice(0, 3)).toEqual([]);
  expect(
    json
      .map((line) => leakIn(line, [s.token]))
      .filter(Boolean)
      .slice(0, 3),
  ).toEqual([]);
}, 300_000);
