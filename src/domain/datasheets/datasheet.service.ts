import { asQueryable, type PrismaClient } from '../../db/client.js';
import type { Tx } from '../../db/tx.js';
import type { Reach } from '../access/reach.js';
import type { Scope } from '../context.js';
import { invalidArgument } from '../errors.js';
import type { ChangeBus, ChangeEvent } from '../events/change-bus.js';
import { inSchemaTransaction } from '../events/schema-write.js';
import { insertField } from '../schema/field.service.js';
import { resolveLookup, type ResolvedLookup } from '../records/lookup-sources.js';
import type { FieldInput } from '../fields/field-input.js';
import { FIELD_TYPES, resolveTypeName } from '../fields/registry.js';
import { newId } from '../ids.js';
import { MAX_FIELDS_PER_DATASHEET, MAX_NAME_LENGTH } from '../limits.js';
import { checkStorableName } from '../text.js';
import { loadSchema, loadSchemas, datasheetNotFound, type DatasheetSchema } from './schema.js';
import { validateDescription } from '../fields/field-input.js';
import { checkRowCap, datasheetDetail, writeRowCap } from './datasheet-settings.js';
import { DEFAULT_VIEW_NAME } from '../views/view.service.js';

export interface CreateDatasheetInput {
  name: unknown;
  description?: unknown;
  folderId?: string | undefined;
  preNodeId?: string | undefined;
  fields?: FieldInput[] | undefined;
}

/** With no fields given, a datasheet starts like the reference's: a primary text column. */
const DEFAULT_FIELDS: FieldInput[] = [{ name: 'Title', type: 'SingleText', property: {} }];

export function createDatasheetService(prisma: PrismaClient, bus: ChangeBus) {
  /**
   * Creates the node, the datasheet, its fields (the first is primary and must be primary-capable) and a
   * default Grid view, in one transaction (aitable-fusion-api.md §2.11).
   */
  async function create(scope: Scope, input: CreateDatasheetInput): Promise<DatasheetSchema & { createdAt: Date }> {
    const name = validateName(input.name, 'datasheet');
    const description = validateDescription(input.description);
    const fields = input.fields ?? DEFAULT_FIELDS;
    if (!Array.isArray(fields)) throw invalidArgument('Invalid value for fields', { parameter: 'fields' });
    if (fields.length > MAX_FIELDS_PER_DATASHEET) {
      throw invalidArgument(`fields must contain no more than ${MAX_FIELDS_PER_DATASHEET} elements`, {
        parameter: 'fields',
      });
    }
    if (fields.length === 0) throw invalidArgument('datasheet must contain fields keys', { parameter: 'fields' });
    const first = fields[0]!;
    const firstType = resolveTypeName(first.type);
    if (
      typeof firstType === 'string' &&
      firstType in FIELD_TYPES &&
      !FIELD_TYPES[firstType as keyof typeof FIELD_TYPES].primaryCapable
    ) {
      throw invalidArgument(`The primary field type can't be ${firstType}`, { parameter: 'fields' });
    }
    const { schema, createdAt } = await inSchemaTransaction(prisma, bus, async (tx) => {
      const parentId = await resolveFolder(tx, scope.spaceId, input.folderId);
      const position = await positionAfter(tx, scope.spaceId, parentId, input.preNodeId);
      const id = newId('datasheet');
      await tx.node.create({ data: { id, spaceId: scope.spaceId, parentId, type: 'DATASHEET', name, position } });
      const created = await tx.datasheet.create({ data: { id, spaceId: scope.spaceId, description } });
      const schema: DatasheetSchema = {
        id,
        spaceId: scope.spaceId,
        name,
        fields: [],
        views: [],
        revision: 0,
        schemaRevision: 0,
        formulas: new Map(),
      };
      for (const field of fields) {
        const label = typeof field.name === 'string' ? field.name : '';
        await insertField(tx, scope, schema, field, {
          name: 'field.name',
          type: `fields[${label}].type`,
          property: `fields[${label}].property`,
        });
      }
      const viewId = newId('view');
      await tx.view.create({
        data: {
          id: viewId,
          datasheetId: id,
          name: DEFAULT_VIEW_NAME,
          type: 'Grid',
          columnOrder: schema.fields.map((f) => f.id),
          position: 1,
        },
      });
      const events = schema.fields
        .map((f) => f.property as { brotherFieldId?: string; foreignDatasheetId?: string })
        .filter((p) => p.brotherFieldId && p.foreignDatasheetId && p.foreignDatasheetId !== id)
        .map((p) => ({
          type: 'schema.changed' as const,
          spaceId: scope.spaceId,
          datasheetId: p.foreignDatasheetId!,
          revision: 0,
          actorId: scope.userId,
          at: created.createdAt,
          change: 'field.created' as const,
          targetId: p.brotherFieldId!,
        }));
      const loaded = await loadSchema(asQueryable(tx), scope.spaceId, id);
      const own: ChangeEvent = {
        type: 'schema.changed',
        spaceId: scope.spaceId,
        datasheetId: id,
        revision: loaded.revision,
        actorId: scope.userId,
        at: created.createdAt,
        change: 'datasheet.created',
        targetId: id,
      };
      return { schema: loaded, createdAt: created.createdAt, events: [own, ...events] };
    });
    return { ...schema, createdAt };
  }

  async function rename(scope: Scope, datasheetId: string, newName: unknown): Promise<void> {
    const name = validateName(newName, 'datasheet');
    await inSchemaTransaction(prisma, bus, async (tx) => {
      const updated = await tx.node.updateMany({
        where: { id: datasheetId, spaceId: scope.spaceId, type: 'DATASHEET' },
        data: { name },
      });
      if (updated.count === 0) throw datasheetNotFound(datasheetId);
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
        change: 'datasheet.updated',
        targetId: datasheetId,
        detail: { name },
      };
      return { events: [event] };
    });
  }

  /** Deletes the datasheet with its fields, views, records and their history (cascade). */
  async function remove(scope: Scope, datasheetId: string): Promise<void> {
    await inSchemaTransaction(prisma, bus, async (tx) => {
      const [ds] = await tx.datasheet.findMany({
        where: { id: datasheetId, spaceId: scope.spaceId },
        select: { revision: true },
      });
      const deleted = await tx.node.deleteMany({
        where: { id: datasheetId, spaceId: scope.spaceId, type: 'DATASHEET' },
      });
      if (deleted.count === 0) throw datasheetNotFound(datasheetId);
      const event: ChangeEvent = {
        type: 'schema.changed',
        spaceId: scope.spaceId,
        datasheetId,
        revision: Number(ds?.revision ?? 0) + 1,
        actorId: scope.userId,
        at: new Date(),
        change: 'datasheet.deleted',
        targetId: datasheetId,
      };
      return { events: [event] };
    });
  }

  const get = (scope: Scope, datasheetId: string) => loadSchema(asQueryable(prisma), scope.spaceId, datasheetId);
  /** What each lookup field reads (its linked datasheet and target field), for GET fields; absent when gone. */
  /** What each lookup field reads, for GET fields; lookups into datasheets outside `reach` are left out (as if gone). */
  async function lookupTargets(schema: DatasheetSchema, reach: Reach): Promise<Map<string, ResolvedLookup>> {
    const resolved = new Map<string, ResolvedLookup>();
    const schemas = new Map<string, DatasheetSchema | null>();
    for (const field of schema.fields.filter((f) => FIELD_TYPES[f.type].computed === 'lookup')) {
      const lookup = await resolveLookup(asQueryable(prisma), schema, field, reach, schemas);
      if (lookup) resolved.set(field.id, lookup);
    }
    return resolved;
  }
  /** Several datasheets of the scope's space at once (one round trip); ids out of the space are absent. */
  const getMany = (scope: Scope, datasheetIds: readonly string[]) =>
    loadSchemas(asQueryable(prisma), scope.spaceId, datasheetIds);
  /** The stored record counts of datasheets of the scope's space, by id (one round trip). */
  async function recordCounts(scope: Scope, datasheetIds: readonly string[]): Promise<Map<string, number>> {
    const rows = await prisma.datasheet.findMany({
      where: { id: { in: [...datasheetIds] }, spaceId: scope.spaceId },
      select: { id: true, recordCount: true },
    });
    return new Map(rows.map((r) => [r.id, r.recordCount]));
  }
  /** The datasheet a field or view belongs to, if it is of the scope's space (one round trip). */
  async function datasheetOf(scope: Scope, kind: 'field' | 'view', id: string): Promise<string | undefined> {
    const where = { id, datasheet: { spaceId: scope.spaceId } };
    const select = { datasheetId: true } as const;
    const row =
      kind === 'field'
        ? await prisma.field.findFirst({ where, select })
        : await prisma.view.findFirst({ where, select });
    return row?.datasheetId;
  }
  return {
    create,
    rename,
    remove,
    get,
    getMany,
    recordCounts,
    datasheetOf,
    lookupTargets,
    /** Name, record count and row cap of one datasheet (datasheet-settings.ts). */
    detail: (scope: Scope, datasheetId: string) => datasheetDetail(prisma, scope, datasheetId),
    /**
     * Renames the datasheet and/or sets its own row cap (null: inherit); both are checked before either is
     * written. The caller checked the role (setting the cap is an admin's).
     */
    async update(scope: Scope, datasheetId: string, input: { name?: unknown; rowCap?: unknown }): Promise<void> {
      if (input.name === undefined && input.rowCap === undefined)
        throw invalidArgument('Give name, rowCap or both', { parameter: 'name' });
      if (input.name !== undefined) validateName(input.name, 'datasheet');
      const rowCap = input.rowCap === undefined ? undefined : await checkRowCap(prisma, scope, input.rowCap);
      if (rowCap !== undefined) await writeRowCap(prisma, scope, datasheetId, rowCap);
      if (input.name !== undefined) await rename(scope, datasheetId, input.name);
    },
  };
}

export type DatasheetService = ReturnType<typeof createDatasheetService>;

function validateName(name: unknown, entity: string): string {
  if (typeof name !== 'string' || name.trim() === '')
    throw invalidArgument(`${entity} must contain name keys`, { parameter: 'name' });
  if (name.trim().length > MAX_NAME_LENGTH) {
    throw invalidArgument(`$name's length must not be greater than $${MAX_NAME_LENGTH}`, { parameter: 'name' });
  }
  return checkStorableName(name.trim(), 'name');
}

async function resolveFolder(tx: Tx, spaceId: string, folderId: string | undefined): Promise<string | null> {
  if (folderId === undefined) return null;
  const folder = await tx.node.findFirst({ where: { id: folderId, spaceId, type: 'FOLDER' } });
  if (!folder) throw invalidArgument('Invalid value for folderId', { parameter: 'folderId' });
  return folder.id;
}

/** Position right after preNodeId (same parent), or first when absent (§2.11). */
async function positionAfter(
  tx: Tx,
  spaceId: string,
  parentId: string | null,
  preNodeId: string | undefined,
): Promise<number> {
  const siblings = await tx.node.findMany({
    where: { spaceId, parentId },
    orderBy: { position: 'asc' },
    select: { id: true, position: true },
  });
  if (preNodeId === undefined) return (siblings[0]?.position ?? 1) - 1;
  const index = siblings.findIndex((s) => s.id === preNodeId);
  if (index < 0) throw invalidArgument('Invalid value for preNodeId', { parameter: 'preNodeId' });
  const before = siblings[index]!.position;
  const after = siblings[index + 1]?.position;
  return after === undefined ? before + 1 : (before + after) / 2;
}
