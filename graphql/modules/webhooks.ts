import type { WebhookDeliveryVo, WebhookInput, WebhookVo } from '../../src/domain/webhooks/webhook.service.js';
import { admit, idempotent, scoped } from '../access.js';
import { builder } from '../builder.js';
import type { GraphQLContext } from '../context.js';
import { PageInfoRef } from './record.js';

const SCOPE = 'webhooks:manage';

const Webhook = builder.objectRef<WebhookVo>('Webhook').implement({
  description:
    "A datasheet's changes POSTed, signed with its secret, to `url`. The secret is shown only by createWebhook.",
  fields: (t) => ({
    id: t.exposeID('id'),
    datasheetId: t.exposeID('datasheetId'),
    url: t.exposeString('url'),
    events: t.exposeStringList('events', { description: 'Event kinds delivered (records.created, field.updated, …).' }),
    enabled: t.exposeBoolean('enabled'),
    description: t.exposeString('description', { nullable: true }),
    consecutiveFailures: t.exposeInt('consecutiveFailures', {
      description: 'Deliveries that failed for good in a row; past the limit the server disables the webhook.',
    }),
    disabledReason: t.exposeString('disabledReason', {
      nullable: true,
      description: 'Why the server disabled the webhook; null while enabled or when a user disabled it.',
    }),
    disabledAt: t.expose('disabledAt', { type: 'DateTime', nullable: true }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
  }),
});

const CreatedWebhook = builder.objectRef<{ webhook: WebhookVo; secret: string | null }>('CreatedWebhook').implement({
  fields: (t) => ({
    webhook: t.field({ type: Webhook, resolve: (c) => c.webhook }),
    secret: t.exposeString('secret', {
      nullable: true,
      description:
        'Signs every delivery (X-Tablebase-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "<t>.<body>">); shown only now. Null when an idempotent replay answers.',
    }),
  }),
});

const WebhookDelivery = builder.objectRef<WebhookDeliveryVo>('WebhookDelivery').implement({
  description: 'One delivery (one event, or one part of a large one) and its attempts.',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'Sent as X-Tablebase-Delivery and `deliveryId`; the same on every attempt.' }),
    webhookId: t.exposeID('webhookId'),
    eventId: t.exposeString('eventId'),
    part: t.exposeInt('part'),
    kind: t.exposeString('kind'),
    status: t.exposeString('status', { description: 'pending, succeeded or failed (every attempt failed).' }),
    attempts: t.exposeInt('attempts'),
    lastError: t.exposeString('lastError', { nullable: true }),
    responseStatus: t.exposeInt('responseStatus', { nullable: true }),
    responseSnippet: t.exposeString('responseSnippet', { nullable: true }),
    nextAttemptAt: t.expose('nextAttemptAt', { type: 'DateTime', nullable: true }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    completedAt: t.expose('completedAt', { type: 'DateTime', nullable: true }),
  }),
});

const WebhookDeliveryConnection = builder
  .objectRef<{ deliveries: WebhookDeliveryVo[]; nextCursor: string | null }>('WebhookDeliveryConnection')
  .implement({
    fields: (t) => ({
      nodes: t.field({ type: [WebhookDelivery], resolve: (p) => p.deliveries }),
      pageInfo: t.field({
        type: PageInfoRef,
        resolve: (p) => ({ hasNextPage: p.nextCursor !== null, endCursor: p.nextCursor }),
      }),
    }),
  });

const WebhookInputType = builder.inputType('WebhookInput', {
  fields: (t) => ({
    url: t.string({ required: false }),
    events: t.stringList({ required: false, description: 'Default (on create): the four records.* kinds.' }),
    description: t.string({ required: false }),
    enabled: t.boolean({ required: false, description: 'true re-enables a webhook the server disabled.' }),
  }),
});

type InputShape = {
  url?: string | null;
  events?: string[] | null;
  description?: string | null;
  enabled?: boolean | null;
};

/** Arguments as the domain takes them: what was not given is undefined (null clears a description only). */
const inputOf = (input: InputShape): WebhookInput => ({
  url: input.url ?? undefined,
  events: input.events ?? undefined,
  description: input.description,
  enabled: input.enabled ?? undefined,
});

const actingAs = (ctx: GraphQLContext) => ({
  userId: ctx.actor!.userId,
  tokenId: ctx.actor!.tokenId,
  requestId: ctx.requestId,
});

/** A call naming only a webhook: admitted on the webhook's datasheet (of the caller's space, else NOT_FOUND). */
async function admitWebhook(ctx: GraphQLContext, webhookId: string) {
  // Without a valid token the answer is UNAUTHORIZED before anything is looked up.
  if (!ctx.actor) return { scope: await admit(ctx, SCOPE), datasheetId: '' };
  const { spaceId, userId } = ctx.actor;
  const datasheetId = await ctx.services.webhooks.datasheetOf({ spaceId, userId }, webhookId);
  return { scope: await admit(ctx, SCOPE, { datasheetId }), datasheetId };
}

builder.queryField('webhooks', (t) =>
  t.field({
    type: [Webhook],
    description: "A datasheet's webhooks, oldest first.",
    ...scoped(SCOPE),
    args: { datasheetId: t.arg.id({ required: true }) },
    resolve: async (_root, args, ctx) => {
      const datasheetId = String(args.datasheetId);
      return ctx.services.webhooks.list(await admit(ctx, SCOPE, { datasheetId }), datasheetId);
    },
  }),
);

builder.queryField('webhookDeliveries', (t) =>
  t.field({
    type: WebhookDeliveryConnection,
    description: "A webhook's delivery log, newest first (`first` 1–1000, default 50).",
    ...scoped(SCOPE),
    args: {
      webhookId: t.arg.id({ required: true }),
      first: t.arg.int({ required: false }),
      after: t.arg.string({ required: false }),
    },
    resolve: async (_root, args, ctx) => {
      const { scope, datasheetId } = await admitWebhook(ctx, String(args.webhookId));
      return ctx.services.webhooks.deliveries(scope, datasheetId, String(args.webhookId), {
        limit: args.first ?? 50,
        after: args.after ?? null,
      });
    },
  }),
);

builder.mutationField('createWebhook', (t) =>
  t.field({
    type: CreatedWebhook,
    ...scoped(SCOPE),
    args: {
      datasheetId: t.arg.id({ required: true }),
      input: t.arg({ type: WebhookInputType, required: true }),
      idempotencyKey: t.arg.string({ required: false }),
    },
    resolve: async (_root, { datasheetId, input, idempotencyKey }, ctx) => {
      const id = String(datasheetId);
      const scope = await admit(ctx, SCOPE, { datasheetId: id });
      return idempotent<{ webhook: WebhookVo; secret: string | null }>(
        ctx,
        idempotencyKey,
        'createWebhook',
        { datasheetId: id, input },
        () => ctx.services.webhooks.create(scope, id, inputOf(input), actingAs(ctx)),
        (created) => ({ ...created, secret: null }),
      );
    },
  }),
);

builder.mutationField('updateWebhook', (t) =>
  t.field({
    type: Webhook,
    ...scoped(SCOPE),
    args: {
      id: t.arg.id({ required: true }),
      input: t.arg({ type: WebhookInputType, required: true }),
      idempotencyKey: t.arg.string({ required: false }),
    },
    resolve: async (_root, { id, input, idempotencyKey }, ctx) => {
      const { scope, datasheetId } = await admitWebhook(ctx, String(id));
      return idempotent(ctx, idempotencyKey, 'updateWebhook', { id, input }, () =>
        ctx.services.webhooks.update(scope, datasheetId, String(id), inputOf(input), actingAs(ctx)),
      );
    },
  }),
);

builder.mutationField('deleteWebhook', (t) =>
  t.field({
    type: 'ID',
    description: 'Deletes a webhook and its delivery log; answers its id.',
    ...scoped(SCOPE),
    args: { id: t.arg.id({ required: true }), idempotencyKey: t.arg.string({ required: false }) },
    resolve: async (_root, { id, idempotencyKey }, ctx) => {
      const { scope, datasheetId } = await admitWebhook(ctx, String(id));
      return idempotent(ctx, idempotencyKey, 'deleteWebhook', { id }, async () => {
        await ctx.services.webhooks.remove(scope, datasheetId, String(id), actingAs(ctx));
        return String(id);
      });
    },
  }),
);
