/**
 * The request path measured from outside, as issue 13's table: a datasheet of BENCH_DATASET records (default 40,000;
 * Title SingleText, Qty Number, Status SingleSelect) seeded before the server starts, then over HTTP: GET one record
 * with 8 connections, a filtered and sorted page, pages of 1,000 at random pageNum, POST of 10 records from 8 clients,
 * and the server's resident memory idle and after the load.
 */
import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';
import { loadConfig } from '../../src/config.js';
import { bootstrapInstallation } from '../../src/domain/spaces/bootstrap.js';
import { openInstallation } from '../../src/installation.js';
import { fusion } from '../support/fusion.js';
import { percentile } from './query.bench.js';

export const FILTER = 'AND({Qty} > 500, {Status} = "done")';
const STATUSES = ['todo', 'doing', 'done'];

export interface Dataset {
  token: string;
  spaceId: string;
  datasheetId: string;
  records: number;
}

/** Bootstraps the installation (its token) and seeds the datasheet through the record service, 1,000 at a time. */
export async function seedDataset(env: { DATA_DIR: string; DATABASE_URL?: string }, records: number): Promise<Dataset> {
  const inst = await openInstallation(loadConfig(env), { role: 'server' });
  try {
    const boot = (await bootstrapInstallation(inst.db.prisma))!;
    const scope = { spaceId: boot.spaceId, userId: boot.userId };
    const ds = await inst.services.datasheets.create(scope, {
      name: 'orders',
      fields: [
        { name: 'Title', type: 'SingleText', property: {} },
        { name: 'Qty', type: 'Number', property: { precision: 0 } },
        { name: 'Status', type: 'SingleSelect', property: { options: STATUSES.map((name) => ({ name })) } },
      ],
    });
    for (let start = 0; start < records; start += 1000) {
      const rows = Array.from({ length: Math.min(1000, records - start) }, (_, i) => {
        const n = start + i;
        return { Title: `Order ${n}`, Qty: (n * 7919) % 1000, Status: STATUSES[n % 3] };
      });
      await inst.services.records.create(scope, ds.id, rows);
    }
    await inst.db.query('ANALYZE records');
    return { token: boot.secret, spaceId: boot.spaceId, datasheetId: ds.id, records };
  } finally {
    await inst.close();
  }
}

/** Resident memory of a process in MB (undefined where /proc is not available). */
export function rssMb(pid: number | undefined): number | undefined {
  try {
    return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;
  } catch {
    return undefined;
  }
}

async function get(base: string, token: string, path: string): Promise<number> {
  const t0 = performance.now();
  // biome-ignore lint/suspicious/noExplicitAny: the bench reads whatever data each call answers
  const send = () => fusion<any>(base, 'GET', `/v1${path}`, { token });
  // On PGlite a build of an index runs on the server's event loop; a keep-alive connection the server timed out
  // meanwhile is reset as the next request arrives. A GET is safe to send again (and the time counts).
  const { body } = await send().catch(send);
  if (!body.success) throw new Error(`GET ${path}: ${body.message}`);
  return performance.now() - t0;
}

const p50 = (xs: number[]) =>
  percentile(
    xs.sort((a, b) => a - b),
    50,
  );
const p95 = (xs: number[]) =>
  percentile(
    xs.sort((a, b) => a - b),
    95,
  );

/**
 * One client at a time: the filtered page (after a warm-up of `seconds`, long enough for the indexes observed queries
 * ask for to be built), and pages of 1,000 at random pageNum.
 */
export async function sequentialFigures(base: string, data: Dataset, seconds: number, runs = 50) {
  const filter = `/datasheets/${data.datasheetId}/records?filterByFormula=${encodeURIComponent(FILTER)}&sort%5B0%5D%5Bfield%5D=Qty&sort%5B0%5D%5Border%5D=desc&pageSize=100`;
  // At least 8 s: the third query asks for its indexes, which are built CONCURRENTLY in the background meanwhile.
  const warm = Date.now() + Math.max(seconds, 8) * 1000;
  while (Date.now() < warm) await get(base, data.token, filter);
  const filtered: number[] = [];
  for (let i = 0; i < runs; i++) filtered.push(await get(base, data.token, filter));
  const pages = Math.ceil(data.records / 1000);
  const paged: number[] = [];
  for (let i = 0; i < 5; i++) await get(base, data.token, `/datasheets/${data.datasheetId}/records?pageSize=1000`);
  for (let i = 0; i < Math.min(runs, 30); i++) {
    const pageNum = 1 + Math.floor(Math.random() * pages);
    paged.push(await get(base, data.token, `/datasheets/${data.datasheetId}/records?pageSize=1000&pageNum=${pageNum}`));
  }
  return {
    filter: { p50: p50(filtered), p95: p95(filtered) },
    page: { p50: p50(paged), p95: p95(paged) },
  };
}

/** POST of 10 records from 8 clients for `seconds`: records per second. */
export async function writeRate(base: string, data: Dataset, seconds: number) {
  let n = 0;
  const result = await autocannon({
    url: `${base}/fusion/v1/datasheets/${data.datasheetId}/records`,
    method: 'POST',
    headers: { authorization: `Bearer ${data.token}`, 'content-type': 'application/json' },
    connections: 8,
    duration: seconds,
    setupClient: (client) => {
      const body = () =>
        JSON.stringify({
          records: Array.from({ length: 10 }, (_, i) => ({
            fields: { Title: `New ${n++}`, Qty: (n * 31 + i) % 1000, Status: STATUSES[i % 3] },
          })),
        });
      client.setBody(body());
      client.on('response', () => client.setBody(body()));
    },
  });
  if (result.non2xx > 0 || result.errors > 0)
    throw new Error(`POST: ${result.non2xx} non-2xx, ${result.errors} errors`);
  return { recordsPerSecond: (result.requests.total * 10) / seconds, p50: result.latency.p50 };
}
