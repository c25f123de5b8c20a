import { readFileSync } from 'node:fs';
import type { Client } from 'graphql-ws';
import { startServerProcess, type ServerProcess } from '../reliability/support/server.js';
import { ownerScope, startTestApp } from '../support/app.js';
import { fusion } from '../support/fusion.js';
import { until, wsClient } from '../support/live.js';
import type { Figure } from './http.bench.js';

const QUERY = `subscription ($id: ID!, $after: String) {
  recordsChanged(datasheetId: $id, after: $after) { kind sequence recordIds changes { field newValue } }
}`;

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;

interface FanOut {
  /** ms from the start of each write to each subscription's receipt of its event. */
  latencies: number[];
  /** ms each write took (until its answer). */
  writeMs: number[];
  /** CPU time (µs) per delivery of the process that holds the subscriptions (with the clients when in-process). */
  cpuPerDelivery: number;
}

/**
 * `subscriptions` graphql-ws subscriptions to one datasheet (one token, over `connections` WebSocket connections from
 * this process), then `writes` + 1 record creations, one at a time; each is timed from the start of the write until
 * every subscription has received its event. The first round warms up (JIT, caches; and, with `after`, it is the one
 * every subscription must have received before the clock runs: all are live) and is not counted.
 */
async function fanOut(options: {
  url: string;
  token: string;
  datasheetId: string;
  subscriptions: number;
  connections: number;
  writes: number;
  /** Subscribe from this sequence on (a subscription opened after the first write still gets it). */
  after?: string;
  /** Resolves once every subscription is open (when `after` is not given). */
  ready?: () => Promise<void>;
  write(w: number): Promise<void>;
  /** CPU time (µs) used so far by the process that holds the subscriptions. */
  cpu(): number;
}): Promise<FanOut> {
  const { subscriptions, connections, writes } = options;
  const clients: Client[] = Array.from({ length: connections }, () => wsClient(options.url, { token: options.token }));
  try {
    // Arrival times per write (round), stamped as each event reaches its client.
    const arrivals: number[][] = Array.from({ length: writes + 1 }, () => []);
    const received = new Array<number>(subscriptions).fill(0);
    const failures: unknown[] = [];
    const disposers = Array.from({ length: subscriptions }, (_, i) =>
      clients[i % connections]!.subscribe(
        { query: QUERY, variables: { id: options.datasheetId, after: options.after ?? null } },
        {
          next: (result) => {
            if (result.errors) failures.push(result.errors);
            arrivals[received[i]!++]?.push(performance.now());
          },
          error: (error) => failures.push(error),
          complete: () => {},
        },
      ),
    );
    await options.ready?.();
    const latencies: number[] = [];
    const writeMs: number[] = [];
    let cpu = 0;
    for (let w = 0; w <= writes; w++) {
      if (w === 1) cpu = options.cpu();
      const start = performance.now();
      await options.write(w);
      writeMs.push(performance.now() - start);
      await until(() => arrivals[w]!.length === subscriptions || failures.length > 0, `round ${w}`);
      if (failures.length > 0) throw new Error(`a subscription failed: ${JSON.stringify(failures[0])}`);
      if (w > 0) latencies.push(...arrivals[w]!.map((at) => at - start));
    }
    const cpuPerDelivery = (options.cpu() - cpu) / (writes * subscriptions);
    for (const dispose of disposers) dispose();
    latencies.sort((a, b) => a - b);
    writeMs.shift();
    writeMs.sort((a, b) => a - b);
    return { latencies, writeMs, cpuPerDelivery };
  } finally {
    await Promise.all(clients.map((c) => c.dispose()));
  }
}

function figures(result: FanOut, note: string, cpuName: string): Figure[] {
  const { latencies, writeMs } = result;
  return [
    { name: 'fan-out latency p50 (write start → event received)', value: percentile(latencies, 0.5), unit: 'ms', note },
    { name: 'fan-out latency p99', value: percentile(latencies, 0.99), unit: 'ms', note },
    { name: 'fan-out latency max', value: latencies.at(-1)!, unit: 'ms', note },
    { name: 'the write alone p50 (until its answer)', value: percentile(writeMs, 0.5), unit: 'ms', note },
    {
      name: cpuName,
      value: result.cpuPerDelivery,
      unit: 'µs',
      note: 'less disturbed by other load than the latencies',
    },
  ];
}

/**
 * Fan-out latency in one process: the subscriptions' clients run in this same process as the server (so client work
 * shares the CPU with the server: the figures are an upper bound), and the writes go through the record service; the
 * process's CPU time per delivery (server and clients together) is printed beside them.
 */
export async function subscriptionsBench(
  subscriptions: number,
  connections: number,
  writes: number,
): Promise<Figure[]> {
  const t = await startTestApp({ RATE_LIMIT: 'off', SUBSCRIPTIONS_PER_TOKEN: String(subscriptions) });
  const label = t.app.databaseKind === 'postgres' ? 'PostgreSQL' : 'PGlite';
  try {
    const scope = await ownerScope(t);
    const sheet = await t.app.services.datasheets.create(scope, {
      name: 'fan-out',
      fields: [{ name: 'Item', type: 'SingleText', property: {} }],
    });
    const result = await fanOut({
      url: t.url,
      token: t.token,
      datasheetId: sheet.id,
      subscriptions,
      connections,
      writes,
      ready: () => until(() => t.app.openSubscriptions() === subscriptions, `${subscriptions} subscriptions`),
      write: async (w) => {
        await t.app.services.records.create(scope, sheet.id, [{ Item: `write ${w}` }]);
      },
      cpu: () => {
        const used = process.cpuUsage();
        return used.user + used.system;
      },
    });
    return figures(
      result,
      `${subscriptions} subs / ${connections} sockets, ${writes} writes, ${label}`,
      'CPU time per delivery (server and clients, this process)',
    );
  } finally {
    await t.close();
  }
}

/** CPU time (µs) a process of this machine has used (Linux /proc; 0 where it cannot be read). */
function processCpu(pid: number | undefined): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const [utime, stime] = stat
      .slice(stat.lastIndexOf(')') + 2)
      .split(' ')
      .slice(11, 13)
      .map(Number);
    return ((utime! + stime!) * 1_000_000) / 100; // clock ticks of 10 ms (USER_HZ)
  } catch {
    return 0;
  }
}

/**
 * Fan-out across processes: two server processes (src/main.ts, as a user runs it) on one PostgreSQL database, the
 * subscriptions held on process A by clients in this process, the writes made over HTTP (Fusion API) through A itself
 * and then through B, whose commits reach A by LISTEN/NOTIFY, or with `redisUrl` by Redis pub/sub as well. Latency is
 * from the start of the write request to each client's receipt; A's CPU time per delivery is printed beside it.
 */
export async function subscriptionsAcrossProcesses(
  subscriptions: number,
  connections: number,
  writes: number,
  redisUrl?: string,
): Promise<Figure[]> {
  const env = {
    SUBSCRIPTIONS_PER_TOKEN: String(subscriptions),
    LOG_LEVEL: 'warn',
    NODE_ENV: process.env.NODE_ENV,
    ...(redisUrl ? { REDIS_URL: redisUrl } : {}),
  };
  const a = await startServerProcess(env);
  let b: ServerProcess | undefined;
  try {
    b = await startServerProcess(env, { beside: a });
    const waker = redisUrl ? 'Redis + LISTEN/NOTIFY' : 'LISTEN/NOTIFY';
    const out: Figure[] = [];
    const through: [string, ServerProcess][] = redisUrl
      ? [[`through B (${waker})`, b]]
      : [
          ['through A (the subscribers’ process)', a],
          [`through B (${waker})`, b],
        ];
    for (const [label, writer] of through) {
      const created = await fusion<{ id: string }>(writer.url, 'POST', `/v1/spaces/${a.spaceId}/datasheets`, {
        token: a.token,
        body: { name: `fan-out ${label}`, fields: [{ name: 'Item', type: 'SingleText', property: {} }] },
      });
      if (!created.body.success) throw new Error(`creating the datasheet failed: ${created.text}`);
      const datasheetId = created.body.data!.id;
      const result = await fanOut({
        url: a.url,
        token: a.token,
        datasheetId,
        subscriptions,
        connections,
        writes,
        // Every record event of the new datasheet: the first write reaches even a subscription opened after it.
        after: '0',
        write: async (w) => {
          const written = await fusion(writer.url, 'POST', `/v1/datasheets/${datasheetId}/records`, {
            token: a.token,
            body: { records: [{ fields: { Item: `write ${w}` } }] },
          });
          if (!written.body.success) throw new Error(`a write failed: ${written.text}`);
        },
        cpu: () => processCpu(a.current().child.pid),
      });
      const note = `writes ${label}, ${subscriptions} subs / ${connections} sockets on A, ${writes} writes`;
      out.push(...figures(result, note, 'CPU time per delivery (process A)'));
    }
    return out;
  } finally {
    await b?.dispose();
    await a.dispose();
  }
}
