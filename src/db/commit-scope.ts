import { AsyncLocalStorage } from 'node:async_hooks';
import type { Queryable } from './queryable.js';

/**
 * Work that must commit with whatever a request writes: while `fn` of `withCommitScope` runs, every
 * transaction it opens (raw sessions and Prisma interactive transactions alike, see client.ts) calls
 * `beforeCommit` on its own connection as its last statement, so that work commits or rolls back with the
 * write. Used by idempotency keys: the key is marked as used in the write's own transaction.
 */
export interface CommitScope {
  beforeCommit?: ((tx: Queryable) => Promise<void>) | undefined;
}

const scopes = new AsyncLocalStorage<CommitScope>();

/** Runs `fn` (and everything it starts) inside `scope`; the scope's hook may be set later, while `fn` runs. */
export function withCommitScope<T>(scope: CommitScope, fn: () => T): T {
  return scopes.run(scope, fn);
}

/** Called by the transaction runners just before COMMIT; a throw rolls the transaction back. */
export async function beforeCommit(tx: Queryable): Promise<void> {
  const hook = scopes.getStore()?.beforeCommit;
  if (hook) await hook(tx);
}
