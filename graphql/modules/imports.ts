import type { ImportErrorView, ImportJobView } from '../../src/domain/imports/import.service.js';
import type { ImportTemplate as TemplateShape } from '../../src/domain/imports/template.service.js';
import { invalidArgument } from '../../src/domain/errors.js';
import { admit, idempotent, scoped } from '../access.js';
import { builder } from '../builder.js';

const ImportTemplate = builder.objectRef<TemplateShape>('ImportTemplate').implement({
  fields: (t) => ({
    id: t.exposeID('id'),
    name: t.exposeString('name'),
    description: t.exposeString('description', { nullable: true }),
    columns: t.field({
      type: 'JSON',
      description:
        'The columns: field, type, required, unique, regex, allowedValues, min, max, dateFormat, headers, property.',
      resolve: (x) => x.columns,
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
  }),
});

const ImportError = builder.objectRef<ImportErrorView>('ImportError').implement({
  fields: (t) => ({
    rowNumber: t.exposeInt('rowNumber', { description: 'The row in the file (the header is row 1).' }),
    column: t.exposeString('column', { nullable: true }),
    value: t.exposeString('value', { nullable: true }),
    reason: t.exposeString('reason'),
  }),
});

const ImportErrorPage = builder
  .objectRef<{ errors: ImportErrorView[]; nextCursor: string | null }>('ImportErrorPage')
  .implement({
    fields: (t) => ({
      errors: t.field({ type: [ImportError], resolve: (p) => p.errors }),
      nextCursor: t.exposeString('nextCursor', { nullable: true }),
    }),
  });

const ImportJob = builder.objectRef<ImportJobView>('ImportJob').implement({
  fields: (t) => ({
    id: t.exposeID('id'),
    datasheetId: t.exposeID('datasheetId'),
    templateId: t.exposeID('templateId', { nullable: true }),
    status: t.exposeString('status', { description: 'queued, running, done or failed.' }),
    fileName: t.exposeString('fileName'),
    fileType: t.exposeString('fileType'),
    fileSize: t.exposeFloat('fileSize'),
    rowsRead: t.exposeInt('rowsRead'),
    rowsWritten: t.exposeInt('rowsWritten'),
    rowsRejected: t.exposeInt('rowsRejected'),
    error: t.exposeString('error', { nullable: true }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    startedAt: t.expose('startedAt', { type: 'DateTime', nullable: true }),
    finishedAt: t.expose('finishedAt', { type: 'DateTime', nullable: true }),
    errors: t.field({
      type: ImportErrorPage,
      description: 'The error report in file order, a page at a time (first: 1–1000, default 100).',
      args: { first: t.arg.int({ required: false }), after: t.arg.string({ required: false }) },
      resolve: async (job, args, ctx) => {
        const scope = await admit(ctx, 'records:read', { datasheetId: job.datasheetId });
        return ctx.services.imports.errors(scope, job.id, { pageSize: args.first ?? 100, after: args.after ?? null });
      },
    }),
  }),
});

builder.queryField('importJob', (t) =>
  t.field({
    type: ImportJob,
    description: "An import's status, progress and error report.",
    ...scoped('records:read'),
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_root, args, ctx) => {
      const scope = await admit(ctx, 'records:read');
      return ctx.services.imports.get(scope, String(args.id));
    },
  }),
);

builder.queryField('importTemplates', (t) =>
  t.field({
    type: [ImportTemplate],
    description: "The space's import templates, oldest first (first: 1–100, default 20; page from 1).",
    ...scoped('datasheets:read'),
    args: { first: t.arg.int({ required: false }), page: t.arg.int({ required: false }) },
    resolve: async (_root, args, ctx) => {
      const scope = await admit(ctx, 'datasheets:read');
      return (await ctx.services.importTemplates.list(scope, args.page ?? 1, args.first ?? 20)).templates;
    },
  }),
);

builder.queryField('importTemplate', (t) =>
  t.field({
    type: ImportTemplate,
    ...scoped('datasheets:read'),
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_root, args, ctx) =>
      ctx.services.importTemplates.get(await admit(ctx, 'datasheets:read'), String(args.id)),
  }),
);

builder.mutationField('createImportTemplate', (t) =>
  t.field({
    type: ImportTemplate,
    ...scoped('datasheets:write'),
    args: {
      name: t.arg.string({ required: true }),
      description: t.arg.string({ required: false }),
      columns: t.arg({ type: 'JSON', required: true }),
    },
    resolve: async (_root, args, ctx) =>
      ctx.services.importTemplates.create(await admit(ctx, 'datasheets:write'), {
        name: args.name,
        description: args.description ?? null,
        columns: args.columns,
      }),
  }),
);

builder.mutationField('updateImportTemplate', (t) =>
  t.field({
    type: ImportTemplate,
    description: 'Changes the arguments given (columns as a whole).',
    ...scoped('datasheets:write'),
    args: {
      id: t.arg.id({ required: true }),
      name: t.arg.string({ required: false }),
      description: t.arg.string({ required: false }),
      columns: t.arg({ type: 'JSON', required: false }),
    },
    resolve: async (_root, args, ctx) => {
      const patch: Record<string, unknown> = {};
      if (args.name !== undefined && args.name !== null) patch.name = args.name;
      if (args.description !== undefined) patch.description = args.description;
      if (args.columns !== undefined && args.columns !== null) patch.columns = args.columns;
      return ctx.services.importTemplates.update(await admit(ctx, 'datasheets:write'), String(args.id), patch);
    },
  }),
);

builder.mutationField('deleteImportTemplate', (t) =>
  t.field({
    type: 'ID',
    ...scoped('datasheets:write'),
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_root, args, ctx) =>
      (await ctx.services.importTemplates.delete(await admit(ctx, 'datasheets:write'), String(args.id))).id,
  }),
);

builder.mutationField('startImport', (t) =>
  t.field({
    type: ImportJob,
    description:
      'Imports a CSV or XLSX file uploaded as an attachment (its token), in the background: into the datasheet ' +
      '`datasheetId` (scope records:write), or, with `spaceId` and `templateId` only, into a new datasheet made from ' +
      "the template (scope datasheets:write; `datasheetName` defaults to the template's name). `mapping` is " +
      '`{header: fieldName}`. Answers the job (status `queued`); poll `importJob` for progress.',
    ...scoped('records:write'),
    args: {
      datasheetId: t.arg.id({ required: false }),
      spaceId: t.arg.id({ required: false }),
      templateId: t.arg.id({ required: false }),
      datasheetName: t.arg.string({ required: false }),
      attachmentToken: t.arg.string({ required: true }),
      mapping: t.arg({ type: 'JSON', required: false }),
      idempotencyKey: t.arg.string({ required: false }),
    },
    resolve: async (_root, { idempotencyKey, ...args }, ctx) => {
      const datasheetId = args.datasheetId == null ? undefined : String(args.datasheetId);
      const spaceId = args.spaceId == null ? undefined : String(args.spaceId);
      if (datasheetId && spaceId)
        throw invalidArgument('Give datasheetId or spaceId, not both', { parameter: 'spaceId' });
      if (!datasheetId && !spaceId)
        throw invalidArgument('datasheetId or spaceId is required', { parameter: 'datasheetId' });
      // As the REST routes: a datasheet's import writes records; a new datasheet's import needs datasheets:write.
      const scope = datasheetId
        ? await admit(ctx, 'records:write', { datasheetId })
        : await admit(ctx, 'datasheets:write', { spaceId });
      return idempotent(ctx, idempotencyKey, 'startImport', args, () =>
        ctx.services.imports.start(scope, {
          datasheetId,
          templateId: args.templateId == null ? undefined : String(args.templateId),
          datasheetName: args.datasheetName ?? undefined,
          mapping: args.mapping ?? undefined,
          attachmentToken: args.attachmentToken,
        }),
      );
    },
  }),
);
