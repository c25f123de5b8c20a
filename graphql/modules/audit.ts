import { admit, scoped } from '../access.js';
import { builder } from '../builder.js';
import type { AuditEvent as AuditEventShape } from '../../src/domain/audit/audit.service.js';

const AuditEvent = builder.objectRef<AuditEventShape>('AuditEvent').implement({
  fields: (t) => ({
    id: t.exposeID('id'),
    action: t.exposeString('action'),
    targetType: t.exposeString('targetType'),
    targetId: t.exposeString('targetId', { nullable: true }),
    actorId: t.exposeString('actorId', { nullable: true }),
    tokenId: t.exposeString('tokenId', { nullable: true }),
    requestId: t.exposeString('requestId', { nullable: true }),
    detail: t.string({ description: 'Details as JSON text.', resolve: (e) => JSON.stringify(e.detail) }),
    at: t.expose('at', { type: 'DateTime' }),
  }),
});

const AuditEventPage = builder
  .objectRef<{ events: AuditEventShape[]; nextCursor: string | null }>('AuditEventPage')
  .implement({
    fields: (t) => ({
      events: t.field({ type: [AuditEvent], resolve: (p) => p.events }),
      nextCursor: t.exposeString('nextCursor', { nullable: true }),
    }),
  });

builder.queryField('auditEvents', (t) =>
  t.field({
    type: AuditEventPage,
    description: "The space's audit log, newest first.",
    ...scoped('audit:read'),
    args: {
      limit: t.arg.int({ required: false }),
      before: t.arg.string({ required: false }),
      action: t.arg.string({ required: false }),
    },
    resolve: async (_root, args, ctx) => {
      const scope = await admit(ctx, 'audit:read');
      return ctx.services.audit.list(scope.spaceId, {
        limit: args.limit ?? 50,
        before: args.before ?? null,
        ...(args.action ? { action: args.action } : {}),
      });
    },
  }),
);
