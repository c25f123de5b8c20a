/**
 * A/B aid for issue 13 (not part of `npm run bench`): for each checkout in PROFILE_ROOTS (comma-separated, default this
 * one; each with its dist/ built), seeds BENCH_DATASET records (default 40,000) into a fresh PostgreSQL database
 * (DATABASE_URL), starts its built server (with `--cpu-prof` into PROFILE_DIR/<n> when PROFILE_DIR is set), then
 * loads one request shape at a time (PROFILE_ONLY=one,filter,page,spaces), the servers taking turns in rounds of
 * BENCH_SECONDS (default 3) for PROFILE_ROUNDS rounds (default 3), so a loaded machine disturbs both alike.
 * Prints each server's requests per second, p50 and CPU per request, and its RSS idle and after.
 * `DATABASE_URL=postgres://postgres@127.0.0.1:5432/test PROFILE_ROOTS=/path/to/old,. npx tsx test/bench/profile-request-path.ts`
 */
import { readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { freshPostgresDatabase } from '../support/database.js';
import { freePort, ROOT, runNode, waitReady } from '../support/process.js';
import { type Dataset, FILTER, rssMb } from './request-path.bench.js';

const cpuMs = (pid: number) => {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return ((Number(f[11]) + Number(f[12])) * 1000) / 100;
};

const roots = (process.env.PROFILE_ROOTS ?? ROOT).split(',').map((r) => path.resolve(r));
const seconds = Number(process.env.BENCH_SECONDS ?? 3);
const rounds = Number(process.env.PROFILE_ROUNDS ?? 3);
const only = (process.env.PROFILE_ONLY ?? 'one').split(',');
interface Server {
  root: string;
  db: { url: string; drop(): Promise<void> };
  data: Dataset;
  server: ReturnType<typeof runNode>;
  base: string;
  totals: Record<string, { req: number; cpu: number; p50: number[] }>;
}
const servers: Server[] = [];
for (const [n, root] of roots.entries()) {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'tb-prof-'));
  const db = (await freshPostgresDatabase())!;
  // Seeded by the checkout's own code (its migrations).
  const seed = runNode(
    [
      '--import',
      'tsx',
      '--input-type=module',
      '-e',
      `const { seedDataset } = await import(${JSON.stringify(path.join(root, 'test/bench/request-path.bench.ts'))});
       const data = await seedDataset({ DATA_DIR: ${JSON.stringify(dataDir)}, DATABASE_URL: ${JSON.stringify(db.url)} }, ${Number(process.env.BENCH_DATASET ?? 40_000)});
       console.log(JSON.stringify(data));`,
    ],
    {},
    root,
  );
  if ((await seed.exited) !== 0) throw new Error(seed.stderr());
  const data = JSON.parse(seed.stdout().trim().split('\n').pop()!) as Dataset;
  const port = await freePort();
  const prof = process.env.PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${process.env.PROFILE_DIR}/${n}`] : [];
  const server = runNode(
    [...prof, 'dist/src/main.js'],
    {
      DATA_DIR: dataDir,
      DATABASE_URL: db.url,
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      RATE_LIMIT: 'off',
    },
    root,
  );
  const base = `http://127.0.0.1:${port}`;
  await waitReady(base, 120_000);
  servers.push({ root, db, data, server, base, totals: {} });
}
await new Promise((r) => setTimeout(r, 2000));
for (const s of servers) process.stdout.write(`${s.root}: idle RSS ${rssMb(s.server.child.pid)?.toFixed(0)} MB\n`);
const shapes = async (s: Server) => {
  const headers = { authorization: `Bearer ${s.data.token}` };
  const id = s.data.datasheetId;
  const first = await (
    await fetch(`${s.base}/fusion/v1/datasheets/${id}/records?pageSize=1&pageNum=7`, { headers })
  ).json();
  return {
    headers,
    one: `/fusion/v1/datasheets/${id}/records?recordIds=${first.data.records[0].recordId}`,
    filter: `/fusion/v1/datasheets/${id}/records?filterByFormula=${encodeURIComponent(FILTER)}&sort%5B0%5D%5Bfield%5D=Qty&sort%5B0%5D%5Border%5D=desc&pageSize=100`,
    page: `/fusion/v1/datasheets/${id}/records?pageSize=1000&pageNum=17`,
    spaces: '/fusion/v1/spaces',
  } as unknown as Record<string, string> & { headers: Record<string, string> };
};
const urls = await Promise.all(servers.map(shapes));
for (const name of only) {
  const connections = name === 'one' || name === 'spaces' ? 8 : 1;
  for (const [i, s] of servers.entries()) {
    await autocannon({ url: s.base + urls[i]![name], headers: urls[i]!.headers, connections, duration: 2 });
    s.totals[name] = { req: 0, cpu: 0, p50: [] };
  }
  for (let r = 0; r < rounds; r++) {
    for (const [i, s] of servers.entries()) {
      const c0 = cpuMs(s.server.child.pid!);
      const res = await autocannon({
        url: s.base + urls[i]![name],
        headers: urls[i]!.headers,
        connections,
        duration: seconds,
      });
      const t = s.totals[name]!;
      t.cpu += cpuMs(s.server.child.pid!) - c0;
      t.req += res.requests.total;
      t.p50.push(res.latency.p50);
      if (res.non2xx) throw new Error(`${name}: ${res.non2xx} non-2xx`);
    }
  }
  for (const s of servers) {
    const t = s.totals[name]!;
    process.stdout.write(
      `${name.padEnd(7)} ${path.basename(s.root).padEnd(10)} ${Math.round(t.req / (rounds * seconds))} req/s, p50 ${t.p50.join('/')} ms, CPU ${Math.round((t.cpu * 1000) / t.req)} µs/req\n`,
    );
  }
}
for (const s of servers) {
  process.stdout.write(`${path.basename(s.root)}: RSS after ${rssMb(s.server.child.pid)?.toFixed(0)} MB\n`);
  s.server.child.kill('SIGINT');
  await s.server.exited;
  await s.db.drop();
}
