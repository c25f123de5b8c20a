import { listenChannel } from './pg-listen.js';

/** The channel the database notifies on when a token, a membership or a space changes (migration auth_change_notify). */
export const AUTH_CHANNEL = 'tb_auth_changed';

/**
 * PostgreSQL LISTEN for changes of what authenticating a token reads, on a connection of its own (pg-listen.ts).
 * `onChange` hears each notification; `onListening(true)` once the connection listens (nothing missed from then on)
 * and `onListening(false)` the moment it is lost (entries still expire after TOKEN_CACHE_TTL_MS meanwhile).
 */
export function listenAuthChanges(
  url: string,
  handlers: { onChange(): void; onListening(listening: boolean): void; onError(error: unknown): void },
): { close(): Promise<void> } {
  const listening = listenChannel(url, AUTH_CHANNEL, {
    onNotification: () => handlers.onChange(),
    onListening: handlers.onListening,
    onError: handlers.onError,
  });
  return {
    async close() {
      await listening.close();
      handlers.onListening(false);
    },
  };
}
