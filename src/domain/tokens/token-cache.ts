import type { TokenRow } from '../../db/stores/access.store.js';

/** Verified tokens kept at most this long, even while nothing says they changed. */
export const TOKEN_CACHE_TTL_MS = 30_000;
/** Tokens kept at most (the oldest goes first). */
export const TOKEN_CACHE_SIZE = 1_000;

/**
 * Verified tokens by the hash of their secret, so a request does not look its token up again. Only in use while
 * something tells this process of every change that could end or narrow a token (`enable`, by the database's change
 * notifications: src/db/auth-changes.ts); `invalidate` forgets everything at once. A lookup that started before an
 * invalidation is not kept (the generation moved), so a revocation is never undone by a read that raced it.
 */
export function createTokenCache(options: { ttlMs?: number; size?: number; now?: () => number } = {}) {
  const ttlMs = options.ttlMs ?? TOKEN_CACHE_TTL_MS;
  const size = options.size ?? TOKEN_CACHE_SIZE;
  const now = options.now ?? Date.now;
  const entries = new Map<string, { row: TokenRow; at: number }>();
  let generation = 0;
  let enabled = false;
  return {
    /** The cached row of a secret hash, if in use and fresh. */
    get(hash: string): TokenRow | undefined {
      if (!enabled) return undefined;
      const entry = entries.get(hash);
      if (!entry) return undefined;
      if (now() - entry.at > ttlMs) {
        entries.delete(hash);
        return undefined;
      }
      return entry.row;
    },
    /** Where a lookup starts: pass it to `set` with what the lookup found. */
    get generation() {
      return generation;
    },
    set(hash: string, row: TokenRow, since: number): void {
      if (!enabled || since !== generation) return;
      if (entries.size >= size) entries.delete(entries.keys().next().value!);
      entries.set(hash, { row, at: now() });
    },
    invalidate(): void {
      generation++;
      entries.clear();
    },
    /** In use only while changes are heard; turning it off or on forgets everything. */
    enable(on: boolean): void {
      enabled = on;
      generation++;
      entries.clear();
    },
    get enabled() {
      return enabled;
    },
    get size() {
      return entries.size;
    },
  };
}

export type TokenCache = ReturnType<typeof createTokenCache>;
