import type { NextFunction, Request, Response } from 'express';
import { withCommitScope, type CommitScope } from '../../src/db/commit-scope.js';
import { requestHash, type Claim } from '../../src/domain/idempotency/idempotency.service.js';
import { bearerSecret } from '../../src/domain/tokens/token.service.js';
import { servicesOf } from '../ioc.js';

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** Business codes (in an HTTP 200 envelope) that a retry would get again: validation failures, missing targets. */
const REPLAYABLE_FAILURE_CODES = new Set([301, 400]);

interface PendingKey {
  key: string;
  hash: string;
  /** Transactions opened while the request runs mark the key used (src/db/commit-scope.ts). */
  scope: CommitScope;
  claim?: Claim | undefined;
}

/**
 * `Idempotency-Key` on mutating Fusion calls, first half: remembers the key and the request's hash, runs
 * the rest of the chain inside a commit scope and catches the JSON response it sends. Nothing is looked up
 * here: the key is claimed or replayed by `idempotencyGate`, which the route's authentication calls after
 * the access gate (so replays and waiting duplicates are authenticated, metered and counted).
 */
export function idempotency(req: Request, res: Response, next: NextFunction): void {
  const key = req.get('Idempotency-Key');
  if (!MUTATING.has(req.method) || key === undefined || bearerSecret(req.headers.authorization) === undefined)
    return next();
  const pending: PendingKey = {
    key,
    hash: requestHash([req.method, req.baseUrl + req.path, req.query, req.body ?? null]),
    scope: {},
  };
  res.locals.idempotency = pending;
  const send = res.json.bind(res);
  res.json = (body: unknown) => {
    const claim = pending.claim;
    if (!claim) return send(body);
    pending.claim = undefined;
    pending.scope.beforeCommit = undefined;
    // The body is stored as the exact text sent, so a replay is byte-identical (unless the route gave a form
    // to store, one without a secret shown once); it is stored before the response goes out, so a client that
    // saw the response finds it on retry.
    const text = JSON.stringify(body);
    const stored = res.locals.replayBody === undefined ? text : JSON.stringify(res.locals.replayBody);
    const reply = () => void res.type('application/json').send(text);
    claim.finish({ status: res.statusCode, body: stored }, replayable(res.statusCode, body)).then(reply, reply);
    return res;
  };
  withCommitScope(pending.scope, next);
}

/**
 * What a replay of this request answers instead of the response sent now: for a response that shows a secret
 * once (it is never stored, so a replay shows it as null). Without an Idempotency-Key it does nothing.
 */
export function storeForReplay(req: Request, body: unknown): void {
  if (req.res?.locals.idempotency) req.res.locals.replayBody = body;
}

/**
 * Second half, called by the route's authentication once access is granted: claims the key (the request
 * then runs, and its writes mark the key in their own transactions), or sends the stored response of the
 * first request with this key (`Idempotent-Replayed: true`), or throws (another payload, still running).
 */
export async function idempotencyGate(req: Request, tokenId: string): Promise<void> {
  const res = req.res!;
  const pending = res.locals.idempotency as PendingKey | undefined;
  if (!pending) return;
  const begun = await servicesOf(req).idempotency.begin(tokenId, pending.key, pending.hash);
  if (begun.replayed) {
    res
      .set('Idempotent-Replayed', 'true')
      .status(begun.outcome.status)
      .type('application/json')
      .send(begun.outcome.body as string);
    return;
  }
  pending.claim = begun.claim;
  pending.scope.beforeCommit = begun.claim.markCommitted;
}

/** Only outcomes a retry would get again are replayed: no auth, rate, quota, capacity or server failures. */
function replayable(status: number, body: unknown): boolean {
  if (status < 200 || status >= 300) return false;
  const envelope = body as { success?: unknown; code?: unknown } | null;
  return (
    envelope?.success === true || (typeof envelope?.code === 'number' && REPLAYABLE_FAILURE_CODES.has(envelope.code))
  );
}
