import type { Queryable } from '../../db/client.js';
import {
  anyEnabledWebhook,
  claimDueDeliveries,
  datasheetsWithWebhooks,
  enabledWebhooksOf,
  insertDeliveries,
  recordAttempt,
  type ClaimedDelivery,
  type NewDelivery,
} from '../../db/stores/webhook.store.js';
import { DomainError } from '../errors.js';
import type { ChangeFeed, FeedEvent } from '../events/feed.js';
import { newId, randomBase62 } from '../ids.js';
import { postJson, type PostResult } from './http-post.js';
import { deliveryParts, withDeliveryId } from './payload.js';
import type { WebhookSettings } from './settings.js';
import { DELIVERY_HEADER, EVENT_HEADER, SIGNATURE_HEADER, WEBHOOK_HEADER, signatureHeader } from './signature.js';
import type { TargetGuard } from './target-url.js';

/** The feed consumer's name: its position is kept by the feed, so a restart resumes where it stopped. */
export const WEBHOOK_CONSUMER = 'webhooks';

export interface DeliveryDeps {
  db: Queryable;
  feed: ChangeFeed;
  settings: WebhookSettings;
  guard: TargetGuard;
  post?: typeof postJson;
  onError?: (error: unknown) => void;
  /** Told when the server disables a webhook (a log line; never the secret). */
  onDisabled?: (webhookId: string, reason: string) => void;
}

/** Delay before attempt `attempts + 1`: base, doubling per failed attempt, capped. */
export const backoffMs = (settings: Pick<WebhookSettings, 'backoffBaseMs' | 'backoffMaxMs'>, attempts: number) =>
  Math.min(settings.backoffBaseMs * 2 ** Math.min(attempts - 1, 40), settings.backoffMaxMs);

/**
 * Webhook delivery in two steps, both durable. A feed consumer turns events into `webhook_deliveries` rows (one
 * per webhook, event and part; made again after a crash, they are kept once), and a worker POSTs due rows,
 * signed, records each attempt and schedules retries with exponential backoff until the delivery succeeds (2xx)
 * or has used its attempts. Rows are leased, so a delivery has at most one attempt in flight across processes,
 * and pending rows are picked up again after a restart.
 */
export function createWebhookDelivery(deps: DeliveryDeps) {
  const { db, settings } = deps;
  const post = deps.post ?? postJson;
  const onError = deps.onError ?? (() => {});
  // The lease outlives the longest attempt (address check and POST, each bounded by the timeout).
  const leaseMs = settings.timeoutMs * 2 + 10_000;
  const inFlight = new Set<Promise<void>>();
  let timer: NodeJS.Timeout | undefined;
  let busy = false;
  let again = false;
  let stopped = true;
  let consuming = false;
  // Polling (for retries, and for rows another process left) runs only once webhooks are known to exist, so an
  // installation without webhooks sends no statements of its own.
  let webhooksSeen = false;

  async function consume(events: FeedEvent[]): Promise<void> {
    const datasheetIds = [...new Set(events.map((e) => e.datasheetId))];
    const hooks = await enabledWebhooksOf(db, datasheetIds);
    if (hooks.length === 0) return;
    webhooksSeen = true;
    const rows: NewDelivery[] = [];
    for (const event of events) {
      for (const hook of hooks) {
        // A webhook hears of changes made after it was created, of the kinds it asked for.
        if (hook.datasheetId !== event.datasheetId || !hook.events.includes(event.kind)) continue;
        if (new Date(event.at).getTime() < hook.createdAt.getTime()) continue;
        deliveryParts(event, hook.id).forEach((payload, part) =>
          rows.push({
            id: newId('webhookDelivery'),
            webhookId: hook.id,
            eventId: event.id,
            part,
            kind: event.kind,
            payload,
          }),
        );
      }
    }
    await insertDeliveries(db, rows);
    if (rows.length > 0) wake();
  }

  async function attempt(delivery: ClaimedDelivery, token: string): Promise<void> {
    let result: PostResult;
    try {
      const url = new URL(delivery.url);
      const addresses = await withTimeout(deps.guard(url), settings.timeoutMs);
      const body = withDeliveryId(delivery.id, delivery.payload);
      const headers = {
        [SIGNATURE_HEADER]: signatureHeader(delivery.secret, body, Math.floor(Date.now() / 1000)),
        [DELIVERY_HEADER]: delivery.id,
        [EVENT_HEADER]: delivery.kind,
        [WEBHOOK_HEADER]: delivery.webhookId,
      };
      result = await post(url, addresses, body, headers, settings.timeoutMs);
    } catch (error) {
      const message = error instanceof DomainError ? error.message : 'the request could not be sent';
      result = { status: null, snippet: null, error: message };
    }
    const ok = result.status !== null && result.status >= 200 && result.status < 300;
    const retryIn = ok || delivery.attempts >= settings.maxAttempts ? null : backoffMs(settings, delivery.attempts);
    const reason = `Disabled after ${settings.disableAfter} consecutive failed deliveries; the last one: ${result.error ?? 'failed'}`;
    const disabled = await recordAttempt(
      db,
      delivery.id,
      token,
      { ok, status: result.status, error: ok ? null : result.error, snippet: result.snippet },
      retryIn,
      settings.disableAfter,
      reason,
    );
    if (disabled) deps.onDisabled?.(delivery.webhookId, reason);
  }

  async function tick(): Promise<void> {
    if (stopped) return;
    if (busy) {
      again = true;
      return;
    }
    busy = true;
    clearTimeout(timer);
    try {
      do {
        again = false;
        const free = settings.concurrency - inFlight.size;
        if (free <= 0) break;
        const token = randomBase62(16);
        const claimed = await claimDueDeliveries(db, free, token, leaseMs);
        for (const delivery of claimed) {
          const running: Promise<void> = attempt(delivery, token)
            .catch(onError)
            .finally(() => {
              inFlight.delete(running);
              wake();
            });
          inFlight.add(running);
        }
        if (claimed.length === free) again = true;
      } while (again && !stopped);
    } catch (error) {
      onError(error);
    } finally {
      busy = false;
      if (!stopped && (webhooksSeen || inFlight.size > 0))
        timer = setTimeout(() => void tick(), settings.pollMs).unref();
    }
  }

  function wake(): void {
    if (!stopped) setImmediate(() => void tick());
  }

  return {
    consume,
    /** Starts the worker (and registers the feed consumer once); due deliveries left by a stopped process go first. */
    async start(): Promise<void> {
      if (!stopped) return;
      stopped = false;
      if (!consuming)
        // Events of datasheets without an enabled webhook are not read at all (most writes, most installations).
        deps.feed.consume(WEBHOOK_CONSUMER, consume, { datasheets: () => datasheetsWithWebhooks(db) });
      consuming = true;
      webhooksSeen = webhooksSeen || (await anyEnabledWebhook(db));
      await tick();
    },
    /** Stops claiming and waits for the attempts in flight (each bounded by the timeout). */
    async stop(): Promise<void> {
      stopped = true;
      clearTimeout(timer);
      await Promise.all([...inFlight]);
    },
    /** Looks for due deliveries now (tests; a new delivery row wakes the worker by itself). */
    wake,
  };
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('timed out')), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export type WebhookDelivery = ReturnType<typeof createWebhookDelivery>;
