import type { FieldKey } from '../../src/domain/cells/write-cells.js';
import type { Scope as WriteScope } from '../../src/domain/context.js';
import type { WrittenRecords } from '../../src/domain/records/record.service.js';
import { admit, idempotent, scoped } from '../access.js';
import { builder } from '../builder.js';
import type { GraphQLContext } from '../context.js';
import { formatKey, type RecordNode } from './loaders.js';
import { FieldKeyEnum, RecordRef } from './record.js';

const WRITE_SCOPE = 'records:write';

/**
 * A written record as answered and as an idempotent replay stores it (JSON: dates as epoch milliseconds; a replay
 * stored before may hold ISO strings, which DateTime serializes alike).
 */
interface WrittenRecord {
  id: string;
  datasheetId: string;
  createdAt: number | string;
  updatedAt: number | string;
  createdBy: string | null;
  updatedBy: string | null;
  revision: number;
  fieldKey: FieldKey;
  /** The cells as the write rendered them (JSON format, keyed by `fieldKey`). */
  fields: Record<string, unknown>;
}

interface WriteArgs {
  datasheetId: string | number;
  fieldKey?: FieldKey | null | undefined;
  idempotencyKey?: string | null | undefined;
}

/** What every record mutation of one datasheet does first: admit the write, then run it once per idempotency key. */
async function datasheetWrite<A extends WriteArgs, T>(
  ctx: GraphQLContext,
  field: string,
  args: A,
  run: (scope: WriteScope, datasheetId: string, fieldKey: FieldKey) => Promise<T>,
): Promise<T> {
  const datasheetId = String(args.datasheetId);
  const scope = await admit(ctx, WRITE_SCOPE, { datasheetId });
  const { idempotencyKey: key, ...rest } = args;
  return idempotent(ctx, key, field, rest, () => run(scope, datasheetId, args.fieldKey ?? 'name'));
}

/** The domain's written records (views with their revision and authors as the write left them), as answered. */
function written(datasheetId: string, { records, meta }: WrittenRecords, fieldKey: FieldKey): WrittenRecord[] {
  return records.map((view, i) => ({
    id: view.recordId,
    datasheetId,
    createdAt: view.createdAt,
    updatedAt: view.updatedAt,
    createdBy: meta[i]!.createdBy,
    updatedBy: meta[i]!.updatedBy,
    revision: meta[i]!.revision,
    fieldKey,
    fields: view.fields,
  }));
}

/** The node `Record` resolves: a fresh or replayed answer; loaders forget what this request read before the write. */
function toNodes(ctx: GraphQLContext, records: readonly WrittenRecord[]): RecordNode[] {
  ctx.loaders.recordRow.clearAll();
  ctx.loaders.cells.clearAll();
  return records.map((r) => ({
    id: r.id,
    datasheetId: r.datasheetId,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
    createdBy: r.createdBy,
    updatedBy: r.updatedBy,
    revision: r.revision,
    format: formatKey(r.fieldKey, 'json'),
    fields: r.fields,
  }));
}

const RecordInput = builder.inputType('RecordInput', {
  fields: (t) => ({
    fields: t.field({
      type: 'JSON',
      required: true,
      description: 'Cells keyed by field name (or id with fieldKey: ID).',
    }),
  }),
});

const RecordUpdateInput = builder.inputType('RecordUpdateInput', {
  fields: (t) => ({
    id: t.id({ required: true }),
    fields: t.field({ type: 'JSON', required: true, description: 'Cells to change; null clears a cell.' }),
    expectedRevision: t.int({
      required: false,
      description: 'Fails with CONFLICT (nothing changed) unless the record is still at this revision.',
    }),
  }),
});

type UpdateArg = { id: string | number; fields?: unknown; expectedRevision?: number | null | undefined };
const toUpdates = (records: readonly UpdateArg[]) =>
  records.map((r) => ({ id: String(r.id), fields: r.fields, expectedRevision: r.expectedRevision ?? undefined }));

const UpsertRecordsPayload = builder
  .objectRef<{ created: string[]; updated: string[]; records: RecordNode[] }>('UpsertRecordsPayload')
  .implement({
    fields: (t) => ({
      created: t.exposeIDList('created', { description: 'Ids of the records created, in input order.' }),
      updated: t.exposeIDList('updated', { description: 'Ids of the existing records updated, in input order.' }),
      records: t.field({ type: [RecordRef], description: 'Every record, in input order.', resolve: (p) => p.records }),
    }),
  });

const ApplyRecordChangesPayload = builder
  .objectRef<{ created: RecordNode[]; updated: RecordNode[]; deleted: string[] }>('ApplyRecordChangesPayload')
  .implement({
    fields: (t) => ({
      created: t.field({ type: [RecordRef], resolve: (p) => p.created }),
      updated: t.field({ type: [RecordRef], resolve: (p) => p.updated }),
      deleted: t.exposeIDList('deleted'),
    }),
  });

const DroppedFieldRef = builder
  .objectRef<{ fieldId: string; fieldName: string; reason: string }>('DroppedField')
  .implement({
    description: 'A source field whose cells did not follow the moved records, and why.',
    fields: (t) => ({
      fieldId: t.exposeID('fieldId'),
      fieldName: t.exposeString('fieldName'),
      reason: t.exposeString('reason'),
    }),
  });

const MoveRecordsPayload = builder
  .objectRef<{ recordIds: string[]; dropped: { fieldId: string; fieldName: string; reason: string }[] }>(
    'MoveRecordsPayload',
  )
  .implement({
    fields: (t) => ({
      recordIds: t.exposeIDList('recordIds', { description: 'The moved records (their ids are kept).' }),
      dropped: t.field({ type: [DroppedFieldRef], resolve: (p) => p.dropped }),
    }),
  });

const idempotencyKey = { description: 'A replay with the same key (and arguments) answers the first answer.' };

builder.mutationFields((t) => ({
  createRecords: t.field({
    type: [RecordRef],
    description: 'Creates up to 1,000 records, all or nothing.',
    ...scoped(WRITE_SCOPE),
    args: {
      datasheetId: t.arg.id({ required: true }),
      records: t.arg({ type: [RecordInput], required: true }),
      fieldKey: t.arg({ type: FieldKeyEnum, required: false, defaultValue: 'name' }),
      idempotencyKey: t.arg.string({ required: false, ...idempotencyKey }),
    },
    resolve: async (_root, args, ctx) => {
      const answer = await datasheetWrite(ctx, 'createRecords', args, async (scope, datasheetId, fieldKey) => {
        const fields = args.records.map((r) => r.fields);
        return written(
          datasheetId,
          await ctx.services.records.createWritten(scope, datasheetId, fields, { fieldKey }),
          fieldKey,
        );
      });
      return toNodes(ctx, answer);
    },
  }),
  updateRecords: t.field({
    type: [RecordRef],
    description: 'Partial updates of up to 1,000 records, all or nothing; a moved `expectedRevision` answers CONFLICT.',
    ...scoped(WRITE_SCOPE),
    args: {
      datasheetId: t.arg.id({ required: true }),
      records: t.arg({ type: [RecordUpdateInput], required: true }),
      fieldKey: t.arg({ type: FieldKeyEnum, required: false, defaultValue: 'name' }),
      idempotencyKey: t.arg.string({ required: false, ...idempotencyKey }),
    },
    resolve: async (_root, args, ctx) => {
      const answer = await datasheetWrite(ctx, 'updateRecords', args, async (scope, datasheetId, fieldKey) => {
        const updates = toUpdates(args.records).map(({ id, ...u }) => ({ recordId: id, ...u }));
        return written(
          datasheetId,
          await ctx.services.records.updateWritten(scope, datasheetId, updates, { fieldKey }),
          fieldKey,
        );
      });
      return toNodes(ctx, answer);
    },
  }),
  deleteRecords: t.field({
    type: ['ID'],
    description: 'Deletes up to 1,000 records, all or nothing; answers their ids.',
    ...scoped(WRITE_SCOPE),
    args: {
      datasheetId: t.arg.id({ required: true }),
      ids: t.arg.idList({ required: true }),
      idempotencyKey: t.arg.string({ required: false, ...idempotencyKey }),
    },
    resolve: async (_root, args, ctx) => {
      const ids = args.ids.map(String);
      const answer = await datasheetWrite(ctx, 'deleteRecords', args, async (scope, datasheetId) => {
        await ctx.services.records.delete(scope, datasheetId, ids);
        return [...new Set(ids)];
      });
      ctx.loaders.recordRow.clearAll();
      return answer;
    },
  }),
  upsertRecords: t.field({
    type: UpsertRecordsPayload,
    description: 'Creates or updates each record by the values of `fieldsToMergeOn`, all or nothing.',
    ...scoped(WRITE_SCOPE),
    args: {
      datasheetId: t.arg.id({ required: true }),
      records: t.arg({ type: [RecordInput], required: true }),
      fieldsToMergeOn: t.arg.stringList({ required: true }),
      fieldKey: t.arg({ type: FieldKeyEnum, required: false, defaultValue: 'name' }),
      idempotencyKey: t.arg.string({ required: false, ...idempotencyKey }),
    },
    resolve: async (_root, args, ctx) => {
      const answer = await datasheetWrite(ctx, 'upsertRecords', args, async (scope, datasheetId, fieldKey) => {
        const inputs = args.records.map((r) => ({ fields: r.fields }));
        const result = await ctx.services.records.upsert(scope, datasheetId, inputs, args.fieldsToMergeOn, {
          fieldKey,
        });
        return { created: result.created, updated: result.updated, records: written(datasheetId, result, fieldKey) };
      });
      return { created: answer.created, updated: answer.updated, records: toNodes(ctx, answer.records) };
    },
  }),
  applyRecordChanges: t.field({
    type: ApplyRecordChangesPayload,
    description: 'Creates, updates and deletes (500 operations at most) in one transaction, all or nothing.',
    ...scoped(WRITE_SCOPE),
    args: {
      datasheetId: t.arg.id({ required: true }),
      creates: t.arg({ type: [RecordInput], required: false }),
      updates: t.arg({ type: [RecordUpdateInput], required: false }),
      deletes: t.arg.idList({ required: false }),
      fieldKey: t.arg({ type: FieldKeyEnum, required: false, defaultValue: 'name' }),
      idempotencyKey: t.arg.string({ required: false, ...idempotencyKey }),
    },
    resolve: async (_root, args, ctx) => {
      const answer = await datasheetWrite(ctx, 'applyRecordChanges', args, async (scope, datasheetId, fieldKey) => {
        const result = await ctx.services.records.apply(
          scope,
          datasheetId,
          {
            creates: args.creates?.map((r) => ({ fields: r.fields })),
            updates: args.updates ? toUpdates(args.updates) : undefined,
            deletes: args.deletes?.map(String),
          },
          { fieldKey },
        );
        return {
          created: written(datasheetId, { records: result.created, meta: result.meta.created }, fieldKey),
          updated: written(datasheetId, { records: result.updated, meta: result.meta.updated }, fieldKey),
          deleted: result.deleted,
        };
      });
      return { created: toNodes(ctx, answer.created), updated: toNodes(ctx, answer.updated), deleted: answer.deleted };
    },
  }),
  moveRecords: t.field({
    type: MoveRecordsPayload,
    description:
      'Moves records (of one datasheet) to another datasheet of the space, keeping ids and history; cells follow the field of the same name and type, the rest is reported in `dropped`.',
    ...scoped(WRITE_SCOPE),
    args: {
      ids: t.arg.idList({ required: true }),
      toDatasheetId: t.arg.id({ required: true }),
      idempotencyKey: t.arg.string({ required: false, ...idempotencyKey }),
    },
    resolve: async (_root, args, ctx) => {
      const toDatasheetId = String(args.toDatasheetId);
      const ids = args.ids.map(String);
      const scope = await admit(ctx, WRITE_SCOPE, { datasheetId: toDatasheetId });
      const { idempotencyKey: key, ...rest } = args;
      return idempotent(ctx, key, 'moveRecords', rest, async () => {
        const fromDatasheetId = await ctx.services.records.moveSource(scope, ids, 'ids');
        await admit(ctx, WRITE_SCOPE, { datasheetId: fromDatasheetId });
        return ctx.services.records.move(scope, fromDatasheetId, toDatasheetId, ids);
      });
    },
  }),
}));
