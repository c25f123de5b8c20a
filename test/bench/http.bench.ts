import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { freshPostgresDatabase } from '../support/database.js';
import { freePort, runTs, waitReady } from '../support/process.js';

export interface Figure {
  name: string;
  value: number;
  unit: string;
  note?: string;
}

async function load(url: string, headers: Record<string, string>, seconds: number) {
  const result = await autocannon({ url, headers, connections: 32, duration: seconds, pipelining: 1 });
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`${url}: ${result.non2xx} non-2xx, ${result.errors} errors`);
  return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99 };
}

/** Authenticated GET /fusion/v1/spaces through the whole stack against a bare node:http server, same run. */
export async function httpBench(seconds: number): Promise<Figure[]> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'tb-bench-'));
  const pgdb = await freshPostgresDatabase();
  const [port, barePort] = [await freePort(), await freePort()];
  const server = runTs('src/main.ts', [], { DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1', DATABASE_URL: pgdb?.url, LOG_LEVEL: 'warn', RATE_LIMIT: 'off' });
  const bare = runTs('test/bench/bare-server.ts', [], { PORT: String(barePort) });
  try {
    const [, token] = await server.waitFor(/\n\s+(tbk_[0-9A-Za-z]+)\n/);
    await waitReady(`http://127.0.0.1:${port}`);
    await bare.waitFor(/listening/);
    const auth = { authorization: `Bearer ${token}` };
    await load(`http://127.0.0.1:${port}/fusion/v1/spaces`, auth, 1); // warm-up
    const ours = await load(`http://127.0.0.1:${port}/fusion/v1/spaces`, auth, seconds);
    const baseline = await load(`http://127.0.0.1:${barePort}/`, {}, seconds);
    const db = pgdb ? 'PostgreSQL' : 'PGlite';
    return [
      { name: `GET /fusion/v1/spaces (${db})`, value: ours.rps, unit: 'req/s', note: `p50 ${ours.p50} ms, p99 ${ours.p99} ms` },
      { name: 'bare node:http, same body', value: baseline.rps, unit: 'req/s', note: `p50 ${baseline.p50} ms, p99 ${baseline.p99} ms` },
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
