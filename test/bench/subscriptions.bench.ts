import { ownerScope, startTestApp } from '../support/app.js';
import { until, wsClient } from '../support/live.js';
import type { Figure } from './http.bench.js';

const QUERY = `subscription ($id: ID!) {
  recordsChanged(datasheetId: $id) { kind sequence recordIds changes { field newValue } }
}`;

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;

/**
 * Fan-out latency: `subscriptions` graphql-ws subscriptions to one datasheet (one token, spread over `connections`
 * WebSocket connections), held by real graphql-ws clients in this same process as the server (so client work
 * shares the CPU with the server: the figures are an upper bound). Each of `writes` record creations (through the
 * record service, one at a time) is timed from the start of the write until every subscription has received
 * its event; latency per delivery = arrival − write start, and the write's own duration is printed beside it, and
 * the process's CPU time per delivery (server and clients together), which other load on the machine disturbs less.
 */
export async function subscriptionsBench(
  subscriptions: number,
  connections: number,
  writes: number,
): Promise<Figure[]> {
  const t = await startTestApp({ RATE_LIMIT: 'off', SUBSCRIPTIONS_PER_TOKEN: String(subscriptions) });
  const label = t.app.databaseKind === 'postgres' ? 'PostgreSQL' : 'PGlite';
  const clients = Array.from({ length: connections }, () => wsClient(t.url, { token: t.token }));
  try {
    const scope = await ownerScope(t);
    const sheet = await t.app.services.datasheets.create(scope, {
      name: 'fan-out',
      fields: [{ name: 'Item', type: 'SingleText', property: {} }],
    });
    // Arrival times per write (round), stamped as each event reaches its client.
    const arrivals: number[][] = Array.from({ length: writes + 1 }, () => []);
    const received = new Array<number>(subscriptions).fill(0);
    const failures: unknown[] = [];
    const disposers = Array.from({ length: subscriptions }, (_, i) =>
      clients[i % connections]!.subscribe(
        { query: QUERY, variables: { id: sheet.id } },
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
    await until(() => t.app.openSubscriptions() === subscriptions, `${subscriptions} subscriptions`);
    const latencies: number[] = [];
    const writeMs: number[] = [];
    let cpu = { user: 0, system: 0 };
    for (let w = 0; w <= writes; w++) {
      if (w === 1) cpu = process.cpuUsage();
      const start = performance.now();
      await t.app.services.records.create(scope, sheet.id, [{ Item: `write ${w}` }]);
      writeMs.push(performance.now() - start);
      await until(() => arrivals[w]!.length === subscriptions || failures.length > 0, `round ${w}`);
      if (failures.length > 0) throw new Error(`a subscription failed: ${JSON.stringify(failures[0])}`);
      // The first round warms up (JIT, caches) and is not counted.
      if (w > 0) latencies.push(...arrivals[w]!.map((at) => at - start));
    }
    const used = process.cpuUsage(cpu);
    const cpuPerDelivery = (used.user + used.system) / (writes * subscriptions);
    for (const dispose of disposers) dispose();
    latencies.sort((a, b) => a - b);
    writeMs.shift();
    writeMs.sort((a, b) => a - b);
    const note = `${subscriptions} subs / ${connections} sockets, ${writes} writes, ${label}`;
    return [
      {
        name: 'fan-out latency p50 (write start → event received)',
        value: percentile(latencies, 0.5),
        unit: 'ms',
        note,
      },
      { name: 'fan-out latency p99', value: percentile(latencies, 0.99), unit: 'ms', note },
      { name: 'fan-out latency max', value: latencies.at(-1)!, unit: 'ms', note },
      { name: 'the write alone p50 (commit, before fan-out ends)', value: percentile(writeMs, 0.5), unit: 'ms', note },
      {
        name: 'CPU time per delivery (server and clients, this process)',
        value: cpuPerDelivery,
        unit: 'µs',
        note: 'less disturbed by other load than the latencies',
      },
    ];
  } finally {
    await Promise.all(clients.map((c) => c.dispose()));
    await t.close();
  }
}
