import { admit, scoped } from '../access.js';
import { builder } from '../builder.js';

const Plan = builder.enumType('Plan', { values: ['FREE', 'PLUS', 'PRO', 'ENTERPRISE'] as const });

builder.prismaObject('Space', {
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
