/**
 * `npm run bench`: performance figures, compared as ratios within one run (never fixed timings).
 * With DATABASE_URL set, database-bound figures are measured on PostgreSQL as well as on PGlite.
 * BENCH_SECONDS sets the length of each load phase (default 5); BENCH_RECORDS the records written (default 100,000).
 * BENCH_LARGE=1 adds the record queries over 1,000,000 records on PostgreSQL (needs DATABASE_URL).
 * BENCH_ONLY=http|records|query|graphql runs one bench (comma-separated for several); BENCH_PGLITE=off skips the
 * PGlite pass when DATABASE_URL is set (e.g. `BENCH_ONLY=http BENCH_PGLITE=off npm run bench`).
 * BENCH_ONLY=graphql: createRecords over HTTP, 1,000 records per mutation (BENCH_RECORDS / 1,000 mutations, at
 * most 20), beside the record service and a raw INSERT … unnest of the same rows, and a page of 1,000 records
 * through GraphQL beside the record service (p50/p95), e.g.
 * `DATABASE_URL=postgres://postgres@127.0.0.1:5432/test BENCH_ONLY=graphql BENCH_PGLITE=off npm run bench`.
 * BENCH_ONLY=subscriptions: fan-out latency (p50/p99) from a record write to 1,000 open graphql-ws subscriptions
 * (BENCH_SUBSCRIPTIONS to change; clients in this process, over 50 sockets), over 20 writes.
 */
import { httpBench, type Figure } from './http.bench.js';
import { recordsBench } from './records.bench.js';
import { queryBench } from './query.bench.js';
import { graphqlBench } from './graphql.bench.js';
import { subscriptionsBench } from './subscriptions.bench.js';

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
  if (pglite)
    print('HTTP request throughput (32 connections)', await withDatabaseUrl(undefined, () => httpBench(seconds)));
  if (postgres)
    print('HTTP request throughput on PostgreSQL', await withDatabaseUrl(postgres, () => httpBench(seconds)));
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
if (runs('subscriptions')) {
  const subscriptions = Number(process.env.BENCH_SUBSCRIPTIONS ?? 1_000);
  if (pglite)
    print(
      `Subscription fan-out to ${subscriptions.toLocaleString('en-US')} graphql-ws subscriptions (in-memory PGlite)`,
      await withDatabaseUrl(undefined, () => subscriptionsBench(subscriptions, 50, 20)),
    );
  if (postgres)
    print(
      'Subscription fan-out on PostgreSQL',
      await withDatabaseUrl(postgres, () => subscriptionsBench(subscriptions, 50, 20)),
    );
}
