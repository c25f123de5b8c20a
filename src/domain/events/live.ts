import type { Target } from '../access/access.service.js';
import type { Actor, Scope as WriteScope } from '../context.js';
import { datasheetNotFound } from '../datasheets/schema.js';
import { DomainError, invalidArgument } from '../errors.js';
import type { Scope } from '../tokens/scopes.js';
import type { ChangeFeed, FeedEvent, FeedSubscription } from './feed.js';

/**
 * Live subscriptions to a datasheet's changes (GraphQL subscriptions over WebSocket and SSE, the REST event
 * stream), one registry per process. A subscription is admitted through the same access gate as any read (scope,
 * datasheet restriction, tenancy: another space's datasheet answers as a missing one), counts against its token's
 * limit of open subscriptions, and before each event is delivered the token is authenticated again and the access
 * checked again: the event is delivered only if a check that began after the event was written (or arrived) found
 * the token valid; such checks are shared by every subscription of the token. A timer repeats the check every
 * `recheckMs`, so a revoked or expired token's subscriptions end within that time even when no events flow.
 */
export interface LiveSettings {
  subscriptionsPerToken: number;
  recheckMs: number;
  /** Period of the event streams' heartbeat comments (read by the transport). */
  heartbeatMs: number;
}

export interface LiveDeps {
  feed: ChangeFeed;
  authenticate(secret: string): Promise<Actor>;
  check(actor: Actor, scope: Scope, target: Target): Promise<WriteScope>;
}

/** An open subscription: events in sequence order; `next()` rejects with the DomainError that ended it. */
export interface LiveStream extends AsyncIterableIterator<FeedEvent> {
  /** The token's actor as last checked (fresh for each delivered event). */
  readonly actor: Actor;
}

export interface SubscribeRequest {
  secret: string;
  /** The actor `secret` authenticated to (already checked by the caller's transport). */
  actor: Actor;
  datasheetId: string;
  scope: Scope;
  /** Resume after this sequence (decimal); null: only events committed from now on. */
  after: string | null;
  /** Which events this subscription wants (others are skipped before any check). */
  wants?: (event: FeedEvent) => boolean;
  /** Names the resume argument in an INVALID_ARGUMENT answer (`after`, `Last-Event-ID`). */
  afterParameter?: string;
}

interface TokenState {
  secret: string;
  streams: Set<Stream>;
  lastOk: { startedAt: number; actor: Actor } | undefined;
  inflight: { startedAt: number; promise: Promise<Actor> } | undefined;
}

interface Stream {
  token: TokenState;
  request: SubscribeRequest;
  end(error?: unknown): void;
}

const MAX_QUEUED = 256;
const SEQUENCE = /^(0|[1-9][0-9]{0,18})$/;

export const tokenEnded = () =>
  new DomainError('UNAUTHORIZED', 'The API token was revoked or has expired; the subscription ended');

export function createLiveSubscriptions(deps: LiveDeps, settings: LiveSettings) {
  const tokens = new Map<string, TokenState>();
  let open = 0;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;

  /** The token's actor from a check that began at or after `since` (ms), shared by its subscriptions. */
  async function actorSince(token: TokenState, since: number): Promise<Actor> {
    if (token.lastOk && token.lastOk.startedAt >= since) return token.lastOk.actor;
    if (token.inflight && token.inflight.startedAt >= since) return token.inflight.promise;
    const startedAt = Date.now();
    const promise = deps.authenticate(token.secret).then(
      (actor) => {
        if (!token.lastOk || token.lastOk.startedAt <= startedAt) token.lastOk = { startedAt, actor };
        return actor;
      },
      (error: unknown) => {
        throw error instanceof DomainError && error.code === 'UNAUTHORIZED' ? tokenEnded() : error;
      },
    );
    token.inflight = { startedAt, promise };
    promise.then(
      () => {},
      () => {},
    );
    return promise;
  }

  async function recheck(): Promise<void> {
    for (const token of [...tokens.values()]) {
      try {
        const actor = await actorSince(token, Date.now());
        for (const stream of [...token.streams]) {
          await deps
            .check(actor, stream.request.scope, { datasheetId: stream.request.datasheetId })
            .catch((error: unknown) => {
              if (error instanceof DomainError) stream.end(error);
            });
        }
      } catch (error) {
        // A database that cannot answer now is not a verdict on the token: the next tick asks again.
        if (error instanceof DomainError) for (const stream of [...token.streams]) stream.end(error);
      }
    }
  }

  function register(stream: Stream) {
    open++;
    stream.token.streams.add(stream);
    if (!timer && !closed) timer = setInterval(() => void recheck(), settings.recheckMs).unref();
  }
  function unregister(stream: Stream) {
    if (!stream.token.streams.delete(stream)) return;
    open--;
    if (stream.token.streams.size === 0) tokens.delete(stream.request.actor.tokenId);
    if (open === 0 && timer) {
      clearInterval(timer);
      timer = undefined;
    }
  }

  async function subscribe(request: SubscribeRequest): Promise<LiveStream> {
    if (closed) throw new Error('The server is shutting down');
    const { actor, datasheetId } = request;
    if (request.after !== null && !SEQUENCE.test(request.after))
      throw invalidArgument('The resume point must be a sequence number from an earlier event', {
        parameter: request.afterParameter ?? 'after',
      });
    await deps.check(actor, request.scope, { datasheetId });
    const token: TokenState = tokens.get(actor.tokenId) ?? {
      secret: request.secret,
      streams: new Set(),
      lastOk: { startedAt: Date.now(), actor },
      inflight: undefined,
    };
    if (token.streams.size >= settings.subscriptionsPerToken)
      throw new DomainError(
        'SUBSCRIPTION_LIMIT',
        `This token already has ${settings.subscriptionsPerToken} open subscriptions, the most it may have; close one first`,
        { limit: settings.subscriptionsPerToken },
      );
    tokens.set(actor.tokenId, token);
    return openStream(token, request);
  }

  function openStream(token: TokenState, request: SubscribeRequest): LiveStream {
    const queue: FeedEvent[] = [];
    let current = token.lastOk!.actor;
    let ended: { error?: unknown } | undefined;
    let wake: (() => void) | undefined;
    let space: (() => void) | undefined;
    const signal = () => {
      wake?.();
      wake = undefined;
    };
    const stream: Stream = {
      token,
      request,
      end(error) {
        if (ended) return;
        ended = error === undefined ? {} : { error };
        subscription?.close();
        unregister(stream);
        space?.();
        signal();
      },
    };
    register(stream);
    let subscription: FeedSubscription | undefined;
    subscription = deps.feed.subscribe(
      request.datasheetId,
      request.after,
      async (event) => {
        await deliver(event);
        // A deleted datasheet has no more events: its subscriptions end (after that event) as for a missing one.
        if (event.kind === 'datasheet.deleted') stream.end(datasheetNotFound(request.datasheetId));
      },
      (error) => stream.end(error),
    );
    // The feed may have failed the subscription while it was being made.
    if (ended) subscription.close();
    async function deliver(event: FeedEvent): Promise<void> {
      if (ended || (request.wants && !request.wants(event))) return;
      const arrived = Math.min(Date.now(), event.at.getTime());
      try {
        const actor = await actorSince(token, arrived);
        await deps.check(actor, request.scope, { datasheetId: request.datasheetId });
        current = actor;
      } catch (error) {
        stream.end(error);
        return;
      }
      if (ended) return;
      queue.push(event);
      signal();
      // A slow reader holds up only its own subscription: the feed waits for room in this queue.
      if (queue.length >= MAX_QUEUED) await new Promise<void>((resolve) => (space = resolve));
    }
    const iterator: LiveStream = {
      get actor() {
        return current;
      },
      async next(): Promise<IteratorResult<FeedEvent>> {
        for (;;) {
          const event = queue.shift();
          if (event) {
            if (queue.length < MAX_QUEUED) {
              space?.();
              space = undefined;
            }
            return { value: event, done: false };
          }
          if (ended) {
            if (ended.error !== undefined) {
              const error = ended.error;
              ended = {};
              throw error;
            }
            return { value: undefined, done: true };
          }
          await new Promise<void>((resolve) => (wake = resolve));
        }
      },
      async return(): Promise<IteratorResult<FeedEvent>> {
        stream.end();
        queue.length = 0;
        return { value: undefined, done: true };
      },
      [Symbol.asyncIterator]() {
        return iterator;
      },
    };
    return iterator;
  }

  return {
    subscribe,
    heartbeatMs: settings.heartbeatMs,
    /** Open subscriptions in this process (all tokens). */
    get openCount() {
      return open;
    },
    /** Open subscriptions of one token in this process. */
    openOf(tokenId: string): number {
      return tokens.get(tokenId)?.streams.size ?? 0;
    },
    /** Ends every subscription (server shutdown); later subscribes are refused. */
    close(): void {
      closed = true;
      if (timer) clearInterval(timer);
      timer = undefined;
      for (const token of [...tokens.values()]) for (const stream of [...token.streams]) stream.end();
    },
  };
}

export type LiveSubscriptions = ReturnType<typeof createLiveSubscriptions>;
