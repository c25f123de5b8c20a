import type { NextFunction, Request, Response } from 'express';
import { setAuthorToken } from '../src/domain/events/author.js';
import type { Target } from '../src/domain/access/access.service.js';
import type { Actor } from '../src/domain/context.js';
import { DomainError } from '../src/domain/errors.js';
import { isScope } from '../src/domain/tokens/scopes.js';
import { bearerSecret } from '../src/domain/tokens/token.service.js';
import { rateHeaders } from './errors.js';
import { servicesOf, type RequestAccess } from './ioc.js';
import { idempotencyGate } from './middleware/idempotency.js';

const unauthorized = () => new DomainError('UNAUTHORIZED', 'Unauthorized');

/** One token lookup per request, whoever asks first (the early check, idempotency, the route's security). */
const actors = new WeakMap<Request, Promise<Actor>>();

/**
 * The caller behind the request's `Authorization: Bearer <token>`; refused as UNAUTHORIZED without a valid one
 * (as RATE_LIMITED once the client address has failed too often).
 */
export function actorOf(request: Request): Promise<Actor> {
  let actor = actors.get(request);
  if (!actor) {
    const secret = bearerSecret(request.headers.authorization);
    const services = servicesOf(request);
    actor = (secret === undefined ? Promise.reject(unauthorized()) : services.tokens.authenticate(secret)).catch(
      async (error: unknown) => {
        // Failed authentications count per client address: past the limit they answer 429 instead of 401.
        if (error instanceof DomainError && error.code === 'UNAUTHORIZED')
          await services.access.meterAddress(request.socket.remoteAddress);
        throw error;
      },
    );
    actors.set(request, actor);
  }
  return actor;
}

/**
 * Routes of the Fusion router that take no token: the pre-signed upload (its URL is the credential), the
 * public embed routes (the link id is), and the OpenAPI document and console.
 */
function isPublic(req: Request): boolean {
  const path = req.path.toLowerCase();
  return (
    (req.method === 'PUT' && path.startsWith('/v1/uploads/')) ||
    (req.method === 'GET' && path.startsWith('/v1/exports/')) ||
    path === '/v1/embed' ||
    path.startsWith('/v1/embed/') ||
    path === '/v1/openapi.json' ||
    path === '/docs' ||
    path.startsWith('/docs/')
  );
}

/**
 * Authenticates every request that needs a token before its body is read, so that a request without a valid
 * token is refused (401) without parsing or inflating what it sends; the caller is kept for the route's own
 * security check. The refusal closes the connection when the body was not read, rather than draining it.
 */
export function authenticateFirst(req: Request, res: Response, next: NextFunction): void {
  if (isPublic(req)) return next();
  actorOf(req).then(
    () => next(),
    (error: unknown) => {
      if (!req.complete) res.set('Connection', 'close');
      next(error);
    },
  );
}

/**
 * tsoa's hook for `@Security('bearer', [scope])`, run before parameters are validated, in the reference's
 * order (§1.6): the `Bearer ` prefix (exactly), the token, then the shared access gate (rate bucket and
 * quota, scope, datasheet restriction, role, target space) over the route's path parameters; then the
 * request's Idempotency-Key, if any (a replay is sent from here and the route does not run).
 */
export async function expressAuthentication(
  request: Request,
  securityName: string,
  scopes: string[] = [],
): Promise<RequestAccess> {
  if (securityName !== 'bearer') throw unauthorized();
  const services = servicesOf(request);
  const actor = await actorOf(request);
  const scope = scopes[0];
  if (!scope || !isScope(scope)) throw new Error(`route ${request.path} declares no known scope`);
  const admission = await services.access.admit(actor, scope, targetOf(request));
  if (admission.rate) request.res?.set(rateHeaders(admission.rate));
  setAuthorToken(actor.tokenId);
  // Idempotency-Key: looked up only now, so a replay is authenticated, authorized and metered like a run.
  await idempotencyGate(request, actor.tokenId);
  return { ...admission, actor };
}

/** What the route's path names: a space, a datasheet (also a `dst…` node id), as the reference's limiter reads it. */
function targetOf(request: Request): Target {
  const params = request.params as Record<string, string | undefined>;
  const datasheetId =
    params.datasheetId ?? params.dstId ?? (params.nodeId?.startsWith('dst') ? params.nodeId : undefined);
  return { spaceId: params.spaceId, datasheetId };
}
