import { asQueryable, type PrismaClient } from '../../db/client.js';
import type { AuditService } from '../audit/audit.service.js';
import type { Scope } from '../context.js';
import { DomainError, invalidArgument } from '../errors.js';
import type { FeedEventKind } from '../events/feed.js';
import { newId } from '../ids.js';
import { MAX_WEBHOOKS_PER_DATASHEET } from '../limits.js';
import { storableTextProblem } from '../text.js';
import type { ActingAs } from '../tokens/token.service.js';
import { RECORD_EVENT_KINDS, WEBHOOK_EVENT_KINDS } from './payload.js';
import { newWebhookSecret } from './signature.js';
import { parseTargetUrl, type TargetGuard } from './target-url.js';

export const MAX_DESCRIPTION_LENGTH = 1_000;

/** A webhook as the APIs show it: never its secret (shown once, by create). */
export interface WebhookVo {
  id: string;
  datasheetId: string;
  url: string;
  events: FeedEventKind[];
  enabled: boolean;
  description: string | null;
  /** Deliveries that failed for good in a row (reset by a success, and by enabling the webhook). */
  consecutiveFailures: number;
  /** Why the server disabled the webhook; null while enabled or when a user disabled it. */
  disabledReason: string | null;
  disabledAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

/** A webhook's settings as written, typed loosely on purpose: the service checks them, naming the parameter. */
export interface WebhookInput {
  /** http(s) URL the deliveries are POSTed to; private, loopback and link-local addresses only when allowed. */
  url?: unknown;
  /** Event kinds to deliver (records.created, records.updated, records.deleted, records.moved, datasheet.updated, datasheet.deleted, field.created, field.updated, field.deleted, view.created, view.updated, view.deleted); default the four records.* kinds. */
  events?: unknown;
  description?: unknown;
  /** Default true; enabling a disabled webhook clears why it was disabled. */
  enabled?: unknown;
}

/** One delivery of one event (or one part of a bulk event) to a webhook. */
export interface WebhookDeliveryVo {
  id: string;
  webhookId: string;
  eventId: string;
  part: number;
  kind: string;
  /** pending (waiting for its first or next attempt), succeeded or failed (every attempt failed). */
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

const notFound = () =>
  new DomainError('WEBHOOK_NOT_FOUND', "Can't find the specified webhook", { parameter: 'webhookId' });

type Row = Awaited<ReturnType<PrismaClient['webhook']['findFirstOrThrow']>>;
const toVo = (r: Row): WebhookVo => ({
  id: r.id,
  datasheetId: r.datasheetId,
  url: r.url,
  events: r.events as FeedEventKind[],
  enabled: r.enabled,
  description: r.description,
  consecutiveFailures: r.consecutiveFailures,
  disabledReason: r.disabledReason,
  disabledAt: r.disabledAt,
  createdAt: r.createdAt,
  updatedAt: r.updatedAt,
});

/**
 * Webhooks of a datasheet: made, listed, changed and deleted by admins (`webhooks:manage`); the target URL is
 * checked against the allow list when saved (and again before each delivery, by the worker).
 */
export function createWebhookService(deps: { prisma: PrismaClient; audit: AuditService; guard: TargetGuard }) {
  const { prisma } = deps;

  async function checkedUrl(value: unknown): Promise<string> {
    const url = parseTargetUrl(value);
    await deps.guard(url);
    return url.toString();
  }

  async function find(scope: Scope, datasheetId: string, webhookId: string): Promise<Row> {
    const row = await prisma.webhook.findFirst({ where: { id: webhookId, datasheetId, spaceId: scope.spaceId } });
    if (!row) throw notFound();
    return row;
  }

  const audited =
    (tx: Parameters<Parameters<PrismaClient['$transaction']>[0]>[0], scope: Scope, by: ActingAs) =>
    (action: string, row: { id: string; datasheetId: string }, detail: Record<string, unknown> = {}) =>
      deps.audit.recordIn(asQueryable(tx), {
        spaceId: scope.spaceId,
        actorId: by.userId,
        tokenId: by.tokenId,
        requestId: by.requestId ?? null,
        action,
        targetType: 'webhook',
        targetId: row.id,
        detail: { datasheetId: row.datasheetId, ...detail },
      });

  return {
    /** Makes a webhook; the answer carries its signing secret, which no later answer shows. */
    async create(scope: Scope, datasheetId: string, input: WebhookInput, by: ActingAs) {
      const url = await checkedUrl(input.url);
      const events = eventsOf(input.events ?? [...RECORD_EVENT_KINDS]);
      const description = descriptionOf(input.description ?? null);
      const enabled = booleanOf(input.enabled ?? true, 'enabled');
      const secret = newWebhookSecret();
      const row = await prisma.$transaction(async (tx) => {
        if ((await tx.webhook.count({ where: { datasheetId } })) >= MAX_WEBHOOKS_PER_DATASHEET) {
          throw new DomainError('WEBHOOK_LIMIT', `A datasheet has at most ${MAX_WEBHOOKS_PER_DATASHEET} webhooks`, {
            parameter: 'datasheetId',
            limit: MAX_WEBHOOKS_PER_DATASHEET,
          });
        }
        const row = await tx.webhook.create({
          data: {
            id: newId('webhook'),
            spaceId: scope.spaceId,
            datasheetId,
            url,
            events,
            secret,
            enabled,
            description,
            createdBy: scope.userId,
          },
        });
        await audited(tx, scope, by)('webhook.created', row, { url, events });
        return row;
      });
      return { webhook: toVo(row), secret };
    },

    async list(scope: Scope, datasheetId: string): Promise<WebhookVo[]> {
      const rows = await prisma.webhook.findMany({
        where: { datasheetId, spaceId: scope.spaceId },
        orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
      });
      return rows.map(toVo);
    },

    get: async (scope: Scope, datasheetId: string, webhookId: string) =>
      toVo(await find(scope, datasheetId, webhookId)),

    /** The datasheet of a webhook of the caller's space (to admit a call naming only the webhook). */
    async datasheetOf(scope: Scope, webhookId: string): Promise<string> {
      const row = await prisma.webhook.findFirst({ where: { id: webhookId, spaceId: scope.spaceId } });
      if (!row) throw notFound();
      return row.datasheetId;
    },

    /** Changes what is given; enabling a webhook clears why it was disabled and its failure count. */
    async update(scope: Scope, datasheetId: string, webhookId: string, input: WebhookInput, by: ActingAs) {
      const data: Record<string, unknown> = {};
      if (input.url !== undefined) data.url = await checkedUrl(input.url);
      if (input.events !== undefined) data.events = eventsOf(input.events);
      if (input.description !== undefined) data.description = descriptionOf(input.description);
      if (input.enabled !== undefined) {
        const enabled = booleanOf(input.enabled, 'enabled');
        Object.assign(data, { enabled, disabledReason: null, disabledAt: null });
        if (enabled) data.consecutiveFailures = 0;
      }
      const row = await prisma.$transaction(async (tx) => {
        const found = await tx.webhook.findFirst({ where: { id: webhookId, datasheetId, spaceId: scope.spaceId } });
        if (!found) throw notFound();
        const row = await tx.webhook.update({ where: { id: webhookId }, data: { ...data, updatedAt: new Date() } });
        await audited(tx, scope, by)('webhook.updated', row, { changed: Object.keys(data) });
        return row;
      });
      return toVo(row);
    },

    /** Deletes a webhook with its delivery log; pending deliveries are not sent. */
    async remove(scope: Scope, datasheetId: string, webhookId: string, by: ActingAs): Promise<void> {
      await prisma.$transaction(async (tx) => {
        const { count } = await tx.webhook.deleteMany({
          where: { id: webhookId, datasheetId, spaceId: scope.spaceId },
        });
        if (count === 0) throw notFound();
        await audited(tx, scope, by)('webhook.deleted', { id: webhookId, datasheetId });
      });
    },

    /** A webhook's deliveries, newest first; `after` is a previous page's `nextCursor`. */
    async deliveries(
      scope: Scope,
      datasheetId: string,
      webhookId: string,
      options: { limit?: number; after?: string | null; names?: { limit: string; after: string } } = {},
    ): Promise<{ deliveries: WebhookDeliveryVo[]; nextCursor: string | null }> {
      await find(scope, datasheetId, webhookId);
      const limit = options.limit ?? 50;
      const names = options.names ?? { limit: 'first', after: 'after' };
      if (!Number.isInteger(limit) || limit < 1 || limit > 1000)
        throw invalidArgument(`${names.limit} must be an integer from 1 to 1000`, { parameter: names.limit });
      const cursor = cursorOf(options.after ?? null, names.after);
      const rows = await prisma.webhookDelivery.findMany({
        where: {
          webhookId,
          ...(cursor
            ? { OR: [{ createdAt: { lt: cursor.at } }, { createdAt: cursor.at, id: { lt: cursor.id } }] }
            : {}),
        },
        orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
        take: limit + 1,
      });
      const page = rows.slice(0, limit).map(
        (r): WebhookDeliveryVo => ({
          id: r.id,
          webhookId: r.webhookId,
          eventId: r.eventId,
          part: r.part + 1,
          kind: r.kind,
          status: r.status as WebhookDeliveryVo['status'],
          attempts: r.attempts,
          lastError: r.lastError,
          responseStatus: r.responseStatus,
          responseSnippet: r.responseSnippet,
          nextAttemptAt: r.status === 'pending' ? r.nextAttemptAt : null,
          createdAt: r.createdAt,
          completedAt: r.completedAt,
        }),
      );
      const last = page.at(-1);
      const nextCursor =
        rows.length > limit && last
          ? Buffer.from(`${last.createdAt.toISOString()}|${last.id}`).toString('base64url')
          : null;
      return { deliveries: page, nextCursor };
    },
  };
}

export type WebhookService = ReturnType<typeof createWebhookService>;

function eventsOf(value: unknown): FeedEventKind[] {
  const message = `events must be a non-empty list of: ${WEBHOOK_EVENT_KINDS.join(', ')}`;
  if (!Array.isArray(value) || value.length === 0) throw invalidArgument(message, { parameter: 'events' });
  for (const [i, kind] of value.entries()) {
    if (!WEBHOOK_EVENT_KINDS.includes(kind as FeedEventKind))
      throw invalidArgument(`events[${i}] ${JSON.stringify(kind)} is not an event kind; ${message}`, {
        parameter: `events[${i}]`,
      });
  }
  return [...new Set(value as FeedEventKind[])];
}

function descriptionOf(value: unknown): string | null {
  if (value === null) return null;
  if (typeof value !== 'string') throw invalidArgument('description must be a string', { parameter: 'description' });
  if (value.length > MAX_DESCRIPTION_LENGTH)
    throw invalidArgument(`description must be at most ${MAX_DESCRIPTION_LENGTH} characters`, {
      parameter: 'description',
    });
  const problem = storableTextProblem(value);
  if (problem) throw invalidArgument(`description ${problem}`, { parameter: 'description' });
  return value;
}

function booleanOf(value: unknown, parameter: string): boolean {
  if (typeof value !== 'boolean') throw invalidArgument(`${parameter} must be true or false`, { parameter });
  return value;
}

function cursorOf(value: string | null, parameter: string): { at: Date; id: string } | null {
  if (value === null) return null;
  const [at, id] = Buffer.from(value, 'base64url').toString('utf8').split('|');
  const date = new Date(at ?? '');
  if (!id || Number.isNaN(date.getTime()))
    throw invalidArgument(`${parameter} is not a cursor this list answered`, { parameter });
  return { at: date, id };
}
