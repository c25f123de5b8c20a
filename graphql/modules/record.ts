import { Kind, type GraphQLResolveInfo, type SelectionSetNode } from 'graphql';
import type { CellFormat, RecordView } from '../../src/domain/cells/read-cells.js';
import type { FieldKey } from '../../src/domain/cells/write-cells.js';
import { invalidArgument } from '../../src/domain/errors.js';
import type { HistoryEntry, HistoryPage } from '../../src/domain/history/record-history.js';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, type RecordMeta } from '../../src/domain/records/query-records.js';
import { admit, scoped } from '../access.js';
import { builder } from '../builder.js';
import type { GraphQLContext } from '../context.js';
import { DatasheetRef } from './datasheet.js';
import { formatKey, type RecordNode } from './loaders.js';
import { NodeRef, nodeFetcher, reachable } from './node.js';

const RECORD_SCOPE = 'records:read';

export const FieldKeyEnum = builder.enumType('FieldKey', {
  description: 'How cells are keyed: by field NAME or field ID.',
  values: { NAME: { value: 'name' }, ID: { value: 'id' } } as const,
});
export const CellFormatEnum = builder.enumType('CellFormat', {
  description: 'Cell values as JSON values or as the text a user sees (STRING).',
  values: { JSON: { value: 'json' }, STRING: { value: 'string' } } as const,
});
const SortOrder = builder.enumType('SortOrder', {
  values: { ASC: { value: 'asc' }, DESC: { value: 'desc' } } as const,
});
export const SortInput = builder.inputType('SortInput', {
  fields: (t) => ({
    field: t.string({ required: true, description: 'A field name (or id with fieldKey: ID).' }),
    order: t.field({ type: SortOrder, required: false, defaultValue: 'asc' }),
  }),
});

export const MemberRef = builder.objectRef<{ id: string; name: string | null }>('Member').implement({
  description: 'A member of the space (the name is null once the user left it).',
  fields: (t) => ({ id: t.exposeID('id'), name: t.exposeString('name', { nullable: true }) }),
});

async function memberOf(ctx: GraphQLContext, id: string | null) {
  if (!id) return null;
  return (await ctx.loaders.member.load(id)) ?? { id, name: null };
}

export const PageInfoRef = builder.objectRef<{ hasNextPage: boolean; endCursor: string | null }>('PageInfo').implement({
  fields: (t) => ({
    hasNextPage: t.exposeBoolean('hasNextPage'),
    endCursor: t.exposeString('endCursor', { nullable: true }),
  }),
});

export const RecordChangeRef = builder.objectRef<HistoryEntry>('RecordChange').implement({
  description: 'One cell change of a record (creation, update, deletion), or a move between datasheets.',
  fields: (t) => ({
    at: t.expose('at', { type: 'DateTime' }),
    kind: t.exposeString('kind', { description: 'created, updated, deleted or moved.' }),
    author: t.field({ type: MemberRef, nullable: true, resolve: (e, _a, ctx) => memberOf(ctx, e.authorId) }),
    field: t.exposeID('fieldId', { nullable: true, description: 'The changed field’s id; null for a move.' }),
    oldValue: t.field({ type: 'JSON', nullable: true, resolve: (e) => e.oldValue ?? null }),
    newValue: t.field({ type: 'JSON', nullable: true, resolve: (e) => e.newValue ?? null }),
    revision: t.exposeInt('revision'),
  }),
});

const RecordChangeConnection = builder.objectRef<HistoryPage>('RecordChangeConnection').implement({
  fields: (t) => ({
    nodes: t.field({ type: [RecordChangeRef], resolve: (p) => p.entries }),
    pageInfo: t.field({
      type: PageInfoRef,
      resolve: (p) => ({ hasNextPage: p.nextCursor !== null, endCursor: p.nextCursor }),
    }),
  }),
});

/**
 * A record's cells in one format: what the page or the write already rendered is answered as is (no promise, no
 * loader round trip per record); another format loads through the request's loader, batched over the page.
 */
function cellsOf(
  ctx: GraphQLContext,
  r: RecordNode,
  fieldKey: FieldKey,
  cellFormat: CellFormat,
): Record<string, unknown> | Promise<Record<string, unknown>> {
  const key = formatKey(fieldKey, cellFormat);
  if (key === r.format && r.fields) return r.fields;
  return r.otherFormats?.get(key) ?? loadCells(ctx, r, fieldKey, cellFormat, key);
}

async function loadCells(ctx: GraphQLContext, r: RecordNode, fieldKey: FieldKey, cellFormat: CellFormat, key: string) {
  const loaded =
    (await ctx.loaders.cells.load({ datasheetId: r.datasheetId, fieldKey, cellFormat, recordId: r.id })) ?? {};
  (r.otherFormats ??= new Map()).set(key, loaded);
  return loaded;
}

export const RecordRef = builder.objectRef<RecordNode>('Record');
RecordRef.implement({
  interfaces: [NodeRef],
  fields: (t) => ({
    id: t.exposeID('id'),
    datasheet: t.field({ type: DatasheetRef, resolve: (r) => ({ id: r.datasheetId }) }),
    fields: t.field({
      type: 'JSON',
      description: 'The record’s cells as an object (empty cells left out), keyed and formatted as asked.',
      args: {
        fieldKey: t.arg({ type: FieldKeyEnum, required: true, defaultValue: 'name' }),
        cellFormat: t.arg({ type: CellFormatEnum, required: true, defaultValue: 'json' }),
      },
      resolve: (r, args, ctx) => cellsOf(ctx, r, args.fieldKey, args.cellFormat),
    }),
    cell: t.field({
      type: 'JSON',
      nullable: true,
      description: 'One cell (JSON format) by field name or id; null when empty.',
      args: { field: t.arg.string({ required: true }) },
      resolve: async (r, { field }, ctx) => {
        const byName = await cellsOf(ctx, r, 'name', 'json');
        if (field in byName) return byName[field];
        return (await cellsOf(ctx, r, 'id', 'json'))[field] ?? null;
      },
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
    createdBy: t.field({ type: MemberRef, nullable: true, resolve: (r, _a, ctx) => memberOf(ctx, r.createdBy) }),
    updatedBy: t.field({ type: MemberRef, nullable: true, resolve: (r, _a, ctx) => memberOf(ctx, r.updatedBy) }),
    revision: t.exposeInt('revision'),
    history: t.field({
      type: RecordChangeConnection,
      description:
        'Per-cell history, newest first; `first` counts changes (1–1000, default 50): a creation or deletion is one change of several cells.',
      args: { first: t.arg.int({ required: false }), after: t.arg.string({ required: false }) },
      resolve: (r, args, ctx) => {
        const limit = args.first ?? 50;
        if (!Number.isInteger(limit) || limit < 1 || limit > 1000)
          throw invalidArgument('first must be an integer from 1 to 1000', { parameter: 'first' });
        if (args.after) return ctx.services.records.history(ctx.actor!, r.id, { limit, before: args.after });
        return ctx.loaders.history(limit).load(r.id);
      },
    }),
  }),
});

function toRecordNode(view: RecordView, meta: RecordMeta, datasheetId: string, format: string): RecordNode {
  return {
    id: view.recordId,
    datasheetId,
    createdAt: view.createdAt,
    updatedAt: view.updatedAt,
    createdBy: meta.createdBy,
    updatedBy: meta.updatedBy,
    revision: meta.revision,
    format,
    fields: view.fields,
  };
}

/** An edge of a page: its cursor is encoded only when `cursor` is selected (no closure per edge). */
class RecordEdge {
  constructor(
    readonly node: RecordNode,
    readonly index: number,
    readonly cursorOf: (i: number) => string,
  ) {}
  cursor(): string {
    return this.cursorOf(this.index);
  }
}
interface RecordPageShape {
  edges: RecordEdge[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  totalCount: number | null;
}

const RecordEdgeRef = builder.objectRef<RecordEdge>('RecordEdge').implement({
  fields: (t) => ({
    cursor: t.string({ resolve: (e) => e.cursor() }),
    node: t.field({ type: RecordRef, resolve: (e) => e.node }),
  }),
});

export const RecordConnectionRef = builder.objectRef<RecordPageShape>('RecordConnection').implement({
  fields: (t) => ({
    edges: t.field({ type: [RecordEdgeRef], resolve: (c) => c.edges }),
    pageInfo: t.field({ type: PageInfoRef, resolve: (c) => c.pageInfo }),
    totalCount: t.int({
      nullable: true,
      description: 'Records matching the query (counted only when selected).',
      resolve: (c) => c.totalCount,
    }),
  }),
});

/** Whether the field's selection (fragments included) asks for `name` directly. */
function selects(info: GraphQLResolveInfo, name: string): boolean {
  const seen = new Set<string>();
  const walk = (set: SelectionSetNode | undefined): boolean =>
    !!set &&
    set.selections.some((s) => {
      if (s.kind === Kind.FIELD) return s.name.value === name;
      if (s.kind === Kind.INLINE_FRAGMENT) return walk(s.selectionSet);
      if (seen.has(s.name.value)) return false;
      seen.add(s.name.value);
      return walk(info.fragments[s.name.value]?.selectionSet);
    });
  return info.fieldNodes.some((node) => walk(node.selectionSet ?? undefined));
}

const recordArgs = (t: PothosFieldArgs) => ({
  viewId: t.arg.id({ required: false }),
  filterByFormula: t.arg.string({ required: false }),
  sort: t.arg({ type: [SortInput], required: false }),
  recordIds: t.arg.idList({ required: false }),
  first: t.arg.int({ required: false, defaultValue: DEFAULT_PAGE_SIZE }),
  after: t.arg.string({ required: false }),
  fieldKey: t.arg({ type: FieldKeyEnum, required: false, defaultValue: 'name' }),
  cellFormat: t.arg({ type: CellFormatEnum, required: false, defaultValue: 'json' }),
});
type PothosFieldArgs = { arg: Parameters<Parameters<typeof builder.queryField>[1]>[0]['arg'] };

interface RecordArgs {
  viewId?: string | number | null | undefined;
  filterByFormula?: string | null | undefined;
  sort?: { field: string; order?: 'asc' | 'desc' | null | undefined }[] | null | undefined;
  recordIds?: (string | number)[] | null | undefined;
  first?: number | null | undefined;
  after?: string | null | undefined;
  fieldKey?: FieldKey | null | undefined;
  cellFormat?: CellFormat | null | undefined;
}

/** One page of a datasheet's records on the domain's keyset cursors. */
async function recordConnection(
  ctx: GraphQLContext,
  datasheetId: string,
  args: RecordArgs,
  info: GraphQLResolveInfo,
): Promise<RecordPageShape> {
  const scope = await admit(ctx, RECORD_SCOPE, { datasheetId });
  const first = args.first ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE_SIZE)
    throw invalidArgument(`first must be an integer from 1 to ${MAX_PAGE_SIZE}`, { parameter: 'first' });
  const fieldKey = args.fieldKey ?? 'name';
  const cellFormat = args.cellFormat ?? 'json';
  const page = await ctx.services.records.query(scope, datasheetId, {
    viewId: args.viewId ? String(args.viewId) : undefined,
    filterByFormula: args.filterByFormula ?? undefined,
    sort: args.sort?.map((s) => ({ field: s.field, order: s.order ?? 'asc' })),
    recordIds: args.recordIds?.map(String),
    pageSize: first,
    after: args.after ?? null,
    fieldKey,
    cellFormat,
    withTotal: selects(info, 'totalCount'),
  });
  const cursorOf = page.cursorOf!;
  const format = formatKey(fieldKey, cellFormat);
  const meta = page.meta!;
  const edges = page.records.map(
    (view, i) => new RecordEdge(toRecordNode(view, meta[i]!, datasheetId, format), i, cursorOf),
  );
  return {
    edges,
    pageInfo: { hasNextPage: Boolean(page.nextCursor), endCursor: edges.at(-1)?.cursor() ?? null },
    totalCount: page.total ?? null,
  };
}

builder.queryField('records', (t) =>
  t.field({
    type: RecordConnectionRef,
    description: `Records of a datasheet, filtered and sorted as REST's GET records; \`first\` 1–${MAX_PAGE_SIZE} (default ${DEFAULT_PAGE_SIZE}), \`after\` a cursor of this same query.`,
    ...scoped(RECORD_SCOPE),
    args: { datasheetId: t.arg.id({ required: true }), ...recordArgs(t) },
    resolve: (_root, args, ctx, info) => recordConnection(ctx, String(args.datasheetId), args, info),
  }),
);

builder.objectField(DatasheetRef, 'records', (t) =>
  t.field({
    type: RecordConnectionRef,
    description: 'The records of this datasheet (as Query.records).',
    args: recordArgs(t),
    resolve: (d, args, ctx, info) => recordConnection(ctx, d.id, args, info),
  }),
);

async function recordById(ctx: GraphQLContext, id: string): Promise<RecordNode | null> {
  await admit(ctx, RECORD_SCOPE);
  const row = await ctx.loaders.recordRow.load(id);
  if (!row || !(await reachable(ctx, RECORD_SCOPE, row.datasheetId))) return null;
  return row;
}

builder.queryField('record', (t) =>
  t.field({
    type: RecordRef,
    nullable: true,
    description: 'A record by id; null when it does not exist or is out of the token’s reach.',
    ...scoped(RECORD_SCOPE),
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, { id }, ctx) => recordById(ctx, String(id)),
  }),
);

nodeFetcher('rec', recordById);
