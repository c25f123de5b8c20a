import { EventSource } from 'eventsource';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';

export interface GqlResult {
  data?: Record<string, unknown> | null;
  errors?: { message: string; extensions?: Record<string, unknown> }[];
}

/** What a subscription received: results in order, and how it ended. */
export interface Received<T> {
  items: T[];
  /** Resolves with the items once `n` have arrived (rejects if the subscription ended first). */
  take(n: number): Promise<T[]>;
  /** Resolves when the subscription ends (completed or failed), with its failure if any. */
  ended: Promise<{ error?: unknown }>;
  close(): void;
}

function collector<T>(): Received<T> & { push(item: T): void; end(error?: unknown): void; onClose?: () => void } {
  const items: T[] = [];
  const waiters: { n: number; resolve: (v: T[]) => void; reject: (e: unknown) => void }[] = [];
  let finished: { error?: unknown } | undefined;
  let endResolve!: (v: { error?: unknown }) => void;
  const ended = new Promise<{ error?: unknown }>((resolve) => (endResolve = resolve));
  const c = {
    items,
    ended,
    push(item: T) {
      items.push(item);
      for (const w of [...waiters])
        if (items.length >= w.n) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(items.slice(0, w.n));
        }
    },
    end(error?: unknown) {
      if (finished) return;
      finished = error === undefined ? {} : { error };
      endResolve(finished);
      for (const w of waiters.splice(0))
        w.reject(new Error(`subscription ended after ${items.length} items: ${JSON.stringify(items)}`));
    },
    take(n: number) {
      if (items.length >= n) return Promise.resolve(items.slice(0, n));
      if (finished) return Promise.reject(new Error(`subscription ended after ${items.length} items`));
      return new Promise<T[]>((resolve, reject) => waiters.push({ n, resolve, reject }));
    },
    close() {
      c.onClose?.();
    },
    onClose: undefined as (() => void) | undefined,
  };
  return c;
}

/** A real graphql-ws client over `ws`, authenticated by connectionParams. */
export function wsClient(url: string, connectionParams: Record<string, unknown>): Client {
  return createClient({
    url: `${url.replace(/^http/, 'ws')}/graphql`,
    webSocketImpl: WebSocket,
    connectionParams,
    retryAttempts: 0,
    lazy: true,
  });
}

export function subscribe(client: Client, query: string, variables: Record<string, unknown> = {}): Received<GqlResult> {
  const c = collector<GqlResult>();
  const dispose = client.subscribe<Record<string, unknown>>(
    { query, variables },
    {
      next: (result) => c.push(result as GqlResult),
      error: (error) => c.end(error ?? 'error'),
      complete: () => c.end(),
    },
  );
  c.onClose = () => {
    dispose();
    c.end();
  };
  return c;
}

export interface SseMessage {
  id: string;
  event: string;
  data: unknown;
}

/** A real EventSource (eventsource package) sending `Authorization` (and any other headers) with its own fetch. */
export function eventSource(
  url: string,
  token: string,
  headers: Record<string, string> = {},
): Received<SseMessage> & { opened: Promise<void>; source: EventSource } {
  const c = collector<SseMessage>();
  let opened!: () => void;
  const openedPromise = new Promise<void>((resolve) => (opened = resolve));
  const source = new EventSource(url, {
    fetch: (input, init) =>
      fetch(input, {
        ...init,
        headers: { ...(init?.headers as Record<string, string>), authorization: `Bearer ${token}`, ...headers },
      }),
  });
  source.onopen = () => opened();
  source.onmessage = (e) => c.push({ id: e.lastEventId, event: e.type, data: JSON.parse(e.data) });
  // GraphQL over SSE (Yoga) names its events `next` and `complete`.
  source.addEventListener('next', (e) => c.push({ id: e.lastEventId, event: 'next', data: JSON.parse(e.data) }));
  source.addEventListener('complete', () => {
    source.close();
    c.end();
  });
  source.addEventListener('error', (e) => {
    const data = (e as unknown as { data?: string }).data;
    if (data) c.push({ id: '', event: 'error', data: JSON.parse(data) });
    source.close();
    c.end(e);
  });
  c.onClose = () => {
    source.close();
    c.end();
  };
  return Object.assign(c, { opened: openedPromise, source });
}

/** Polls `check` until it holds (subscriptions are set up asynchronously after the client sends them). */
export async function until(check: () => boolean | Promise<boolean>, what = 'condition'): Promise<void> {
  for (let i = 0; i < 2_000; i++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}
