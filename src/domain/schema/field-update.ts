import { asQueryable, type Database, type PrismaClient } from '../../db/client.js';
import { bumpSchemaRevision, saveConvertedField } from '../../db/stores/field-conversion.store.js';
import { lockDatasheet } from '../../db/stores/datasheet-lock.store.js';
import type { Tx } from '../../db/tx.js';
import type { Scope } from '../context.js';
import { datasheetNotFound, loadSchema, type DatasheetSchema } from '../datasheets/schema.js';
import { invalidArgument } from '../errors.js';
import type { ChangeBus, ChangeEvent } from '../events/change-bus.js';
import { inSchemaTransaction } from '../events/schema-write.js';
import {
  parseFieldProperty,
  validateDescription,
  validateFieldName,
  validateFieldType,
} from '../fields/field-input.js';
import type { FieldDef, FieldType } from '../fields/field-type.js';
import { fieldTypeOf, isLinkType } from '../fields/registry.js';
import type { LinkProperty } from '../fields/shared/link.js';
import { cellsChangedEvent, convertCells, planConversion, recordConversionEvents } from './field-conversion.js';
import { checkFormulaField } from './formula-check.js';
import { schemaChange, schemaChangedEvent } from './schema-event.js';

export interface UpdateFieldInput {
  name?: unknown;
  property?: unknown;
  description?: unknown;
  type?: unknown;
}

export interface FieldUpdateDeps {
  prisma: PrismaClient;
  /** Type changes run on raw sessions of this database (set-based SQL, as record writes). */
  db: Pick<Database, 'transaction'>;
  bus: ChangeBus;
  timeZone: string;
}

/**
 * Renames a field, sets its description or property, or changes its type: the cells are converted in the same
 * transaction (field-conversion.ts), all or nothing, with their history and change events. As every schema write, the
 * events go into the change feed inside the transaction and on the in-process bus once it committed.
 */
export async function updateField(
  deps: FieldUpdateDeps,
  scope: Scope,
  datasheetId: string,
  fieldId: string,
  input: UpdateFieldInput,
): Promise<FieldDef> {
  if (Object.values(input).every((value) => value === undefined))
    throw invalidArgument('Give name, description, property or type', { parameter: 'name' });
  const type = input.type === undefined ? undefined : validateFieldType(input.type, 'type');
  const description = input.description === undefined ? undefined : validateDescription(input.description);
  if (type !== undefined) {
    const converted = await convertField(deps, scope, datasheetId, fieldId, { ...input, type, description });
    if (converted) return converted;
  }
  const { field } = await inSchemaTransaction(deps.prisma, deps.bus, async (tx) => {
    const schema = await loadSchema(asQueryable(tx), scope.spaceId, datasheetId);
    const current = findField(schema, fieldId);
    const name = nameOf(schema, current, input.name);
    return updateInPlace(tx, scope, schema, current, { name, property: input.property, description });
  });
  return field;
}

interface Changes {
  name: string;
  property: unknown;
  description: string | null | undefined;
}

/** Name, description and property of a field keeping its type. */
async function updateInPlace(
  tx: Tx,
  scope: Scope,
  schema: DatasheetSchema,
  current: FieldDef,
  { name, description, ...input }: Changes,
): Promise<{ field: FieldDef; events: ChangeEvent[] }> {
  let property = current.property;
  if (input.property !== undefined) {
    property = parseFieldProperty(current.type, input.property, {
      existing: current.property,
      fieldIds: schema.fields.map((f) => f.id),
    });
    if (isLinkType(current.type)) keepLinkIdentity(current.property as LinkProperty, property as LinkProperty);
  }
  if (fieldTypeOf(current.type).computed === 'formula')
    property = checkFormulaField({ id: current.id, name, property }, schema.fields);
  await tx.field.update({
    where: { id: current.id },
    data: { name, property: property as object, ...(description !== undefined ? { description } : {}) },
  });
  const event = await schemaChange(tx, scope, schema.id, 'field.updated', current.id);
  return { field: { ...current, name, property }, events: [event] };
}

/**
 * A type change, in one transaction on a raw session as record writes (set-based SQL, no ORM per statement): the
 * datasheet locked (record writers wait), the change planned (refusals before any write), the cells converted, the
 * field saved, then the feed events: the schema change first, then the cells' updates (written from the history, a
 * page at a time). Publishes the schema change, and a records.changed wake-up without cells when cells changed
 * (in-process listeners only learn that the feed moved; the cells are in the feed). Undefined when the field already
 * has the type (an update in place).
 */
async function convertField(
  deps: FieldUpdateDeps,
  scope: Scope,
  datasheetId: string,
  fieldId: string,
  input: UpdateFieldInput & { type: FieldType; description: string | null | undefined },
): Promise<FieldDef | undefined> {
  const at = new Date();
  const out = await deps.db.transaction(async (q) => {
    if (!(await lockDatasheet(q, datasheetId, scope.spaceId))) throw datasheetNotFound(datasheetId);
    const schema = await loadSchema(q, scope.spaceId, datasheetId);
    const current = findField(schema, fieldId);
    if (current.type === input.type) return undefined;
    const name = nameOf(schema, current, input.name);
    const plan = await planConversion(q, schema, current, input.type, { name, property: input.property });
    const converted = await convertCells(q, scope, datasheetId, plan, { timeZone: deps.timeZone, at });
    await saveConvertedField(q, converted.field, input.description);
    const meta = { revision: await bumpSchemaRevision(q, datasheetId), at };
    const schemaEvent = schemaChangedEvent(scope, datasheetId, 'field.updated', fieldId, meta);
    await deps.bus.record(q, [schemaEvent]);
    const cells = await recordConversionEvents(q, deps.bus, scope, datasheetId, fieldId, converted.changesAfter, meta);
    const events: ChangeEvent[] = [schemaEvent, ...(cells ? [cellsChangedEvent(scope, datasheetId, meta)] : [])];
    return { field: converted.field, events };
  });
  if (!out) return undefined;
  deps.bus.publish(out.events);
  return out.field;
}

export function findField(schema: DatasheetSchema, fieldId: string): FieldDef {
  const field = schema.fields.find((f) => f.id === fieldId);
  if (!field) throw invalidArgument(`fieldId "${fieldId}" does not exist`, { parameter: 'fieldId' });
  return field;
}

function nameOf(schema: DatasheetSchema, current: FieldDef, name: unknown): string {
  const others = schema.fields.filter((f) => f.id !== current.id).map((f) => f.name);
  return name === undefined ? current.name : validateFieldName(name, 'name', others);
}

/** A link's target and sibling are its identity; a property update cannot move them. */
function keepLinkIdentity(current: LinkProperty, next: LinkProperty) {
  if (next.foreignDatasheetId !== current.foreignDatasheetId) {
    throw invalidArgument('The linked datasheet of a link field cannot be changed', {
      parameter: 'property.foreignDatasheetId',
    });
  }
  if (current.brotherFieldId) next.brotherFieldId = current.brotherFieldId;
}
