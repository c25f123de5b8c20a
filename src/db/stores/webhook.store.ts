import type { Queryable } from '../client.js';

const NOW = `(now() AT TIME ZONE 'UTC')`;
const ms = (param: string) => `make_interval(secs => ${param}::float8 / 1000)`;

export interface WebhookTarget {
  id: string;
  datasheetId: string;
  events: string[];
  createdAt: Date;
}

/** Enabled webhooks of these datasheets. */
export async function enabledWebhooksOf(q: Queryable, datasheetIds: string[]): Promise<WebhookTarget[]> {
  const rows = await q.query<{ id: string; datasheet_id: string; events: string[]; created_at: Date }>(
    `SELECT id, datasheet_id, events, created_at FROM webhooks WHERE enabled AND datasheet_id = ANY($1::text[])`,
    [datasheetIds],
  );
  return rows.map((r) => ({
    id: r.id,
    datasheetId: r.datasheet_id,
    events: r.events,
    createdAt: new Date(r.created_at),
  }));
}

/** The datasheets that have an enabled webhook (the only ones whose feed events the delivery consumer reads). */
export async function datasheetsWithWebhooks(q: Queryable): Promise<string[]> {
  const rows = await q.query<{ datasheet_id: string }>('SELECT DISTINCT datasheet_id FROM webhooks WHERE enabled');
  return rows.map((r) => r.datasheet_id);
}

/** Whether any webhook is enabled (a worker with none seen polls for nothing). */
export async function anyEnabledWebhook(q: Queryable): Promise<boolean> {
  const [row] = await q.query<{ any: boolean }>(`SELECT EXISTS (SELECT 1 FROM webhooks WHERE enabled) AS any`);
  return Boolean(row?.any);
}

export interface NewDelivery {
  id: string;
  webhookId: string;
  eventId: string;
  part: number;
  kind: string;
  payload: string;
}

/** One statement for a batch; a delivery made before (the feed hands an event again after a crash) is kept as is. */
export async function insertDeliveries(q: Queryable, rows: NewDelivery[]): Promise<void> {
  if (rows.length === 0) return;
  await q.query(
    `INSERT INTO webhook_deliveries (id, webhook_id, event_id, part, kind, payload, next_attempt_at, created_at)
     SELECT id, webhook_id, event_id, part, kind, payload, ${NOW}, ${NOW}
     FROM unnest($1::text[], $2::text[], $3::text[], $4::int[], $5::text[], $6::text[])
       AS t(id, webhook_id, event_id, part, kind, payload)
     ON CONFLICT (webhook_id, event_id, part) DO NOTHING`,
    [
      rows.map((r) => r.id),
      rows.map((r) => r.webhookId),
      rows.map((r) => r.eventId),
      rows.map((r) => r.part),
      rows.map((r) => r.kind),
      rows.map((r) => r.payload),
    ],
  );
}

export interface ClaimedDelivery {
  id: string;
  webhookId: string;
  kind: string;
  payload: string;
  /** Including this one. */
  attempts: number;
  url: string;
  secret: string;
}

/**
 * Leases up to `limit` due deliveries of enabled webhooks to `token` for `leaseMs` and counts the attempt. A
 * delivery is leased to one worker at a time (SKIP LOCKED, and the lease outlives the attempt's timeout), so at
 * most one attempt of a delivery is in flight, across processes too; a lease left by a dead process lapses.
 */
export async function claimDueDeliveries(
  q: Queryable,
  limit: number,
  token: string,
  leaseMs: number,
): Promise<ClaimedDelivery[]> {
  const rows = await q.query<{
    id: string;
    webhook_id: string;
    kind: string;
    payload: string;
    attempts: number;
    url: string;
    secret: string;
  }>(
    `WITH due AS (
       SELECT d.id FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id
       WHERE d.status = 'pending' AND d.next_attempt_at <= ${NOW} AND w.enabled
         AND (d.lease_expires_at IS NULL OR d.lease_expires_at < ${NOW})
       ORDER BY d.next_attempt_at, d.created_at, d.part
       LIMIT $1
       FOR UPDATE OF d SKIP LOCKED
     )
     UPDATE webhook_deliveries d
       SET lease_token = $2, lease_expires_at = ${NOW} + ${ms('$3')}, attempts = d.attempts + 1
     FROM due, webhooks w
     WHERE d.id = due.id AND w.id = d.webhook_id
     RETURNING d.id, d.webhook_id, d.kind, d.payload, d.attempts, w.url, w.secret`,
    [limit, token, leaseMs],
  );
  return rows.map((r) => ({
    id: r.id,
    webhookId: r.webhook_id,
    kind: r.kind,
    payload: r.payload,
    attempts: Number(r.attempts),
    url: r.url,
    secret: r.secret,
  }));
}

export interface AttemptOutcome {
  ok: boolean;
  status: number | null;
  error: string | null;
  snippet: string | null;
}

/**
 * Records an attempt of a delivery this worker still holds (its lease token): succeeded, retried after
 * `retryInMs`, or failed for good (`retryInMs` null). A success resets the webhook's failure count; a delivery
 * failed for good adds one, and past `disableAfter` disables the webhook with `reason`. Returns whether the
 * webhook was disabled now.
 */
export async function recordAttempt(
  q: Queryable,
  deliveryId: string,
  token: string,
  outcome: AttemptOutcome,
  retryInMs: number | null,
  disableAfter: number,
  reason: string,
): Promise<boolean> {
  const status = outcome.ok ? 'succeeded' : retryInMs === null ? 'failed' : 'pending';
  const [done] = await q.query<{ webhook_id: string }>(
    `UPDATE webhook_deliveries
       SET status = $3, lease_token = NULL, lease_expires_at = NULL, response_status = $4, last_error = $5,
           response_snippet = $6, next_attempt_at = CASE WHEN $7::float8 IS NULL THEN next_attempt_at ELSE ${NOW} + ${ms('$7')} END,
           completed_at = CASE WHEN $3 = 'pending' THEN NULL ELSE ${NOW} END
     WHERE id = $1 AND lease_token = $2
     RETURNING webhook_id`,
    [deliveryId, token, status, outcome.status, outcome.error, outcome.snippet, retryInMs],
  );
  if (!done || status === 'pending') return false;
  if (status === 'succeeded') {
    await q.query(`UPDATE webhooks SET consecutive_failures = 0 WHERE id = $1 AND consecutive_failures <> 0`, [
      done.webhook_id,
    ]);
    return false;
  }
  const [hook] = await q.query<{ disabled: boolean }>(
    `UPDATE webhooks SET consecutive_failures = consecutive_failures + 1,
       enabled = CASE WHEN consecutive_failures + 1 >= $2 THEN false ELSE enabled END,
       disabled_reason = CASE WHEN enabled AND consecutive_failures + 1 >= $2 THEN $3 ELSE disabled_reason END,
       disabled_at = CASE WHEN enabled AND consecutive_failures + 1 >= $2 THEN ${NOW} ELSE disabled_at END
     WHERE id = $1
     RETURNING (disabled_at = ${NOW}) AS disabled`,
    [done.webhook_id, disableAfter, reason],
  );
  return Boolean(hook?.disabled);
}
