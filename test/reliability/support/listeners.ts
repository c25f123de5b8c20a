import {
  eventSource,
  subscribe,
  until,
  wsClient,
  type GqlResult,
  type Received,
  type SseMessage,
} from '../../support/live.js';

const RECORDS_CHANGED = 'subscription ($id: ID!) { recordsChanged(datasheetId: $id) { kind sequence recordIds } }';

interface Event {
  sequence: bigint;
  recordIds: string[];
}

/** One held subscription: what it received, as events with their sequence, or its failures. */
interface Listener {
  name: string;
  received: Received<GqlResult> | Received<SseMessage>;
  events(): Event[];
  failures(): string[];
}

/**
 * `graphql` recordsChanged subscriptions over `clients` graphql-ws connections and `streams` REST event streams
 * on one datasheet, held until close(): real clients (graphql-ws with ws, the eventsource package).
 */
export function openListeners(
  url: string,
  token: string,
  datasheetId: string,
  counts: { graphql: number; clients: number; streams: number },
) {
  const clients = Array.from({ length: counts.clients }, () => wsClient(url, { authorization: `Bearer ${token}` }));
  const listeners: Listener[] = [];
  for (let i = 0; i < counts.graphql; i++) {
    const received = subscribe(clients[i % clients.length]!, RECORDS_CHANGED, { id: datasheetId });
    const changed = () =>
      received.items.map((r) => r.data?.recordsChanged as { sequence: string; recordIds: string[] } | undefined);
    listeners.push({
      name: `graphql-ws ${i}`,
      received,
      events: () => changed().flatMap((e) => (e ? [{ sequence: BigInt(e.sequence), recordIds: e.recordIds }] : [])),
      failures: () => received.items.flatMap((r) => (r.errors ?? []).map((e) => `${e.extensions?.code}: ${e.message}`)),
    });
  }
  for (let i = 0; i < counts.streams; i++) {
    const received = eventSource(`${url}/fusion/v1/datasheets/${datasheetId}/events`, token);
    listeners.push({
      name: `event stream ${i}`,
      received,
      events: () =>
        received.items.map((m) => ({
          sequence: BigInt(m.id),
          recordIds: (m.data as { recordIds: string[] }).recordIds,
        })),
      failures: () => received.items.filter((m) => m.event !== 'message').map((m) => JSON.stringify(m).slice(0, 200)),
    });
  }
  let ended = 0;
  for (const l of listeners) void l.received.ended.then(() => ended++);
  return {
    listeners,
    /** Until every listener has received the event of a write of `recordId`. */
    seen: (recordId: string) =>
      until(
        () => listeners.every((l) => l.events().some((e) => e.recordIds.includes(recordId))),
        `every listener to see ${recordId}`,
      ),
    /** Subscriptions that ended while held (an error, or the server closed them). */
    endedEarly: () => ended,
    /** Per listener: how many events, and where consecutive sequences skip or repeat. */
    gaps: () =>
      listeners.flatMap((l) => {
        const events = l.events();
        return events
          .slice(1)
          .flatMap((e, i) =>
            e.sequence === events[i]!.sequence + 1n ? [] : [`${l.name}: ${events[i]!.sequence} then ${e.sequence}`],
          );
      }),
    failures: () => listeners.flatMap((l) => l.failures().map((f) => `${l.name}: ${f}`)),
    received: () => listeners.reduce((n, l) => n + l.events().length, 0),
    async close() {
      for (const l of listeners) l.received.close();
      await Promise.all(clients.map((c) => c.dispose()));
    },
  };
}

/**
 * Whether the per-token subscription limit admits exactly `limit` new subscriptions (each then receives a write's
 * event: `write` is called until all have) and refuses one more with LIMIT_EXCEEDED. A subscription the server
 * leaked keeps its slot for good, so one of the `limit` would be refused.
 */
export async function limitAdmits(
  url: string,
  token: string,
  datasheetId: string,
  limit: number,
  write: () => Promise<unknown>,
): Promise<{ admitted: number; refusedCode: unknown }> {
  const client = wsClient(url, { authorization: `Bearer ${token}` });
  try {
    const open = Array.from({ length: limit }, () => subscribe(client, RECORDS_CHANGED, { id: datasheetId }));
    for (let i = 0; i < 50 && open.some((sub) => sub.items.length === 0); i++) await write();
    const admitted = open.filter((sub) => sub.items[0]?.data?.recordsChanged).length;
    const refused = subscribe(client, RECORDS_CHANGED, { id: datasheetId });
    await refused.ended;
    for (const sub of open) sub.close();
    return { admitted, refusedCode: refused.items[0]?.errors?.[0]?.extensions?.code };
  } finally {
    await client.dispose();
  }
}
