import type { NextFunction, Request, Response } from 'express';
import { DomainError } from '../../src/domain/errors.js';
import { requestHash, type Outcome } from '../../src/domain/idempotency/idempotency.service.js';
import { bearerSecret } from '../../src/domain/tokens/token.service.js';
import { actorOf } from '../authentication.js';
import { servicesOf } from '../ioc.js';

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * `Idempotency-Key` on mutating Fusion calls: the first response for a key (per token) is stored; the same
 * key and payload replays it (with `Idempotent-Replayed: true`) without running the route again. Requests
 * without a valid token pass through untouched, to be refused by the route's authentication.
 */
export async function idempotency(req: Request, res: Response, next: NextFunction): Promise<void> {
  const key = req.get('Idempotency-Key');
  const secret = bearerSecret(req.headers.authorization);
  if (!MUTATING.has(req.method) || key === undefined || secret === undefined) return next();
  const services = servicesOf(req);
  let tokenId: string;
  try {
    tokenId = (await actorOf(req)).tokenId;
  } catch (error) {
    if (error instanceof DomainError) return next();
    return next(error);
  }
  try {
    const hash = requestHash([req.method, req.baseUrl + req.path, req.query, req.body ?? null]);
    const outcome = await services.idempotency.run(tokenId, key, hash, () => respondThrough(res, next));
    // The body is stored as the exact text sent, so a replay is byte-identical.
    if (outcome.replayed) res.set('Idempotent-Replayed', 'true').status(outcome.status).type('application/json').send(outcome.body as string);
  } catch (error) {
    next(error);
  }
}

/** Runs the rest of the chain and resolves with the JSON response it sends, as the text sent. */
function respondThrough(res: Response, next: NextFunction): Promise<Outcome> {
  return new Promise((resolve) => {
    res.json = (body: unknown) => {
      const text = JSON.stringify(body);
      resolve({ status: res.statusCode, body: text });
      return res.type('application/json').send(text);
    };
    next();
  });
}
