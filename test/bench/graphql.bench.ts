import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { newId } from '../../src/domain/ids.js';
import { ownerScope, startTestApp } from '../support/app.js';
import type { ClientAnswer } from './graphql-client.js';
import type { Figure } from './http.bench.js';
import { percentile } from './query.bench.js';
import { batchOf, FIELDS, rawInsert } from './records.bench.js';

const BATCH = 1_000;

const CREATE = `mutation Create($datasheetId: ID!, $records: [RecordInput!]!) {
  createRecords(datasheetId: $datasheetId, records: $records) { id }
}`;
const PAGE = `query Page($datasheetId: ID!) {
  records(datasheetId: $datasheetId, first: 1000) { edges { node { id fields } } pageInfo { endCursor } }
}`;

/**
 * The load generator in a child process (graphql-client.ts), so the client's serializing and parsing does not run
 * on the server's event loop. `call` answers the data and the client's time from request to the answer's last byte;
 * a GraphQL error stops the bench (a figure over failed calls would be meaningless).
 */
async function startClient(url: string, token: string) {
  const child: ChildProcess = fork(fileURLToPath(new URL('./graphql-client.ts', import.meta.url)), [], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  await new Promise<void>((resolve, reject) => {
    child.once('message', () => resolve());
    child.once('exit', (code) => reject(new Error(`the bench client exited (${code})`)));
  });
  let next = 0;
  const waiting = new Map<number, (answer: ClientAnswer) => void>();
  child.on('message', (answer: ClientAnswer) => waiting.get(answer.id)?.(answer));
  return {
    /**
     * `cpuMs`: this process's CPU time (the server's, as nothing else runs here meanwhile) from after the request
     * was handed to the client to the answer's arrival. `keep: false` has the client not send the data back.
     */
    async call<D>(
      query: string,
      variables: Record<string, unknown>,
      keep = true,
    ): Promise<{ data: D; ms: number; cpuMs: number }> {
      const id = next++;
      let cpu0 = process.cpuUsage();
      const answer = await new Promise<ClientAnswer>((resolve) => {
        waiting.set(id, resolve);
        child.send({ id, url, token, query, variables, keep });
        cpu0 = process.cpuUsage();
      });
      const cpu = process.cpuUsage(cpu0);
      waiting.delete(id);
      if (answer.status !== 200 || answer.error) throw new Error(`GraphQL ${answer.status}: ${answer.error}`);
      return { data: answer.data as D, ms: answer.ms, cpuMs: (cpu.user + cpu.system) / 1000 };
    },
    close: () => {
      child.kill();
    },
  };
}

const cpuMsSince = (start: NodeJS.CpuUsage) => {
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
};
const median = (xs: number[]) =>
  percentile(
    [...xs].sort((x, y) => x - y),
    50,
  );

/**
 * p50 and p95 of alternating runs of `a` (timed by the client, with the server's CPU time) and `b` (timed here),
 * after a warm-up; with the p50 of the CPU time of each.
 */
async function timedPair(runs: number, a: () => Promise<{ ms: number; cpuMs: number }>, b: () => Promise<unknown>) {
  for (let i = 0; i < Math.min(20, Math.ceil(runs / 5)); i++) {
    await a();
    await b();
  }
  const samples: [number[], number[]] = [[], []];
  const cpu: [number[], number[]] = [[], []];
  for (let i = 0; i < runs; i++) {
    const timed = await a();
    samples[0].push(timed.ms);
    cpu[0].push(timed.cpuMs);
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    await b();
    cpu[1].push(cpuMsSince(c0));
    samples[1].push(performance.now() - t0);
  }
  return samples.map((xs, k) => {
    xs.sort((x, y) => x - y);
    return { p50: percentile(xs, 50), p95: percentile(xs, 95), cpu: median(cpu[k]!) };
  }) as [{ p50: number; p95: number; cpu: number }, { p50: number; p95: number; cpu: number }];
}

const rate = (records: number, ms: number) => records / (ms / 1000);

/**
 * GraphQL over HTTP against a started server (RATE_LIMIT=off) in this process, called by a client in a child
 * process (the raw insert and the record service run here, on the server's process and pool): `mutations` × createRecords of
 * 1,000 records (selecting id) beside the record service call the resolver makes and a raw INSERT … unnest of
 * the very rows GraphQL stored, interleaved batch by batch so drift in the machine's speed falls on all three;
 * then a page of 1,000 records (id and fields) through GraphQL beside the same page from the record service.
 */
export async function graphqlBench(mutations: number, runs: number): Promise<Figure[]> {
  const t = await startTestApp({ RATE_LIMIT: 'off' });
  const label = t.app.databaseKind === 'postgres' ? 'PostgreSQL' : 'PGlite';
  const client = await startClient(t.url, t.token);
  try {
    const s = t.app.services;
    const scope = await ownerScope(t);
    const make = async (name: string) => (await s.datasheets.create(scope, { name, fields: FIELDS })).id;
    const [viaGraphql, viaService, viaRaw, warm] = [
      await make('graphql'),
      await make('service'),
      await make('raw'),
      await make('warm'),
    ];
    const send = (datasheetId: string, batch: unknown[]) =>
      client.call<{ createRecords: { id: string }[] }>(CREATE, {
        datasheetId,
        records: batch.map((fields) => ({ fields })),
      });
    const storedRows = async (ids: string[]) =>
      (
        await t.app.database.query<{ cells: string; position: number }>(
          'SELECT cells::text AS cells, position FROM records WHERE id = ANY($1::text[]) ORDER BY position',
          [ids],
        )
      ).map((r) => ({ id: newId('record'), cells: r.cells, position: Number(r.position) }));

    // Warm-up: one batch each way, into a datasheet of its own.
    const warmIds = (await send(warm, batchOf(0, BATCH))).data.createRecords.map((r) => r.id);
    await s.records.createRendered(scope, warm, batchOf(0, BATCH));
    await rawInsert(t.app.database, warm, await storedRows(warmIds));

    const ms = { graphql: 0, service: 0, raw: 0 };
    const cpu = { graphql: [] as number[], service: [] as number[], raw: [] as number[] };
    for (let b = 0; b < mutations; b++) {
      const batch = batchOf(b * BATCH, BATCH);
      const { data: created, ms: graphqlMs, cpuMs } = await send(viaGraphql, batch);
      ms.graphql += graphqlMs;
      cpu.graphql.push(cpuMs);
      if (created.createRecords.length !== BATCH) throw new Error('createRecords answered a short batch');
      const rows = await storedRows(created.createRecords.map((r) => r.id));
      const t1 = performance.now();
      let c0 = process.cpuUsage();
      await rawInsert(t.app.database, viaRaw, rows);
      cpu.raw.push(cpuMsSince(c0));
      ms.raw += performance.now() - t1;
      const t2 = performance.now();
      c0 = process.cpuUsage();
      await s.records.createRendered(scope, viaService, batch);
      cpu.service.push(cpuMsSince(c0));
      ms.service += performance.now() - t2;
    }
    const total = mutations * BATCH;
    const [graphql, service, raw] = [rate(total, ms.graphql), rate(total, ms.service), rate(total, ms.raw)];

    const [page, direct] = await timedPair(
      runs,
      () => client.call(PAGE, { datasheetId: viaGraphql }, false),
      () => s.records.query(scope, viaGraphql, { pageSize: BATCH, after: null, fieldKey: 'name', cellFormat: 'json' }),
    );
    return [
      {
        name: `GraphQL createRecords over HTTP, ${label}`,
        value: graphql,
        unit: 'rec/s',
        note: `${mutations} mutations of 1,000 records selecting id; goal ≥ 50,000`,
      },
      {
        name: `record service createRendered, ${label}`,
        value: service,
        unit: 'rec/s',
        note: 'same batches, the call the resolver makes',
      },
      { name: `raw INSERT … unnest, ${label}`, value: raw, unit: 'rec/s', note: 'the rows GraphQL stored' },
      { name: `ratio GraphQL / raw, ${label}`, value: graphql / raw, unit: '×', note: 'goal ≥ 0.45' },
      { name: `ratio GraphQL / service, ${label}`, value: graphql / service, unit: '×', note: 'HTTP + GraphQL cost' },
      {
        name: `server CPU per createRecords of 1,000, ${label}`,
        value: median(cpu.graphql),
        unit: 'ms p50',
        note: `record service ${median(cpu.service).toFixed(1)} ms, raw insert ${median(cpu.raw).toFixed(1)} ms (this process)`,
      },
      {
        name: `GraphQL records(first: 1000) over HTTP, ${label}`,
        value: page.p50,
        unit: 'ms p50',
        note: `p95 ${page.p95.toFixed(1)} ms, id and fields of ${total.toLocaleString('en-US')}; goal p50 ≤ 30 ms`,
      },
      {
        name: `record service query, pageSize 1000, ${label}`,
        value: direct.p50,
        unit: 'ms p50',
        note: `p95 ${direct.p95.toFixed(1)} ms`,
      },
      { name: `ratio GraphQL / service page p50, ${label}`, value: page.p50 / direct.p50, unit: '×' },
      {
        name: `server CPU per page of 1,000 through GraphQL, ${label}`,
        value: page.cpu,
        unit: 'ms p50',
        note: `record service ${direct.cpu.toFixed(1)} ms`,
      },
    ];
  } finally {
    client.close();
    await t.close();
  }
}
