import type { Target } from '../src/domain/access/access.service.js';
import type { Scope as WriteScope } from '../src/domain/context.js';
import { DomainError } from '../src/domain/errors.js';
import { requestHash } from '../src/domain/idempotency/idempotency.service.js';
import type { Scope } from '../src/domain/tokens/scopes.js';
import type { GraphQLContext } from './context.js';

/**
 * Root fields declare their scope once, with `scoped(scope)`: it is stored on the field (the access matrix
 * test reads it from the schema) and `admit` checks it through the shared access gate. The operation as a
 * whole was metered by the cost plugin before any resolver ran.
 */
export const scoped = (scope: Scope) => ({ extensions: { scope } });

export async function admit(ctx: GraphQLContext, scope: Scope, target: Target = {}): Promise<WriteScope> {
  if (!ctx.actor) throw new DomainError('UNAUTHORIZED', 'Unauthorized');
  return ctx.services.access.check(ctx.actor, scope, target);
}

/**
 * Runs a mutation at most once per `idempotencyKey` (per token); a replay returns the stored result.
 * `storable` removes what must never be stored (a new token's secret); replays return that form.
 */
export async function idempotent<T>(
  ctx: GraphQLContext,
  key: string | null | undefined,
  field: string,
  args: unknown,
  run: () => Promise<T>,
  storable: (result: T) => T = (result) => result,
): Promise<T> {
  if (!key || !ctx.actor) return run();
  let fresh: { result: T } | undefined;
  const outcome = await ctx.services.idempotency.run(
    ctx.actor.tokenId,
    key,
    requestHash(['graphql', field, args]),
    async () => {
      fresh = { result: await run() };
      return { status: 200, body: JSON.parse(JSON.stringify(storable(fresh.result))) as unknown };
    },
  );
  return fresh ? fresh.result : (outcome.body as T);
}
