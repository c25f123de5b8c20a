import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { freshPostgresDatabase } from '../support/database.js';
import { buildIfStale } from '../../src/tooling/build.js';
import { fusion } from '../support/fusion.js';
import { freePort, ROOT, runNode, runTs, waitReady, type Running } from '../support/process.js';
import { rssMb, seedDataset, sequentialFigures, writeRate } from './request-path.bench.js';

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

/** How the bench starts the server: the production build (default), or the sources under tsx (BENCH_SERVER=tsx). */
async function startServer(env: Record<string, string | undefined>): Promise<Running> {
  const root = process.env.BENCH_SERVER_ROOT ?? ROOT;
  if (process.env.BENCH_SERVER === 'tsx') return runNode(['--import', 'tsx', 'src/main.ts'], env, root);
  if (root === ROOT) await buildIfStale(ROOT);
  return runNode(['dist/src/main.js'], env, root);
}

const rssNote = (mb: number | undefined) => (mb === undefined ? 0 : mb);

/**
 * Issue 13's table on one database (PGlite, or PostgreSQL with DATABASE_URL), the bare node:http server in the same
 * run: GET one record (8 connections) and GET /fusion/v1/spaces (32) beside it, the filtered page, random deep pages of
 * 1,000, POST of 10 records from 8 clients, and resident memory idle and after the load.
 */
export async function httpBench(seconds: number): Promise<Figure[]> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'tb-bench-'));
  const pgdb = await freshPostgresDatabase();
  const [port, barePort] = [await freePort(), await freePort()];
  const env = { DATA_DIR: dataDir, DATABASE_URL: pgdb?.url };
  const data = await seedDataset(env, Number(process.env.BENCH_DATASET ?? 40_000));
  const server = await startServer({
    ...env,
    PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    RATE_LIMIT: 'off',
  });
  const bare = runTs('test/bench/bare-server.ts', [], { PORT: String(barePort) });
  const db = pgdb ? 'PostgreSQL' : 'PGlite';
  const base = `http://127.0.0.1:${port}`;
  try {
    await waitReady(base, 120_000);
    await bare.waitFor(/listening/);
    await new Promise((r) => setTimeout(r, 2_000));
    const idle = rssMb(server.child.pid);
    const auth = { authorization: `Bearer ${data.token}` };
    const one = (
      await fusion<{ records: { recordId: string }[] }>(
        base,
        'GET',
        `/v1/datasheets/${data.datasheetId}/records?pageSize=1&pageNum=7`,
        {
          token: data.token,
        },
      )
    ).body.data!.records[0]!.recordId;
    const oneUrl = `${base}/fusion/v1/datasheets/${data.datasheetId}/records?recordIds=${one}`;
    await load(oneUrl, auth, 1, 8); // warm-up
    const baseline = await load(`http://127.0.0.1:${barePort}/`, {}, seconds, 8, bare.child.pid);
    const reads = await load(oneUrl, auth, seconds, 8, server.child.pid);
    const spaces = await load(`${base}/fusion/v1/spaces`, auth, seconds, 32, server.child.pid);
    const bare32 = await load(`http://127.0.0.1:${barePort}/`, {}, seconds, 32, bare.child.pid);
    const sequential = await sequentialFigures(base, data, seconds);
    const writes = await writeRate(base, data, seconds);
    const loaded = rssMb(server.child.pid);
    const ratio = (rps: number, bareRps: number) => `${(rps / bareRps).toFixed(3)} × bare`;
    return [
      {
        name: `GET one record by id, 8 connections (${db})`,
        value: reads.rps,
        unit: 'req/s',
        note: `${ratio(reads.rps, baseline.rps)} (goal ≥ 0.25), p50 ${reads.p50} ms${cpuNote(reads.cpuPerRequest)}`,
      },
      {
        name: 'bare node:http, record-shaped JSON, 8 connections',
        value: baseline.rps,
        unit: 'req/s',
        note: `p50 ${baseline.p50} ms${cpuNote(baseline.cpuPerRequest)}`,
      },
      {
        name: `filterByFormula AND({Qty} > 500, {Status} = "done"), Qty desc, 100`,
        value: sequential.filter.p50,
        unit: 'ms p50',
        note: `p95 ${sequential.filter.p95.toFixed(1)} ms (goal ≤ 5 ms), over ${data.records.toLocaleString('en-US')} records`,
      },
      {
        name: `GET pageSize=1000 at a random pageNum (${db})`,
        value: sequential.page.p50,
        unit: 'ms p50',
        note: `p95 ${sequential.page.p95.toFixed(1)} ms (goal ≤ 20 ms)`,
      },
      {
        name: `POST 10 records, 8 clients (${db})`,
        value: writes.recordsPerSecond,
        unit: 'rec/s',
        note: `p50 ${writes.p50} ms per request (goal ≥ 5,000 rec/s)`,
      },
      {
        name: `GET /fusion/v1/spaces, 32 connections (${db})`,
        value: spaces.rps,
        unit: 'req/s',
        note: `${ratio(spaces.rps, bare32.rps)}, p50 ${spaces.p50} ms, p99 ${spaces.p99} ms${cpuNote(spaces.cpuPerRequest)}`,
      },
      { name: 'server RSS idle (before the load)', value: rssNote(idle), unit: 'MB', note: 'goal ≤ 120 MB' },
      { name: 'server RSS after the load', value: rssNote(loaded), unit: 'MB', note: 'goal ≤ 300 MB' },
    ];
  } catch (error) {
    process.stderr.write(
      `server exit ${server.child.exitCode}; stdout:\n${server.stdout().slice(-3000)}\nstderr:\n${server.stderr().slice(-3000)}\n`,
    );
    throw error;
  } finally {
    server.child.kill('SIGTERM');
    bare.child.kill('SIGTERM');
    await Promise.all([server.exited, bare.exited]);
    await pgdb?.drop();
    await rm(dataDir, { recursive: true, force: true });
  }
}
