import { z } from 'zod';
import { asQueryable, type PrismaClient } from '../../db/client.js';
import { Prisma } from '../../../prisma/generated/client/client.js';
import { compileFilter, FilterCompileError } from '../../db/query/compile-filter.js';
import { SqlParams } from '../../db/query/sql-params.js';
import type { Tx } from '../../db/tx.js';
import type { Scope } from '../context.js';
import { loadSchema, type DatasheetSchema, type ViewDef } from '../datasheets/schema.js';
import { DomainError, invalidArgument } from '../errors.js';
import type { ChangeBus, ChangeEvent } from '../events/change-bus.js';
import { inSchemaTransaction } from '../events/schema-write.js';
import { newId } from '../ids.js';
import { MAX_NAME_LENGTH, MAX_VIEWS_PER_DATASHEET } from '../limits.js';
import { checkStorableName } from '../text.js';
import { conditionFieldIds, filterGroupSchema, VIEW_TYPES, viewSortSchema, type FilterGroup } from './view.schema.js';

export const DEFAULT_VIEW_NAME = 'Grid view';

export interface ViewInput {
  name?: unknown;
  type?: unknown;
  filter?: unknown;
  sort?: unknown;
  hiddenFields?: unknown;
  columnOrder?: unknown;
  rowOrder?: unknown;
}

export function createViewService(prisma: PrismaClient, bus: ChangeBus) {
  async function inTransaction<T>(
    scope: Scope,
    datasheetId: string,
    change: 'view.created' | 'view.updated' | 'view.deleted',
    fn: (tx: Tx, schema: DatasheetSchema) => Promise<T & { viewId: string }>,
  ) {
    const { result } = await inSchemaTransaction(prisma, bus, async (tx) => {
      const schema = await loadSchema(asQueryable(tx), scope.spaceId, datasheetId);
      const result = await fn(tx, schema);
      const ds = await tx.datasheet.update({
        where: { id: datasheetId },
        data: { revision: { increment: 1 }, schemaRevision: { increment: 1 } },
      });
      const event: ChangeEvent = {
        type: 'schema.changed',
        spaceId: scope.spaceId,
        datasheetId,
        revision: Number(ds.revision),
        actorId: scope.userId,
        at: new Date(),
        change,
        targetId: result.viewId,
      };
      return { result, events: [event] };
    });
    return result;
  }

  async function add(scope: Scope, datasheetId: string, input: ViewInput): Promise<ViewDef> {
    return inTransaction(scope, datasheetId, 'view.created', async (tx, schema) => {
      if (schema.views.length >= MAX_VIEWS_PER_DATASHEET) {
        throw new DomainError('VIEW_LIMIT', `A datasheet can have at most ${MAX_VIEWS_PER_DATASHEET} views`, {
          parameter: 'views',
          limit: MAX_VIEWS_PER_DATASHEET,
        });
      }
      const data = validateView(schema, input, undefined);
      const id = newId('view');
      const position = Math.max(0, ...schema.views.map((v) => v.position)) + 1;
      await tx.view.create({
        data: {
          id,
          datasheetId,
          ...data,
          filter: (data.filter ?? undefined) as object | undefined,
          rowOrder: data.rowOrder ?? undefined,
          position,
        },
      });
      return { ...data, id, position, viewId: id };
    });
  }

  async function update(scope: Scope, datasheetId: string, viewId: string, input: ViewInput): Promise<ViewDef> {
    return inTransaction(scope, datasheetId, 'view.updated', async (tx, schema) => {
      const current = findView(schema, viewId);
      const data = validateView(schema, input, current);
      await tx.view.update({
        where: { id: viewId },
        data: { ...data, filter: (data.filter as object | null) ?? DB_NULL, rowOrder: data.rowOrder ?? DB_NULL },
      });
      return { ...current, ...data, viewId };
    });
  }

  async function remove(scope: Scope, datasheetId: string, viewId: string): Promise<void> {
    await inTransaction(scope, datasheetId, 'view.deleted', async (tx, schema) => {
      findView(schema, viewId);
      if (schema.views.length === 1)
        throw invalidArgument("A datasheet's last view can't be deleted", { parameter: 'viewId' });
      await tx.view.delete({ where: { id: viewId } });
      return { viewId };
    });
  }

  /** Puts the views in the given order; every view of the datasheet must be named exactly once. */
  async function reorder(scope: Scope, datasheetId: string, viewIds: string[]): Promise<void> {
    await inTransaction(scope, datasheetId, 'view.updated', async (tx, schema) => {
      const known = schema.views.map((v) => v.id).sort();
      if ([...viewIds].sort().join() !== known.join()) {
        throw invalidArgument('viewIds must list every view of the datasheet exactly once', { parameter: 'viewIds' });
      }
      for (const [index, id] of viewIds.entries())
        await tx.view.update({ where: { id }, data: { position: index + 1 } });
      return { viewId: viewIds[0]! };
    });
  }

  return { add, update, remove, reorder };
}

export type ViewService = ReturnType<typeof createViewService>;

/** Writing SQL NULL into a nullable Json column needs Prisma's marker. */
const DB_NULL = Prisma.DbNull;

function findView(schema: DatasheetSchema, viewId: string): ViewDef {
  const view = schema.views.find((v) => v.id === viewId);
  if (!view) throw invalidArgument(`View (${viewId}) does not exist`, { parameter: 'viewId' });
  return view;
}

function validateView(schema: DatasheetSchema, input: ViewInput, current: ViewDef | undefined) {
  const fieldIds = new Set(schema.fields.map((f) => f.id));
  const checkFields = (ids: string[], parameter: string, mayRepeat = false) => {
    const unknown = ids.find((id) => !fieldIds.has(id));
    if (unknown) throw invalidArgument(`${parameter}: field "${unknown}" does not exist`, { parameter });
    if (!mayRepeat && new Set(ids).size !== ids.length)
      throw invalidArgument(`${parameter} must not repeat a field`, { parameter });
  };
  const others = schema.views.filter((v) => v.id !== current?.id).map((v) => v.name);
  const name =
    input.name === undefined ? (current?.name ?? nextViewName(others)) : validateViewName(input.name, others);
  const type = input.type === undefined ? (current?.type ?? 'Grid') : parse(z.enum(VIEW_TYPES), input.type, 'type');
  const filter =
    input.filter === undefined
      ? ((current?.filter as FilterGroup | null) ?? null)
      : input.filter === null
        ? null
        : parse(filterGroupSchema, input.filter, 'filter');
  if (filter) {
    checkFields(conditionFieldIds(filter), 'filter', true);
    try {
      // Compiling once proves every operator and value fits its field before the view is saved.
      compileFilter(filter, schema.fields, new SqlParams());
    } catch (error) {
      if (error instanceof FilterCompileError)
        throw invalidArgument(`Invalid value for filter: ${error.message}`, { parameter: 'filter' });
      throw error;
    }
  }
  const sort = input.sort === undefined ? (current?.sort ?? []) : parse(viewSortSchema, input.sort, 'sort');
  checkFields(
    sort.map((s) => s.fieldId),
    'sort',
  );
  const hiddenFields =
    input.hiddenFields === undefined
      ? (current?.hiddenFields ?? [])
      : parse(z.array(z.string()), input.hiddenFields, 'hiddenFields');
  checkFields(hiddenFields, 'hiddenFields');
  const primary = schema.fields.find((f) => f.isPrimary);
  if (primary && hiddenFields.includes(primary.id))
    throw invalidArgument("The primary field can't be hidden", { parameter: 'hiddenFields' });
  const columnOrder =
    input.columnOrder === undefined
      ? (current?.columnOrder ?? schema.fields.map((f) => f.id))
      : parse(z.array(z.string()), input.columnOrder, 'columnOrder');
  checkFields(columnOrder, 'columnOrder');
  const rowOrder =
    input.rowOrder === undefined
      ? (current?.rowOrder ?? null)
      : input.rowOrder === null
        ? null
        : parse(z.array(z.string()).max(1_000_000), input.rowOrder, 'rowOrder');
  if (rowOrder && new Set(rowOrder).size !== rowOrder.length)
    throw invalidArgument('rowOrder must not repeat a record', { parameter: 'rowOrder' });
  return { name, type, filter, sort, hiddenFields, columnOrder, rowOrder };
}

function validateViewName(name: unknown, others: string[]): string {
  if (typeof name !== 'string' || name.trim() === '')
    throw invalidArgument('Invalid value for name', { parameter: 'name' });
  const trimmed = name.trim();
  if (trimmed.length > MAX_NAME_LENGTH)
    throw invalidArgument(`$name's length must not be greater than $${MAX_NAME_LENGTH}`, { parameter: 'name' });
  checkStorableName(trimmed, 'name');
  if (others.includes(trimmed)) throw invalidArgument('name must be unique', { parameter: 'name' });
  return trimmed;
}

function nextViewName(others: string[]): string {
  for (let n = others.length + 1; ; n++) if (!others.includes(`Grid view ${n}`)) return `Grid view ${n}`;
}

function parse<T>(schema: z.ZodType<T>, value: unknown, parameter: string): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const where = issue.path.length ? `${parameter}.${issue.path.join('.')}` : parameter;
  throw invalidArgument(`Invalid value for ${where}: ${issue.message}`, { parameter });
}
