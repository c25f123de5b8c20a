import pg from 'pg';

const RECONNECT_MS = 1_000;

export interface Listening {
  /** True while the connection listens: nothing sent on the channel since is being missed. */
  readonly listening: boolean;
  close(): Promise<void>;
}

/**
 * PostgreSQL LISTEN on `channel`, on a connection of its own that is opened again a second after it is lost.
 * `onListening(true)` once it listens (nothing missed from then on), `onListening(false)` the moment it is lost.
 * TCP keep-alive (probes from 5 s idle) notices a connection that died silently rather than trusting it forever.
 */
export function listenChannel(
  url: string,
  channel: string,
  handlers: {
    onNotification(payload: string | undefined): void;
    onListening(listening: boolean): void;
    onError(error: unknown): void;
  },
): Listening {
  let client: pg.Client | undefined;
  let listening = false;
  let closed = false;
  let timer: NodeJS.Timeout | undefined;

  const lost = (c: pg.Client) => {
    if (client !== c) return; // heard already (an error, then its end)
    client = undefined;
    listening = false;
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
    const c = new pg.Client({ connectionString: url, keepAlive: true, keepAliveInitialDelayMillis: 5_000 });
    client = c;
    c.on('notification', (message) => handlers.onNotification(message.payload));
    c.on('error', (error) => {
      handlers.onError(error);
      lost(c);
    });
    c.on('end', () => {
      if (!closed) lost(c);
    });
    try {
      await c.connect();
      await c.query(`LISTEN ${channel}`);
      if (closed) await c.end();
      else {
        listening = true;
        handlers.onListening(true);
      }
    } catch (error) {
      handlers.onError(error);
      lost(c);
    }
  }

  void connect();
  return {
    get listening() {
      return listening;
    },
    async close() {
      closed = true;
      clearTimeout(timer);
      listening = false;
      const c = client;
      client = undefined;
      await c?.end().catch(() => {});
    },
  };
}
