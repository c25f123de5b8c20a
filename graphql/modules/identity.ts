import { admit, idempotent, scoped } from '../access.js';
import { builder } from '../builder.js';
import type { TokenSummary } from '../../src/domain/tokens/token.service.js';

interface MeShape {
  user: { id: string; name: string; email: string | null };
  space: { id: string; name: string; plan: string; role: string };
  token: { id: string; name: string; prefix: string; expiresAt: Date | null; createdAt: Date };
  scopes: string[];
  datasheetIds: string[];
}

const MeUser = builder.objectRef<MeShape['user']>('MeUser').implement({
  fields: (t) => ({
    id: t.exposeID('id'),
    name: t.exposeString('name'),
    email: t.exposeString('email', { nullable: true }),
  }),
});
const MeSpace = builder.objectRef<MeShape['space']>('MeSpace').implement({
  fields: (t) => ({
    id: t.exposeID('id'),
    name: t.exposeString('name'),
    plan: t.exposeString('plan'),
    role: t.exposeString('role'),
  }),
});

const Token = builder.objectRef<TokenSummary>('Token').implement({
  description: 'An API token; its secret is shown only when it is created.',
  fields: (t) => ({
    id: t.exposeID('id'),
    name: t.exposeString('name'),
    prefix: t.exposeString('prefix'),
    scopes: t.exposeStringList('scopes'),
    datasheetIds: t.exposeStringList('datasheetIds'),
    expiresAt: t.expose('expiresAt', { type: 'DateTime', nullable: true }),
    revokedAt: t.expose('revokedAt', { type: 'DateTime', nullable: true }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
  }),
});

const Me = builder.objectRef<MeShape>('Me').implement({
  fields: (t) => ({
    user: t.field({ type: MeUser, resolve: (me) => me.user }),
    space: t.field({ type: MeSpace, resolve: (me) => me.space }),
    token: t.field({
      type: Token,
      resolve: (me) => ({
        ...me.token,
        spaceId: me.space.id,
        userId: me.user.id,
        scopes: me.scopes as TokenSummary['scopes'],
        datasheetIds: me.datasheetIds,
        revokedAt: null,
        lastUsedAt: null,
      }),
    }),
    scopes: t.exposeStringList('scopes'),
    datasheetIds: t.exposeStringList('datasheetIds'),
  }),
});

builder.queryField('me', (t) =>
  t.field({
    type: Me,
    description: 'The calling token: its user, space and role, scopes and datasheet restriction.',
    ...scoped('spaces:read'),
    resolve: async (_root, _args, ctx) => {
      await admit(ctx, 'spaces:read');
      return ctx.services.tokens.identity(ctx.actor!);
    },
  }),
);

const CreatedToken = builder.objectRef<{ secret: string | null; token: TokenSummary }>('CreatedToken').implement({
  fields: (t) => ({
    secret: t.exposeString('secret', {
      nullable: true,
      description:
        'Shown once; only its hash is stored. Null when an idempotent replay answers: the secret is never stored.',
    }),
    token: t.field({ type: Token, resolve: (c) => c.token }),
  }),
});

const CreateTokenInput = builder.inputType('CreateTokenInput', {
  fields: (t) => ({
    name: t.string({ required: true }),
    scopes: t.stringList({
      required: false,
      description: 'Defaults to the calling token’s scopes; never more than them.',
    }),
    datasheetIds: t.stringList({ required: false }),
    expiresAt: t.field({ type: 'DateTime', required: false }),
  }),
});

builder.mutationField('createToken', (t) =>
  t.field({
    type: CreatedToken,
    ...scoped('tokens:manage'),
    args: {
      input: t.arg({ type: CreateTokenInput, required: true }),
      idempotencyKey: t.arg.string({ required: false }),
    },
    resolve: async (_root, { input, idempotencyKey }, ctx) => {
      const scope = await admit(ctx, 'tokens:manage');
      return idempotent<{ secret: string | null; token: TokenSummary }>(
        ctx,
        idempotencyKey,
        'createToken',
        input,
        () =>
          ctx.services.tokens.createFor(
            ctx.actor!,
            { ...input, spaceId: scope.spaceId },
            { userId: scope.userId, tokenId: ctx.actor!.tokenId, requestId: ctx.requestId },
          ),
        (created) => ({ ...created, secret: null }),
      );
    },
  }),
);

builder.mutationField('revokeToken', (t) =>
  t.field({
    type: Token,
    ...scoped('tokens:manage'),
    args: { tokenId: t.arg.id({ required: true }), idempotencyKey: t.arg.string({ required: false }) },
    resolve: async (_root, { tokenId, idempotencyKey }, ctx) => {
      const scope = await admit(ctx, 'tokens:manage');
      return idempotent(ctx, idempotencyKey, 'revokeToken', { tokenId }, () =>
        ctx.services.tokens.revoke(
          String(tokenId),
          { userId: scope.userId, tokenId: ctx.actor!.tokenId, requestId: ctx.requestId },
          scope.spaceId,
        ),
      );
    },
  }),
);
