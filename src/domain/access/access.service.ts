import type { Queryable } from '../../db/client.js';
import { datasheetSpace } from '../../db/stores/access.store.js';
import type { Actor, Scope as WriteScope } from '../context.js';
import { datasheetNotFound } from '../datasheets/schema.js';
import { DomainError } from '../errors.js';
import type { Plan } from '../spaces/plans.js';
import type { Scope } from '../tokens/scopes.js';
import { roleAllows } from './permissions.js';
import { canReach } from './reach.js';

/** What a request touches, as far as its route or arguments say. */
export interface Target {
  spaceId?: string | undefined;
  datasheetId?: string | undefined;
}

export interface RateDecision {
  allowed: boolean;
  limit: number;
  remaining: number;
  resetMs: number;
  retryAfterSeconds: number;
}

/** The rate-limit store, injected (in-memory or Redis; src/ratelimit). */
export interface Limiter {
  consume(bucket: string, plan: Plan, points?: number): Promise<RateDecision>;
  consumeToken(tokenId: string, plan: Plan): Promise<RateDecision>;
  consumeAddress(address: string): Promise<RateDecision>;
  consumeGraphql(tokenId: string, plan: Plan, cost: number): Promise<RateDecision>;
  consumeQuota(
    spaceId: string,
    plan: Plan,
  ): Promise<{ allowed: boolean; limit: number | null; remaining: number | null }>;
}

export interface Admission {
  /** Pass to domain services: the space the request acts in and its author. */
  scope: WriteScope;
  /** The rate decision of this request, for response headers (absent when limits are off). */
  rate?: RateDecision;
}

/** The reference's bucket: per token and datasheet, else per token and space, else per token (§4). */
const bucketOf = (actor: Actor, target: Target) => `${actor.tokenId}:${target.datasheetId ?? target.spaceId ?? 'user'}`;

const NOT_IN_SPACE =
  'The API token user does not belong to the space, please adjust spaceId or API token and try again';

/**
 * One gate for every transport (REST routes, GraphQL operations and subscriptions): the request counts
 * against its rate bucket and the space's monthly quota, then the token's scopes, its datasheet
 * restriction, the user's role and the target's space are checked. A datasheet of another space, or
 * outside the token's restriction, answers exactly as a missing one.
 */
export function createAccessService(db: Queryable, limiter: Limiter, options: { rateLimits: boolean }) {
  /** Datasheets never change space, so their space is remembered (bounded). */
  const spaceOfDatasheet = new Map<string, string>();

  async function datasheetInSpace(datasheetId: string, spaceId: string): Promise<boolean> {
    let space = spaceOfDatasheet.get(datasheetId);
    if (space === undefined) {
      space = await datasheetSpace(db, datasheetId);
      if (space === undefined) return false;
      if (spaceOfDatasheet.size > 100_000) spaceOfDatasheet.clear();
      spaceOfDatasheet.set(datasheetId, space);
    }
    return space === spaceId;
  }

  async function meter(actor: Actor, target: Target, cost?: number): Promise<RateDecision | undefined> {
    // A REST request counts against its rate bucket whatever the outcome (as the reference), so both
    // counters are asked at once (one trip to a shared store). A GraphQL operation refused by the quota
    // must not spend its cost, so its budget is asked only after the quota allowed it.
    const quotaDecision = limiter.consumeQuota(actor.spaceId, actor.plan);
    // The reference's bucket (per token and datasheet, else space, else token: §4), and the token's overall
    // bucket (a multiple of the plan rate), so N datasheets do not give N times the rate.
    const restRate = options.rateLimits && cost === undefined ? consumeRest(actor, target) : undefined;
    const quota = await quotaDecision;
    if (!quota.allowed) {
      await restRate;
      throw new DomainError('QUOTA_EXCEEDED', 'Access forbidden because your API usage exceeds the monthly rate', {
        limit: quota.limit,
      });
    }
    if (!options.rateLimits) return undefined;
    const rate: RateDecision & { overall?: boolean } = restRate
      ? await restRate
      : await limiter.consumeGraphql(actor.tokenId, actor.plan, cost!);
    if (!rate.allowed) {
      const qps = rate.limit;
      if (rate.overall) {
        throw new DomainError(
          'RATE_LIMITED',
          `The API request rate of this token is ${qps} requests per second over all its datasheets.`,
          { rate },
        );
      }
      throw new DomainError(
        'RATE_LIMITED',
        cost === undefined
          ? `The API request rate for the current space is ${qps} queries per second (QPS). Upgrading the space allows for a higher call frequency. Contact us: sales@aitable.ai.`
          : `The GraphQL budget of this token is ${qps} cost points per second; this operation would exceed it.`,
        { rate },
      );
    }
    return rate;
  }

  /** The refused decision, else the one with the fewest requests left (the headers describe the bucket that binds). */
  /** One point from a REST request's bucket and from its token's overall bucket; the answer of the one that binds. */
  const consumeRest = (actor: Actor, target: Target) =>
    Promise.all([
      limiter.consume(bucketOf(actor, target), actor.plan),
      limiter.consumeToken(actor.tokenId, actor.plan),
    ]).then(tighter);

  function tighter([bucket, overall]: RateDecision[]): RateDecision & { overall?: boolean } {
    if (!bucket!.allowed) return bucket!;
    if (!overall!.allowed || overall!.remaining < bucket!.remaining) return { ...overall!, overall: true };
    return bucket!;
  }

  /**
   * An anonymous GraphQL operation, by the client's address, against the smallest plan's budget: refusing
   * it (it answers UNAUTHORIZED) still costs parsing and validation, so it is rate limited like any other.
   */
  async function meterAnonymous(client: string, cost: number): Promise<void> {
    if (!options.rateLimits) return;
    const rate = await limiter.consumeGraphql(`anonymous:${client}`, 'FREE', cost);
    if (!rate.allowed) {
      throw new DomainError(
        'RATE_LIMITED',
        `The GraphQL budget without a token is ${rate.limit} cost points per second per client; this operation would exceed it.`,
        { rate },
      );
    }
  }

  async function authorize(actor: Actor, scope: Scope, target: Target): Promise<void> {
    if (target.spaceId !== undefined && target.spaceId !== actor.spaceId) {
      throw new DomainError('FORBIDDEN', NOT_IN_SPACE, { parameter: 'spaceId' });
    }
    if (target.datasheetId !== undefined) {
      if (!canReach(actor, target.datasheetId) || !(await datasheetInSpace(target.datasheetId, actor.spaceId)))
        throw datasheetNotFound(target.datasheetId);
    } else if (
      actor.datasheetIds.length > 0 &&
      scope !== 'spaces:read' &&
      scope !== 'datasheets:read' &&
      scope !== 'records:read'
    ) {
      // A token restricted to datasheets cannot act on the space as a whole (create datasheets, manage tokens, …).
      throw new DomainError(
        'FORBIDDEN',
        'This token is restricted to some datasheets and cannot act on the whole space',
        { scope },
      );
    }
    if (!actor.scopes.includes(scope)) {
      throw new DomainError('FORBIDDEN', `Access forbidden: the token lacks the ${scope} scope`, { scope });
    }
    if (!roleAllows(actor.role, scope)) {
      throw new DomainError('OPERATION_DENIED', 'Operation denied', { scope, role: actor.role });
    }
  }

  return {
    /** Meter then authorize one request (REST route or GraphQL root field). */
    async admit(
      actor: Actor,
      scope: Scope,
      target: Target = {},
      options: { graphqlCost?: number } = {},
    ): Promise<Admission> {
      const rate = await meter(actor, target, options.graphqlCost);
      await authorize(actor, scope, target);
      return { scope: scopeOf(actor), ...(rate ? { rate } : {}) };
    },
    /** Authorize without metering (a field inside an operation that was already metered). */
    async check(actor: Actor, scope: Scope, target: Target = {}): Promise<WriteScope> {
      await authorize(actor, scope, target);
      return scopeOf(actor);
    },
    /** Meter only (a whole GraphQL operation by its cost). */
    meter,
    /**
     * One more point from an admitted REST request's bucket, for an answer metered by its size (pageSize=-1: one
     * per page of rows after the first). While the bucket is spent this waits for its next window, so a long answer
     * goes at the plan's rate and other requests of the token wait their turn (until `signal` says the caller left).
     */
    async spend(actor: Actor, target: Target, signal?: AbortSignal): Promise<void> {
      if (!options.rateLimits) return;
      while (!signal?.aborted) {
        const rate = await consumeRest(actor, target);
        if (rate.allowed) return;
        await new Promise((resolve) => setTimeout(resolve, Math.max(rate.resetMs, 10)));
      }
    },
    /**
     * One request from a client address where no token is metered: upload URLs, attachment downloads,
     * unknown embed link ids and failed authentications (so guessing capabilities or tokens is slow).
     */
    async meterAddress(address: string | undefined): Promise<void> {
      if (!options.rateLimits) return;
      const rate = await limiter.consumeAddress(address ?? 'unknown');
      if (!rate.allowed) {
        throw new DomainError(
          'RATE_LIMITED',
          `Too many requests from this address: at most ${rate.limit} per second without a valid token.`,
          { rate },
        );
      }
    },
    meterAnonymous,
  };
}

export type AccessService = ReturnType<typeof createAccessService>;

/** What domain services learn of the actor: its space, its user and, for a restricted token, its datasheets. */
export const scopeOf = (actor: Actor): WriteScope => ({
  spaceId: actor.spaceId,
  userId: actor.userId,
  ...(actor.datasheetIds.length > 0 ? { datasheetIds: [...actor.datasheetIds] } : {}),
});
