import { builder } from '../builder.js';
import { DomainError, ErrorCode } from '../../src/domain/errors.js';
import type { GraphQLContext } from '../context.js';

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
    resolve: async (query, _root, _args, ctx) => {
      const actor = requireActor(ctx);
      const ids = (await ctx.services.spaces.listVisible(actor)).map((s) => s.id);
      return ctx.prisma.space.findMany({ ...query, where: { id: { in: ids } }, orderBy: { createdAt: 'asc' } });
    },
  }),
);

export function requireActor(ctx: GraphQLContext) {
  if (!ctx.actor) throw new DomainError(ErrorCode.UNAUTHORIZED, 'Unauthorized');
  return ctx.actor;
}
