import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { freshPostgresDatabase } from '../support/database.js';
import { fusion } from '../support/fusion.js';
import { freePort, runTs, waitReady } from '../support/process.js';

export interface Figure {
  name: string;
  value: number;
  unit: string;
  note?: string;
}

/** CPU time (user + system) a process has used so far, in ms; undefined where /proc is not available. */
function cpuMs(pid: number | undefined): number | undefined {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime, stime in clock ticks (USER_HZ = 100)
  } catch {
    return undefined;
  }
}

/**
 * Load for `seconds`; `cpuPerRequest` is the server process's CPU time per request (µs), which the other
 * work on a shared machine disturbs far less than requests per second.
 */
async function load(url: string, headers: Record<string, string>, seconds: number, connections = 32, pid?: number) {
  const cpu0 = cpuMs(pid);
  const result = await autocannon({ url, headers, connections, duration: seconds, pipelining: 1 });
  const cpu1 = cpuMs(pid);
  if (result.non2xx > 0 || result.errors > 0)
    throw new Error(`${url}: ${result.non2xx} non-2xx, ${result.errors} errors`);
  const cpuPerRequest =
    cpu0 === undefined || cpu1 === undefined ? undefined : ((cpu1 - cpu0) * 1000) / result.requests.total;
  return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, cpuPerRequest };
}

const cpuNote = (cpu: number | undefined) => (cpu === undefined ? '' : `, server CPU ${Math.round(cpu)} µs/request`);

async function call(base: string, token: string, method: string, path: string, body?: unknown) {
  // biome-ignore lint/suspicious/noExplicitAny: the bench reads whatever data each call answers
  const json = (await fusion<any>(base, method, `/v1${path}`, { token, body })).body;
  if (!json.success) throw new Error(`${method} ${path}: ${json.message}`);
  return json.data;
}

/** Fusion records over HTTP: sequential writes of 10, GET pages of 1,000, and 8 clients reading one record. */
async function fusionFigures(
  base: string,
  token: string,
  seconds: number,
  bareRps: number,
  db: string,
  pid?: number,
): Promise<Figure[]> {
  const spaceId = (await call(base, token, 'GET', '/spaces')).spaces[0].id as string;
  const dst = (
    await call(base, token, 'POST', `/spaces/${spaceId}/datasheets`, {
      name: 'bench',
      fields: [
        { name: 'Name', type: 'SingleText', property: {} },
        { name: 'Amount', type: 'Number', property: { precision: 2 } },
        { name: 'Stage', type: 'SingleSelect', property: { options: [{ name: 'Lead' }, { name: 'Won' }] } },
      ],
    })
  ).id as string;
  const requests = 150;
  const t0 = performance.now();
  for (let i = 0; i < requests; i++) {
    const records = Array.from({ length: 10 }, (_, j) => ({
      fields: { Name: `r${i * 10 + j}`, Amount: j * 3.5, Stage: j % 2 ? 'Won' : 'Lead' },
    }));
    await call(base, token, 'POST', `/datasheets/${dst}/records`, { records });
  }
  const writeRate = (requests * 10) / ((performance.now() - t0) / 1000);
  const samples: number[] = [];
  for (let i = 0; i < 30; i++) {
    const s0 = performance.now();
    await call(base, token, 'GET', `/datasheets/${dst}/records?pageSize=1000`);
    samples.push(performance.now() - s0);
  }
  samples.sort((a, b) => a - b);
  const one = (await call(base, token, 'GET', `/datasheets/${dst}/records?pageSize=1`)).records[0].recordId as string;
  const reads = await load(
    `${base}/fusion/v1/datasheets/${dst}/records?recordIds=${one}`,
    { authorization: `Bearer ${token}` },
    seconds,
    8,
    pid,
  );
  return [
    {
      name: `sequential POST of 10 records (${db})`,
      value: writeRate,
      unit: 'rec/s',
      note: `${requests} requests, one at a time`,
    },
    {
      name: `GET pageSize=1000 (${db})`,
      value: samples[Math.floor(samples.length / 2)]!,
      unit: 'ms p50',
      note: `p95 ${samples[Math.floor(samples.length * 0.95)]!.toFixed(1)} ms`,
    },
    {
      name: `GET one record, 8 clients (${db})`,
      value: reads.rps,
      unit: 'req/s',
      note: `${(reads.rps / bareRps).toFixed(3)} × bare node:http${cpuNote(reads.cpuPerRequest)}`,
    },
  ];
}

/** Authenticated GET /fusion/v1/spaces through the whole stack against a bare node:http server, same run. */
export async function httpBench(seconds: number): Promise<Figure[]> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'tb-bench-'));
  const pgdb = await freshPostgresDatabase();
  const [port, barePort] = [await freePort(), await freePort()];
  const server = runTs('src/main.ts', [], {
    DATA_DIR: dataDir,
    PORT: String(port),
    HOST: '127.0.0.1',
    DATABASE_URL: pgdb?.url,
    LOG_LEVEL: 'warn',
    RATE_LIMIT: 'off',
  });
  const bare = runTs('test/bench/bare-server.ts', [], { PORT: String(barePort) });
  try {
    const [, token] = await server.waitFor(/\n\s+(tbk_[0-9A-Za-z]+)\n/);
    await waitReady(`http://127.0.0.1:${port}`);
    await bare.waitFor(/listening/);
    const auth = { authorization: `Bearer ${token}` };
    await load(`http://127.0.0.1:${port}/fusion/v1/spaces`, auth, 1); // warm-up
    const ours = await load(`http://127.0.0.1:${port}/fusion/v1/spaces`, auth, seconds, 32, server.child.pid);
    const baseline = await load(`http://127.0.0.1:${barePort}/`, {}, seconds, 32, bare.child.pid);
    const db = pgdb ? 'PostgreSQL' : 'PGlite';
    const fusion = await fusionFigures(`http://127.0.0.1:${port}`, token!, seconds, baseline.rps, db, server.child.pid);
    return [
      ...fusion,
      {
        name: `GET /fusion/v1/spaces (${db})`,
        value: ours.rps,
        unit: 'req/s',
        note: `p50 ${ours.p50} ms, p99 ${ours.p99} ms${cpuNote(ours.cpuPerRequest)}`,
      },
      {
        name: 'bare node:http, same body',
        value: baseline.rps,
        unit: 'req/s',
        note: `p50 ${baseline.p50} ms, p99 ${baseline.p99} ms${cpuNote(baseline.cpuPerRequest)}`,
      },
      { name: 'ratio ours / bare', value: ours.rps / baseline.rps, unit: '×' },
    ];
  } finally {
    server.child.kill('SIGTERM');
    bare.child.kill('SIGTERM');
    await Promise.all([server.exited, bare.exited]);
    await pgdb?.drop();
    await rm(dataDir, { recursive: true, force: true });
  }
}
