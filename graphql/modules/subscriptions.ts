import { scopeOf } from '../../src/domain/access/access.service.js';
import { DomainError } from '../../src/domain/errors.js';
import type { FeedCellChange, FeedEvent, SchemaEventKind } from '../../src/domain/events/feed.js';
import type { Actor } from '../../src/domain/context.js';
import type { LiveStream } from '../../src/domain/events/live.js';
import type { Scope } from '../../src/domain/tokens/scopes.js';
import { scoped } from '../access.js';
import { builder } from '../builder.js';
import type { GraphQLContext } from '../context.js';
import { createLoaders, type Loaders, type RecordNode } from './loaders.js';
import { MemberRef, RecordRef } from './record.js';

/**
 * Live changes of one datasheet, over graphql-ws (WebSocket at /graphql) or GraphQL over SSE. Each subscription is
 * admitted and then re-checked per event by the domain's live registry (src/domain/events/live.ts); when it ends
 * (token revoked or expired, access withdrawn) the client gets one last result carrying the error, then completion.
 */

/** What the subscription's iterator yields: an event to show, or the error that ended it. */
type Payload = (ShownEvent & { actor: Actor }) | { error: unknown };
interface ShownEvent {
  event: FeedEvent;
  recordIds: string[];
}

const RecordChangeKind = builder.enumType('RecordChangeKind', {
  values: {
    CREATED: { value: 'records.created' },
    UPDATED: { value: 'records.updated' },
    DELETED: { value: 'records.deleted' },
    MOVED: { value: 'records.moved' },
  } as const,
});

const SCHEMA_KINDS = {
  DATASHEET_CREATED: 'datasheet.created',
  DATASHEET_UPDATED: 'datasheet.updated',
  DATASHEET_DELETED: 'datasheet.deleted',
  FIELD_CREATED: 'field.created',
  FIELD_UPDATED: 'field.updated',
  FIELD_DELETED: 'field.deleted',
  VIEW_CREATED: 'view.created',
  VIEW_UPDATED: 'view.updated',
  VIEW_DELETED: 'view.deleted',
} as const satisfies Record<string, SchemaEventKind>;

const DatasheetChangeKind = builder.enumType('DatasheetChangeKind', {
  values: Object.fromEntries(Object.entries(SCHEMA_KINDS).map(([name, value]) => [name, { value }])) as {
    [K in keyof typeof SCHEMA_KINDS]: { value: (typeof SCHEMA_KINDS)[K] };
  },
});

const CellChangeRef = builder.objectRef<FeedCellChange>('RecordCellChange').implement({
  description: 'One changed cell: its value before and after (null on the side that did not exist).',
  fields: (t) => ({
    recordId: t.exposeID('recordId'),
    field: t.exposeID('fieldId', { description: 'The field’s id.' }),
    oldValue: t.field({ type: 'JSON', nullable: true, resolve: (c) => c.oldValue ?? null }),
    newValue: t.field({ type: 'JSON', nullable: true, resolve: (c) => c.newValue ?? null }),
  }),
});

const author = (e: FeedEvent, ctx: GraphQLContext) =>
  e.actorId ? ctx.loaders.member.load(e.actorId).then((m) => m ?? { id: e.actorId!, name: null }) : null;

const RecordChangeEventRef = builder.objectRef<ShownEvent>('RecordChangeEvent').implement({
  description: 'Records created, updated, deleted or moved by one committed change.',
  fields: (t) => ({
    kind: t.field({ type: RecordChangeKind, resolve: (s) => s.event.kind as 'records.created' }),
    sequence: t.string({
      description: 'Position in the datasheet’s change feed; pass it as `after` to resume after this event.',
      resolve: (s) => s.event.sequence,
    }),
    datasheetId: t.id({ resolve: (s) => s.event.datasheetId }),
    recordIds: t.idList({ resolve: (s) => s.recordIds }),
    records: t.field({
      type: [RecordRef],
      description: 'The records’ current values (records that no longer exist here are left out).',
      resolve: async (s, _a, ctx) => {
        const rows = await ctx.loaders.recordRow.loadMany(s.recordIds);
        return rows.filter(
          (r): r is RecordNode => !!r && !(r instanceof Error) && r.datasheetId === s.event.datasheetId,
        );
      },
    }),
    changes: t.field({
      type: [CellChangeRef],
      resolve: (s) => {
        const shown = new Set(s.recordIds);
        return s.event.changes.filter((c) => shown.has(c.recordId));
      },
    }),
    author: t.field({ type: MemberRef, nullable: true, resolve: (s, _a, ctx) => author(s.event, ctx) }),
    at: t.field({ type: 'DateTime', resolve: (s) => s.event.at }),
  }),
});

const DatasheetChangeEventRef = builder.objectRef<ShownEvent>('DatasheetChangeEvent').implement({
  description: 'A change of the datasheet itself, one of its fields or one of its views.',
  fields: (t) => ({
    kind: t.field({ type: DatasheetChangeKind, resolve: (s) => s.event.kind as SchemaEventKind }),
    targetId: t.id({
      description: 'The field or view changed (the datasheet for DATASHEET_* kinds).',
      resolve: (s) => s.event.targetId ?? s.event.datasheetId,
    }),
    sequence: t.string({ resolve: (s) => s.event.sequence }),
    datasheetId: t.id({ resolve: (s) => s.event.datasheetId }),
    author: t.field({ type: MemberRef, nullable: true, resolve: (s, _a, ctx) => author(s.event, ctx) }),
    at: t.field({ type: 'DateTime', resolve: (s) => s.event.at }),
  }),
});

const isRecordEvent = (e: FeedEvent) => e.kind.startsWith('records.');

/**
 * The live stream as the subscription's source; it never throws (an ending error is the last payload). Not an async
 * generator: a generator's `return()` waits for its pending `next()`, so a client leaving would hold the subscription
 * open until the next event; here `return()` ends the stream at once.
 */
function payloads(ctx: GraphQLContext, stream: LiveStream, viewId: string | null): AsyncIterableIterator<Payload> {
  const done = { value: undefined, done: true } as const;
  let finished = false;
  const iterator: AsyncIterableIterator<Payload> = {
    async next(): Promise<IteratorResult<Payload>> {
      while (!finished) {
        let next: IteratorResult<FeedEvent>;
        let recordIds: string[];
        try {
          next = await stream.next();
          if (next.done) break;
          recordIds = next.value.recordIds;
          if (viewId !== null && isRecordEvent(next.value)) {
            const [event, actor] = [next.value, stream.actor];
            // Which of its records are (or were) in the view: one query per event, view and access.
            recordIds = await shared(ctx, `view:${viewId}`, event, actor, () =>
              ctx.services.viewFilter.members(scopeOf(actor), event, viewId),
            );
            if (recordIds.length === 0) continue;
          }
        } catch (error) {
          finished = true;
          await stream.return?.();
          return { value: { error }, done: false };
        }
        return { value: { event: next.value, recordIds, actor: stream.actor }, done: false };
      }
      finished = true;
      return done;
    },
    async return(): Promise<IteratorResult<Payload>> {
      finished = true;
      await stream.return?.();
      return done;
    },
    [Symbol.asyncIterator]: () => iterator,
  };
  return iterator;
}

async function open(
  ctx: GraphQLContext,
  scope: Scope,
  datasheetId: string,
  after: string | null | undefined,
  wants: (e: FeedEvent) => boolean,
  viewId: string | null,
): Promise<AsyncIterableIterator<Payload>> {
  if (!ctx.actor || !ctx.secret) throw new DomainError('UNAUTHORIZED', 'Unauthorized');
  const stream = await ctx.services.live.subscribe({
    secret: ctx.secret,
    actor: ctx.actor,
    datasheetId,
    scope,
    after: after ?? null,
    wants,
  });
  if (viewId !== null) {
    try {
      await ctx.services.viewFilter.check(scopeOf(ctx.actor), datasheetId, viewId);
    } catch (error) {
      await stream.return?.();
      throw error;
    }
  }
  return payloads(ctx, stream, viewId);
}

/** Everything that decides what an actor may read and how it is rendered (two actors equal here see the same). */
const accessKeys = new WeakMap<Actor, string>();
function accessKey(a: Actor): string {
  let key = accessKeys.get(a);
  if (key === undefined) {
    key = JSON.stringify([a.spaceId, a.userId, a.role, [...a.scopes].sort(), [...a.datasheetIds].sort()]);
    accessKeys.set(a, key);
  }
  return key;
}

/**
 * Work on recent events, per process's services: (what, event id, access) → its result; kept while the event is
 * being delivered (a few seconds at most, and the oldest go first past a count): a subscriber that comes later
 * does the work again.
 */
const SHARED_ENTRIES = 64;
const SHARED_MS = 2_000;
const sharedWork = new WeakMap<GraphQLContext['services'], Map<string, unknown>>();

/**
 * What one event needs done for a subscriber, done once for every subscriber of this process that sees that event
 * with the same access (made for the actor just re-checked for this event); nothing is kept across events. A promise
 * that rejects is forgotten (the next subscriber tries again).
 */
function shared<T>(ctx: GraphQLContext, what: string, event: FeedEvent, actor: Actor, make: () => T): T {
  let byKey = sharedWork.get(ctx.services);
  if (!byKey) sharedWork.set(ctx.services, (byKey = new Map()));
  const key = `${what}\n${event.id}\n${accessKey(actor)}`;
  if (byKey.has(key)) return byKey.get(key) as T;
  const made = make();
  byKey.set(key, made);
  setTimeout(() => byKey.get(key) === made && byKey.delete(key), SHARED_MS).unref();
  if (made instanceof Promise) made.catch(() => byKey.get(key) === made && byKey.delete(key));
  if (byKey.size > SHARED_ENTRIES) byKey.delete(byKey.keys().next().value!);
  return made;
}

/** The loaders an event is resolved with: its `records` and author are read and rendered once per access. */
const loadersOf = (ctx: GraphQLContext, event: FeedEvent, actor: Actor): Loaders =>
  shared(ctx, 'loaders', event, actor, () => createLoaders(ctx.services, actor));

/** Each event is resolved with the actor as just re-checked, and the loaders of that event and access. */
function shown(payload: Payload, ctx: GraphQLContext): ShownEvent {
  if ('error' in payload) throw payload.error;
  ctx.actor = payload.actor;
  ctx.loaders = loadersOf(ctx, payload.event, payload.actor);
  return { event: payload.event, recordIds: payload.recordIds };
}

builder.subscriptionType({});

builder.subscriptionField('recordsChanged', (t) =>
  t.field({
    type: RecordChangeEventRef,
    nullable: true,
    description:
      'Record changes of a datasheet as they commit. `after`: a `sequence` already seen, to resume with no gap. `viewId`: only records that are, or were before the change, inside the view’s filter.',
    ...scoped('records:read'),
    args: {
      datasheetId: t.arg.id({ required: true }),
      viewId: t.arg.id({ required: false }),
      after: t.arg.string({ required: false }),
    },
    subscribe: (_root, args, ctx) =>
      open(
        ctx,
        'records:read',
        String(args.datasheetId),
        args.after,
        isRecordEvent,
        args.viewId ? String(args.viewId) : null,
      ),
    resolve: (payload, _args, ctx) => shown(payload as Payload, ctx),
  }),
);

builder.subscriptionField('datasheetChanged', (t) =>
  t.field({
    type: DatasheetChangeEventRef,
    nullable: true,
    description:
      'Changes of a datasheet’s schema (the datasheet, its fields and views) as they commit; `after` resumes as in recordsChanged.',
    ...scoped('datasheets:read'),
    args: { datasheetId: t.arg.id({ required: true }), after: t.arg.string({ required: false }) },
    subscribe: (_root, args, ctx) =>
      open(ctx, 'datasheets:read', String(args.datasheetId), args.after, (e) => !isRecordEvent(e), null),
    resolve: (payload, _args, ctx) => shown(payload as Payload, ctx),
  }),
);
