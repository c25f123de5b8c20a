/**
 * Webhooks (our extension of the Fusion API). Request values are typed loosely on purpose: the domain checks
 * them and answers code 400 naming the parameter.
 */
export interface WebhookWriteRo {
  /** http(s) URL the deliveries are POSTed to; private, loopback and link-local addresses only when allowed. */
  url?: unknown;
  /** Event kinds to deliver (records.created, records.updated, records.deleted, records.moved, datasheet.updated, datasheet.deleted, field.created, field.updated, field.deleted, view.created, view.updated, view.deleted); default the four records.* kinds. */
  events?: unknown;
  description?: unknown;
  /** Default true; enabling a disabled webhook clears why it was disabled. */
  enabled?: unknown;
}

export interface WebhookVo {
  id: string;
  datasheetId: string;
  url: string;
  events: string[];
  enabled: boolean;
  description: string | null;
  /** Deliveries that failed for good in a row. */
  consecutiveFailures: number;
  /** Why the server disabled the webhook (after repeated failed deliveries); null otherwise. */
  disabledReason: string | null;
  disabledAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface CreatedWebhookVo extends WebhookVo {
  /**
   * Signs every delivery (X-Tablebase-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "<t>.<body>">); shown only now.
   * Null in a replay of an Idempotency-Key: the secret is never stored in clear.
   */
  secret: string | null;
}

export interface WebhookDeliveryVo {
  id: string;
  webhookId: string;
  eventId: string;
  part: number;
  kind: string;
  /** pending, succeeded or failed. */
  status: 'pending' | 'succeeded' | 'failed';
  attempts: number;
  lastError: string | null;
  responseStatus: number | null;
  /** The first characters of the receiver's last answer. */
  responseSnippet: string | null;
  nextAttemptAt: Date | null;
  createdAt: Date;
  completedAt: Date | null;
}

export interface WebhookDeliveryPageVo {
  deliveries: WebhookDeliveryVo[];
  /** Pass as `cursor` for the next (older) page; null on the last page. */
  nextCursor: string | null;
}
