import pg from 'pg';

/** The channel the database notifies on when a token, a membership or a space changes (migration auth_change_notify). */
export const AUTH_CHANNEL = 'tb_auth_changed';

const RECONNECT_MS = 1_000;

/**
 * PostgreSQL LISTEN for changes of what authenticating a token reads, on a connection of its own. `onChange` hears
 * each notification; `onListening(true)` once the connection listens (nothing missed from then on) and
 * `onListening(false)` the moment it is lost (it is opened again after a second). `close` stops it.
 */
export function listenAuthChanges(
  url: string,
  handlers: { onChange(): void; onListening(listening: boolean): void; onError(error: unknown): void },
): { close(): Promise<void> } {
  let client: pg.Client | undefined;
  let closed = false;
  let timer: NodeJS.Timeout | undefined;

  const lost = (c: pg.Client) => {
    if (client !== c) return; // heard already (an error, then its end)
    client = undefined;
    handlers.onListening(false);
    c.end().catch(() => {});
    if (closed || timer) return;
    timer = setTimeout(() => {
      timer = undefined;
      void connect();
    }, RECONNECT_MS);
    timer.unref();
  };

  async function connect() {
    // TCP keep-alive (probes from 5 s idle): a connection that died silently is noticed, and the cache set aside,
    // rather than trusted forever; meanwhile entries still expire after TOKEN_CACHE_TTL_MS (30 s).
    const c = new pg.Client({ connectionString: url, keepAlive: true, keepAliveInitialDelayMillis: 5_000 });
    client = c;
    c.on('notification', () => handlers.onChange());
    c.on('error', (error) => {
      handlers.onError(error);
      lost(c);
    });
    c.on('end', () => {
      if (!closed) lost(c);
    });
    try {
      await c.connect();
      await c.query(`LISTEN ${AUTH_CHANNEL}`);
      if (closed) await c.end();
      else handlers.onListening(true);
    } catch (error) {
      handlers.onError(error);
      lost(c);
    }
  }

  void connect();
  return {
    async close() {
      closed = true;
      clearTimeout(timer);
      handlers.onListening(false);
      await client?.end().catch(() => {});
    },
  };
}
