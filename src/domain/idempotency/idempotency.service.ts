import { createHash } from 'node:crypto';
import type { Queryable } from '../../db/client.js';
import { withCommitScope } from '../../db/commit-scope.js';
import {
  claimKey,
  completeKey,
  markCommitted,
  purgeExpiredKeys,
  readKey,
  releaseKey,
  renewLease,
} from '../../db/stores/idempotency.store.js';
import { conflict, DomainError, invalidArgument } from '../errors.js';
import { newId } from '../ids.js';

export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;
const WAIT_STEP_MS = 50;

export interface Outcome {
  status: number;
  body: unknown;
}

/** What `begin` answers: a stored outcome to replay, or the claim of a request that now runs. */
export type Begun = { replayed: true; outcome: Outcome } | { replayed: false; claim: Claim };

export interface Claim {
  /** The commit-scope hook (src/db/commit-scope.ts): marks the key used inside the write's own transaction. */
  markCommitted(tx: Queryable): Promise<void>;
  /**
   * The request is over. A `storable` outcome is kept for replays; otherwise the key is given up so that a
   * retry runs again, unless a write committed under it: then the outcome is kept whatever it is (the
   * write must never run twice), and without one retries learn that it was applied.
   */
  finish(outcome: Outcome | undefined, storable: boolean): Promise<void>;
}

/** Canonical JSON (sorted keys) so that the same payload hashes the same whatever its key order. */
export function requestHash(parts: unknown[]): string {
  const canonical = (value: unknown): unknown =>
    Array.isArray(value)
      ? value.map(canonical)
      : value && typeof value === 'object'
        ? Object.fromEntries(
            Object.keys(value)
              .sort()
              .map((k) => [k, canonical((value as Record<string, unknown>)[k])]),
          )
        : value;
  return createHash('sha256')
    .update(JSON.stringify(parts.map(canonical)))
    .digest('hex');
}

export function checkIdempotencyKey(key: string, parameter = 'Idempotency-Key'): void {
  if (key.length === 0 || key.length > 255 || /[^\x21-\x7e]/.test(key)) {
    throw invalidArgument(`${parameter} must be 1 to 255 visible ASCII characters`, { parameter });
  }
}

const inProgress = (parameter: string) =>
  new DomainError('IDEMPOTENCY_IN_PROGRESS', 'A request with this Idempotency-Key is still in progress; retry later', {
    parameter,
  });

/**
 * Idempotency keys for mutations (REST `Idempotency-Key` header, GraphQL `idempotencyKey` argument): the
 * first request with a key claims it and runs; the same key with the same payload replays the stored
 * outcome without running again, even while the first is still running (the second waits, then answers
 * 409); the same key with another payload is refused. Keys are per token and expire after 24 hours.
 *
 * At most once: the claim is a lease the running request renews, so a slow request is never taken over;
 * only a claim whose process is gone (lease lapsed) and that committed no write may be claimed again. The
 * write's own transaction marks the key committed (fenced by the claim id: a lost claim rolls the write
 * back), so a crash between the commit and storing the response cannot run the write twice.
 */
export function createIdempotencyService(db: Queryable, options: { waitMs?: number; leaseMs?: number } = {}) {
  /** Tests may shorten these. */
  const timing = { waitMs: options.waitMs ?? 30_000, leaseMs: options.leaseMs ?? 30_000 };

  async function begin(tokenId: string, key: string, hash: string, parameter = 'Idempotency-Key'): Promise<Begun> {
    checkIdempotencyKey(key, parameter);
    const deadline = Date.now() + timing.waitMs;
    for (;;) {
      const id = newId('idempotency');
      if (
        await claimKey(db, { id, tokenId, key, requestHash: hash, ttlMs: IDEMPOTENCY_TTL_MS, leaseMs: timing.leaseMs })
      ) {
        return { replayed: false, claim: ownedClaim(id) };
      }
      const existing = await readKey(db, tokenId, key);
      if (!existing) continue; // released between our claim and read: try again
      if (existing.requestHash !== hash) {
        throw conflict(`This ${parameter} was already used with a different request`, { parameter });
      }
      if (existing.statusCode !== null)
        return { replayed: true, outcome: { status: existing.statusCode, body: existing.responseBody } };
      if (existing.committed && existing.leaseLapsed) {
        throw new DomainError(
          'IDEMPOTENCY_RESPONSE_LOST',
          `The request with this ${parameter} was applied, but its response was lost; it is not run again`,
          {
            parameter,
          },
        );
      }
      if (Date.now() > deadline) throw inProgress(parameter);
      await new Promise((resolve) => setTimeout(resolve, WAIT_STEP_MS));
    }
  }

  function ownedClaim(id: string): Claim {
    const renew = setInterval(
      () => void renewLease(db, id, timing.leaseMs).catch(() => undefined),
      Math.max(10, timing.leaseMs / 3),
    );
    renew.unref();
    return {
      async markCommitted(tx) {
        if (!(await markCommitted(tx, id))) {
          throw new DomainError(
            'IDEMPOTENCY_CLAIM_LOST',
            'This request lost its Idempotency-Key to a retry and was not applied',
          );
        }
      },
      async finish(outcome, storable) {
        clearInterval(renew);
        if (outcome && storable) return completeKey(db, id, outcome.status, outcome.body);
        if (await releaseKey(db, id)) return;
        if (outcome) await completeKey(db, id, outcome.status, outcome.body);
      },
    };
  }

  /** Runs `execute` at most once per key (GraphQL); its writes mark the key in their own transactions. */
  async function run(
    tokenId: string,
    key: string,
    hash: string,
    execute: () => Promise<Outcome>,
    parameter = 'idempotencyKey',
  ): Promise<Outcome & { replayed: boolean }> {
    const begun = await begin(tokenId, key, hash, parameter);
    if (begun.replayed) return { ...begun.outcome, replayed: true };
    let outcome: Outcome;
    try {
      outcome = await withCommitScope({ beforeCommit: begun.claim.markCommitted }, execute);
    } catch (error) {
      await begun.claim.finish(undefined, false).catch(() => undefined);
      throw error;
    }
    await begun.claim.finish(outcome, true);
    return { ...outcome, replayed: false };
  }

  return { begin, run, timing, purgeExpired: () => purgeExpiredKeys(db) };
}

export type IdempotencyService = ReturnType<typeof createIdempotencyService>;
