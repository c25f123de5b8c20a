import {
  RECORD_EVENT_KINDS,
  SCHEMA_EVENT_KINDS as ALL_SCHEMA_EVENT_KINDS,
  type FeedEvent,
  type FeedEventKind,
} from '../events/feed.js';

/** Records per delivery: an event touching more is split into parts, each its own delivery (and POST). */
export const RECORDS_PER_DELIVERY = 100;

export { RECORD_EVENT_KINDS };
/** A webhook belongs to a datasheet that exists: it can hear of every schema change but the datasheet's creation. */
const SCHEMA_EVENT_KINDS = ALL_SCHEMA_EVENT_KINDS.filter((kind) => kind !== 'datasheet.created');
export const WEBHOOK_EVENT_KINDS: readonly FeedEventKind[] = [...RECORD_EVENT_KINDS, ...SCHEMA_EVENT_KINDS];

/**
 * One record of a record event: its cells before and after, keyed by field id. Created: `oldValues` null and
 * `newValues` every written cell; updated: the changed cells only, on both sides; deleted: `oldValues` every
 * cell and `newValues` null; moved: both null (the event's `detail` says where to).
 */
export interface WebhookRecordChange {
  recordId: string;
  oldValues: Record<string, unknown> | null;
  newValues: Record<string, unknown> | null;
}

/**
 * The JSON body of a delivery (also documented in README.md, "Webhooks"):
 * `{ deliveryId, webhookId, eventId, sequence, kind, datasheetId, revision, at, actor: { userId, tokenId },
 *    part, parts, records: WebhookRecordChange[], targetId, detail }`.
 * `eventId` is the feed event (several webhooks, and the parts of one event, share it); `deliveryId` is what a
 * receiver deduplicates on. `records` is empty for schema events, whose `targetId` names the field or view.
 */
export interface WebhookBody {
  deliveryId: string;
  webhookId: string;
  eventId: string;
  sequence: string;
  kind: FeedEventKind;
  datasheetId: string;
  revision: number;
  at: string;
  actor: { userId: string | null; tokenId: string | null };
  part: number;
  parts: number;
  records: WebhookRecordChange[];
  targetId: string | null;
  detail: Record<string, unknown>;
}

/** The per-record changes of an event, in the event's record order. */
export function recordChanges(event: FeedEvent): WebhookRecordChange[] {
  const byRecord = new Map<string, WebhookRecordChange>();
  const created = event.kind === 'records.created';
  const deleted = event.kind === 'records.deleted';
  for (const recordId of event.recordIds) {
    byRecord.set(recordId, {
      recordId,
      oldValues: created || event.kind === 'records.moved' ? null : {},
      newValues: deleted || event.kind === 'records.moved' ? null : {},
    });
  }
  for (const c of event.changes) {
    let change = byRecord.get(c.recordId);
    if (!change) {
      change = { recordId: c.recordId, oldValues: created ? null : {}, newValues: deleted ? null : {} };
      byRecord.set(c.recordId, change);
    }
    if (change.oldValues) change.oldValues[c.fieldId] = c.oldValue ?? null;
    if (change.newValues) change.newValues[c.fieldId] = c.newValue ?? null;
  }
  return [...byRecord.values()];
}

/**
 * The bodies of one event for one webhook, without `deliveryId` (added in front when sending), as JSON text:
 * one part per RECORDS_PER_DELIVERY records (one part for schema events).
 */
export function deliveryParts(event: FeedEvent, webhookId: string): string[] {
  const records = event.kind.startsWith('records.') ? recordChanges(event) : [];
  const parts = Math.max(1, Math.ceil(records.length / RECORDS_PER_DELIVERY));
  return Array.from({ length: parts }, (_, i) => {
    const body: Omit<WebhookBody, 'deliveryId'> = {
      webhookId,
      eventId: event.id,
      sequence: event.sequence,
      kind: event.kind,
      datasheetId: event.datasheetId,
      revision: event.revision,
      at: new Date(event.at).toISOString(),
      actor: { userId: event.actorId, tokenId: event.tokenId },
      part: i + 1,
      parts,
      records: records.slice(i * RECORDS_PER_DELIVERY, (i + 1) * RECORDS_PER_DELIVERY),
      targetId: event.targetId,
      detail: event.detail,
    };
    return JSON.stringify(body);
  });
}

/** The body sent: the stored part with the delivery id first. */
export const withDeliveryId = (deliveryId: string, payload: string) =>
  `{"deliveryId":${JSON.stringify(deliveryId)},${payload.slice(1)}`;
