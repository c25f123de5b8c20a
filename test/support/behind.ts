import type { TestApp } from './app.js';
import { until } from './live.js';

/**
 * Runs a write made behind the server's back (SQL on another connection), then waits until the server heard it: on
 * PostgreSQL verified tokens are kept in memory until the database's notification of a change to tokens, memberships
 * or spaces arrives (src/domain/tokens/token-cache.ts), a few milliseconds after the commit.
 */
export async function writeBehind(t: TestApp, write: () => Promise<unknown>): Promise<void> {
  const cache = t.app.services.tokenCache;
  const before = cache.generation;
  await write();
  if (cache.enabled) await until(() => cache.generation > before, 'the change to be heard');
}
