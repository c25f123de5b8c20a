import type { Request } from 'express';
import type { Admission, Target } from '../src/domain/access/access.service.js';
import type { Actor } from '../src/domain/context.js';
import { DomainError, ErrorCode } from '../src/domain/errors.js';
import { isScope } from '../src/domain/tokens/scopes.js';
import { bearerSecret } from '../src/domain/tokens/token.service.js';
import { rateHeaders } from './errors.js';
import { servicesOf } from './ioc.js';
import { idempotencyGate } from './middleware/idempotency.js';

export interface RequestAccess extends Admission {
  actor: Actor;
}

/**
 * tsoa's hook for `@Security('bearer', [scope])`, run before parameters are validated, in the reference's
 * order (§1.6): the `Bearer ` prefix (exactly), the token, then the shared access gate (rate bucket and
 * quota, scope, datasheet restriction, role, target space) over the route's path parameters; then the
 * request's Idempotency-Key, if any (a replay is sent from here and the route does not run).
 */
export async function expressAuthentication(request: Request, securityName: string, scopes: string[] = []): Promise<RequestAccess> {
  const services = servicesOf(request);
  const actor = await authenticate(request, securityName).catch(async (error: unknown) => {
    // Failed authentications count per client address: past the limit they answer 429 instead of 401.
    if (error instanceof DomainError && error.code === ErrorCode.UNAUTHORIZED) await services.access.meterAddress(request.socket.remoteAddress);
    throw error;
  });
  const scope = scopes[0];
  if (!scope || !isScope(scope)) throw new Error(`route ${request.path} declares no known scope`);
  const admission = await services.access.admit(actor, scope, targetOf(request));
  if (admission.rate) request.res?.set(rateHeaders(admission.rate));
  // Idempotency-Key: looked up only now, so a replay is authenticated, authorized and metered like a run.
  await idempotencyGate(request, actor.tokenId);
  return { ...admission, actor };
}

async function authenticate(request: Request, securityName: string) {
  const secret = bearerSecret(request.headers.authorization);
  if (securityName !== 'bearer' || secret === undefined) throw new DomainError(ErrorCode.UNAUTHORIZED, 'Unauthorized');
  return servicesOf(request).tokens.authenticate(secret);
}

/** What the route's path names: a space, a datasheet (also a `dst…` node id), as the reference's limiter reads it. */
function targetOf(request: Request): Target {
  const params = request.params as Record<string, string | undefined>;
  const datasheetId = params.datasheetId ?? params.dstId ?? (params.nodeId?.startsWith('dst') ? params.nodeId : undefined);
  return { spaceId: params.spaceId, datasheetId };
}
