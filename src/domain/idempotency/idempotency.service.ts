import { createHash } from 'node:crypto';
import type { Queryable } from '../../db/client.js';
import { claimKey, completeKey, purgeExpiredKeys, readKey, releaseKey } from '../../db/stores/idempotency.store.js';
import { conflict, invalidArgument } from '../errors.js';
import { newId } from '../ids.js';

export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;
/** A key whose first request never finished (process died) may be claimed again after this. */
const ABANDON_AFTER_MS = 60_000;
const WAIT_STEP_MS = 50;

export interface Outcome {
  status: number;
  body: unknown;
}

/** Canonical JSON (sorted keys) so that the same payload hashes the same whatever its key order. */
export function requestHash(parts: unknown[]): string {
  const canonical = (value: unknown): unknown =>
    Array.isArray(value)
      ? value.map(canonical)
      : value && typeof value === 'object'
        ? Object.fromEntries(Object.keys(value).sort().map((k) => [k, canonical((value as Record<string, unknown>)[k])]))
        : value;
  return createHash('sha256').update(JSON.stringify(parts.map(canonical))).digest('hex');
}

/**
 * Idempotency keys for mutations (REST `Idempotency-Key` header, GraphQL `idempotencyKey` argument): the
 * first request with a key runs and its outcome is stored; the same key with the same payload replays the
 * stored outcome without running again, even while the first is still running (the second waits); the
 * same key with another payload is refused. Keys are per token and expire after 24 hours. Unexpected
 * failures are not stored, so the client may retry them.
 */
export function createIdempotencyService(db: Queryable, options: { waitMs?: number } = {}) {
  const waitMs = options.waitMs ?? 30_000;

  async function run(
    tokenId: string,
    key: string,
    hash: string,
    execute: () => Promise<Outcome>,
  ): Promise<Outcome & { replayed: boolean }> {
    if (key.length === 0 || key.length > 255 || /[^\x21-\x7e]/.test(key)) {
      throw invalidArgument('Idempotency-Key must be 1 to 255 visible ASCII characters', { parameter: 'Idempotency-Key' });
    }
    const deadline = Date.now() + waitMs;
    for (;;) {
      const id = newId('idempotency');
      if (await claimKey(db, { id, tokenId, key, requestHash: hash, ttlMs: IDEMPOTENCY_TTL_MS, abandonAfterMs: ABANDON_AFTER_MS })) {
        return { ...(await executeOwned(id, execute)), replayed: false };
      }
      const existing = await readKey(db, tokenId, key);
      if (!existing) continue; // released between our claim and read: try again
      if (existing.requestHash !== hash) {
        throw conflict('This Idempotency-Key was already used with a different request', { parameter: 'Idempotency-Key' });
      }
      if (existing.statusCode !== null) return { status: existing.statusCode, body: existing.responseBody, replayed: true };
      if (Date.now() > deadline) {
        throw conflict('A request with this Idempotency-Key is still in progress; retry later', { parameter: 'Idempotency-Key' });
      }
      await new Promise((resolve) => setTimeout(resolve, WAIT_STEP_MS));
    }
  }

  async function executeOwned(id: string, execute: () => Promise<Outcome>): Promise<Outcome> {
    let outcome: Outcome;
    try {
      outcome = await execute();
    } catch (error) {
      await releaseKey(db, id).catch(() => {});
      throw error;
    }
    if (outcome.status >= 500) await releaseKey(db, id);
    else await completeKey(db, id, outcome.status, outcome.body);
    return outcome;
  }

  return { run, purgeExpired: () => purgeExpiredKeys(db) };
}

export type IdempotencyService = ReturnType<typeof createIdempotencyService>;
