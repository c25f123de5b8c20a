import { admit, scoped } from '../access.js';
import { builder } from '../builder.js';
import { NodeRef, nodeFetcher } from './node.js';

const Plan = builder.enumType('Plan', { values: ['FREE', 'PLUS', 'PRO', 'ENTERPRISE'] as const });

export const SpaceRef = builder.prismaObject('Space', {
  interfaces: [NodeRef],
  fields: (t) => ({
    id: t.exposeID('id'),
    name: t.exposeString('name'),
    plan: t.expose('plan', { type: Plan }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
  }),
});

builder.queryField('spaces', (t) =>
  t.prismaField({
    type: ['Space'],
    description: 'Spaces the calling token can act in.',
    ...scoped('spaces:read'),
    resolve: async (query, _root, _args, ctx) => {
      await admit(ctx, 'spaces:read');
      const ids = (await ctx.services.spaces.listVisible(ctx.actor!)).map((s) => s.id);
      return ctx.prisma.space.findMany({ ...query, where: { id: { in: ids } }, orderBy: { createdAt: 'asc' } });
    },
  }),
);

builder.queryField('space', (t) =>
  t.prismaField({
    type: 'Space',
    nullable: true,
    description: 'A space by id: the token’s own; null for any other.',
    ...scoped('spaces:read'),
    args: { id: t.arg.id({ required: true }) },
    resolve: async (query, _root, { id }, ctx) => {
      await admit(ctx, 'spaces:read');
      if (String(id) !== ctx.actor!.spaceId) return null;
      return ctx.prisma.space.findUnique({ ...query, where: { id: String(id) } });
    },
  }),
);

nodeFetcher('spc', async (ctx, id) => {
  await admit(ctx, 'spaces:read');
  return id === ctx.actor!.spaceId ? ctx.prisma.space.findUnique({ where: { id } }) : null;
});
