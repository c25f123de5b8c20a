import { admit, scoped } from '../access.js';
import { builder } from '../builder.js';

const ExportDownload = builder.objectRef<{ url: string; expiresAt: Date }>('ExportDownload').implement({
  description: 'A one-time download URL: usable once, until it expires; it streams the export it was made for.',
  fields: (t) => ({
    url: t.exposeString('url'),
    expiresAt: t.expose('expiresAt', { type: 'DateTime' }),
  }),
});

builder.mutationField('exportDatasheet', (t) =>
  t.field({
    type: ExportDownload,
    description:
      'Exports a datasheet (or a view: its filter, sorts, hidden fields and column order) as csv (default), xlsx or jsonl: answers a one-time download URL.',
    ...scoped('records:read'),
    args: {
      datasheetId: t.arg.id({ required: true }),
      viewId: t.arg.id({ required: false }),
      format: t.arg.string({ required: false }),
    },
    resolve: async (_root, args, ctx) => {
      const datasheetId = String(args.datasheetId);
      const scope = await admit(ctx, 'records:read', { datasheetId });
      return ctx.services.exports.createDownload(scope, datasheetId, {
        viewId: args.viewId === null || args.viewId === undefined ? undefined : String(args.viewId),
        format: args.format,
      });
    },
  }),
);
