/**
 * `npm run bench`: performance figures, compared as ratios within one run (never fixed timings).
 * BENCH_ONLY=http: issue 13's table (request-path.bench.ts) over BENCH_DATASET records (default 40,000), the bare
 * node:http server in the same run, on PGlite and (with DATABASE_URL) PostgreSQL. The server runs from the production
 * build (dist/, built when stale); BENCH_SERVER=tsx runs its sources under tsx, BENCH_SERVER_ROOT another checkout
 * (e.g. `BENCH_SERVER=tsx BENCH_SERVER_ROOT=/path/to/main` measures a version without dist/ as it started before).
 * With DATABASE_URL set, database-bound figures are measured on PostgreSQL as well as on PGlite.
 * BENCH_SECONDS sets the length of each load phase (default 5); BENCH_RECORDS the records written (default 100,000).
 * BENCH_LARGE=1 adds the record queries over 1,000,000 records on PostgreSQL (needs DATABASE_URL).
 * BENCH_ONLY=http|records|query|graphql|feed runs one bench (comma-separated for several); BENCH_PGLITE=off skips the
 * PGlite pass when DATABASE_URL is set (e.g. `BENCH_ONLY=http BENCH_PGLITE=off npm run bench`).
 * BENCH_ONLY=graphql: createRecords over HTTP, 1,000 records per mutation (BENCH_RECORDS / 1,000 mutations, at
 * most 20), beside the record service and a raw INSERT … unnest of the same rows, and a page of 1,000 records
 * through GraphQL beside the record service (p50/p95). The HTTP client runs in a child process (its serializing
 * and parsing stays off the server's event loop); the server, the record service calls and the raw insert share
 * this process and its connection pool, and the server's CPU time per operation is printed beside theirs, e.g.
 * `DATABASE_URL=postgres://postgres@127.0.0.1:5432/test BENCH_ONLY=graphql BENCH_PGLITE=off npm run bench`.
 * BENCH_ONLY=io: a CSV import of BENCH_IO_ROWS rows (default 100,000; 1,000,000 with BENCH_LARGE=1) and exports of
 * the datasheet as CSV, JSONL and (up to BENCH_IO_XLSX_ROWS, default all) XLSX: rows/s and peak RSS.
 * BENCH_ONLY=feed: record writes with the change feed beside the same writes without it (FEED=off), in batches of
 * 1,000 and of 10 (BENCH_RECORDS / 10 records for the small batches, at most 10,000).
 * BENCH_ONLY=conversion: a field type change over BENCH_RECORDS records (Text → Number → Text, every cell converted)
 * beside the record service updating the same cells in batches of 1,000: rows/s, the ratio, peak RSS.
 * BENCH_ONLY=subscriptions: fan-out latency (p50/p99) from a record write to 1,000 open graphql-ws subscriptions
 * (BENCH_SUBSCRIPTIONS to change; clients in this process, over 50 sockets), over 20 writes; with DATABASE_URL also
 * across two server processes (src/main.ts) on one PostgreSQL database, subscriptions held on A, writes over HTTP
 * through A and then through B (LISTEN/NOTIFY; with REDIS_URL set, again with Redis), e.g.
 * `DATABASE_URL=postgres://postgres@127.0.0.1:5432/test REDIS_URL=redis://127.0.0.1:6379 BENCH_ONLY=subscriptions
 * BENCH_PGLITE=off npm run bench`.
 */
import { httpBench, type Figure } from './http.bench.js';
import { recordsBench } from './records.bench.js';
import { queryBench } from './query.bench.js';
import { graphqlBench } from './graphql.bench.js';
import { ioBench } from './io.bench.js';
import { feedBench } from './feed.bench.js';
import { subscriptionsAcrossProcesses, subscriptionsBench } from './subscriptions.bench.js';
import { conversionBench } from './conversion.bench.js';

const seconds = Number(process.env.BENCH_SECONDS ?? 5);
const records = Number(process.env.BENCH_RECORDS ?? 100_000);

function print(title: string, figures: Figure[]): void {
  process.stdout.write(`\n${title}\n`);
  for (const f of figures) {
    const value =
      f.unit === '×'
        ? f.value.toFixed(3)
        : f.unit.startsWith('ms')
          ? f.value.toFixed(2)
          : Math.round(f.value).toLocaleString('en-US');
    process.stdout.write(`  ${f.name.padEnd(58)} ${value.padStart(10)} ${f.unit.padEnd(6)} ${f.note ?? ''}\n`);
  }
}

async function withDatabaseUrl<T>(url: string | undefined, fn: () => Promise<T>): Promise<T> {
  const saved = process.env.DATABASE_URL;
  if (url === undefined) delete process.env.DATABASE_URL;
  else process.env.DATABASE_URL = url;
  try {
    return await fn();
  } finally {
    if (saved === undefined) delete process.env.DATABASE_URL;
    else process.env.DATABASE_URL = saved;
  }
}

const postgres = process.env.DATABASE_URL;
const only = process.env.BENCH_ONLY ? new Set(process.env.BENCH_ONLY.split(',').map((s) => s.trim())) : undefined;
const runs = (name: string) => !only || only.has(name);
const pglite = !(postgres && process.env.BENCH_PGLITE === 'off');
if (runs('http')) {
  if (pglite) print('Request path over HTTP (PGlite)', await withDatabaseUrl(undefined, () => httpBench(seconds)));
  if (postgres) print('Request path over HTTP (PostgreSQL)', await withDatabaseUrl(postgres, () => httpBench(seconds)));
}
if (runs('records')) {
  if (pglite)
    print('Record writes (batches of 1,000)', await withDatabaseUrl(undefined, () => recordsBench(records, 1_000)));
  if (postgres)
    print(
      'Record writes on PostgreSQL (batches of 1,000)',
      await withDatabaseUrl(postgres, () => recordsBench(records, 1_000)),
    );
}
if (runs('feed')) {
  const small = Math.min(10_000, Math.max(100, Math.floor(records / 10)));
  for (const [name, url] of [
    ['PGlite', undefined],
    ['PostgreSQL', postgres],
  ] as const) {
    if (name === 'PGlite' ? !pglite : !url) continue;
    const figures = await withDatabaseUrl(url, async () => [
      ...(await feedBench(records, 1_000)),
      ...(await feedBench(small, 10)),
    ]);
    print(`What the change feed costs record writes (${name})`, figures);
  }
}
if (runs('query')) {
  if (pglite)
    print(
      `Record queries over ${records.toLocaleString('en-US')} records (p50 of 100 runs)`,
      await withDatabaseUrl(undefined, () => queryBench(records, 100)),
    );
  if (postgres) print('Record queries on PostgreSQL', await withDatabaseUrl(postgres, () => queryBench(records, 100)));
  if (postgres && process.env.BENCH_LARGE === '1') {
    print(
      'Record queries on PostgreSQL over 1,000,000 records (p50 of 100 runs)',
      await withDatabaseUrl(postgres, () => queryBench(1_000_000, 100)),
    );
  }
}
if (runs('graphql')) {
  const mutations = Math.max(1, Math.min(20, Math.floor(records / 1_000)));
  if (pglite)
    print(
      'GraphQL over HTTP (in-memory PGlite): createRecords of 1,000, a page of 1,000 (50 runs)',
      await withDatabaseUrl(undefined, () => graphqlBench(mutations, 50)),
    );
  if (postgres)
    print('GraphQL over HTTP on PostgreSQL', await withDatabaseUrl(postgres, () => graphqlBench(mutations, 50)));
}
if (runs('io')) {
  const ioRows = Number(process.env.BENCH_IO_ROWS ?? (process.env.BENCH_LARGE === '1' ? 1_000_000 : 100_000));
  const xlsxRows = Number(process.env.BENCH_IO_XLSX_ROWS ?? ioRows);
  if (pglite) print('Imports and exports (PGlite)', await withDatabaseUrl(undefined, () => ioBench(ioRows, xlsxRows)));
  if (postgres)
    print('Imports and exports on PostgreSQL', await withDatabaseUrl(postgres, () => ioBench(ioRows, xlsxRows)));
}
if (runs('subscriptions')) {
  const subscriptions = Number(process.env.BENCH_SUBSCRIPTIONS ?? 1_000);
  if (pglite)
    print(
      `Subscription fan-out to ${subscriptions.toLocaleString('en-US')} graphql-ws subscriptions (in-memory PGlite)`,
      await withDatabaseUrl(undefined, () => subscriptionsBench(subscriptions, 50, 20)),
    );
  if (postgres) {
    print(
      'Subscription fan-out on PostgreSQL',
      await withDatabaseUrl(postgres, () => subscriptionsBench(subscriptions, 50, 20)),
    );
    print(
      'Subscription fan-out across two processes on PostgreSQL (subscribers on A; writes through A, then B)',
      await withDatabaseUrl(postgres, () => subscriptionsAcrossProcesses(subscriptions, 50, 20)),
    );
    if (process.env.REDIS_URL)
      print(
        'Subscription fan-out across two processes on PostgreSQL with REDIS_URL',
        await withDatabaseUrl(postgres, () =>
          subscriptionsAcrossProcesses(subscriptions, 50, 20, process.env.REDIS_URL),
        ),
      );
  }
}
if (runs('conversion')) {
  if (pglite) print('Field type conversion (PGlite)', await withDatabaseUrl(undefined, () => conversionBench(records)));
  if (postgres)
    print('Field type conversion on PostgreSQL', await withDatabaseUrl(postgres, () => conversionBench(records)));
}
