import { asQueryable, type PrismaClient } from '../../db/client.js';
import { lockDatasheet } from '../../db/stores/datasheet-lock.store.js';
import type { Tx } from '../../db/tx.js';
import type { Scope } from '../context.js';
import { datasheetNotFound, loadSchema, type DatasheetSchema } from '../datasheets/schema.js';
import { invalidArgument } from '../errors.js';
import type { ChangeBus, ChangeEvent } from '../events/change-bus.js';
import {
  parseFieldProperty,
  validateDescription,
  validateFieldName,
  validateFieldType,
} from '../fields/field-input.js';
import type { FieldDef } from '../fields/field-type.js';
import { fieldTypeOf, isLinkType } from '../fields/registry.js';
import type { LinkProperty } from '../fields/shared/link.js';
import { cellsChangedEvent, convertCells, planConversion, recordConversionEvents } from './field-conversion.js';
import { checkFormulaField } from './formula-check.js';
import { schemaChange } from './schema-event.js';

export interface UpdateFieldInput {
  name?: unknown;
  property?: unknown;
  description?: unknown;
  type?: unknown;
}

export interface FieldUpdateDeps {
  prisma: PrismaClient;
  bus: ChangeBus;
  timeZone: string;
}

/** A conversion rewrites every cell of the field: it may take longer than a schema write's default 5 s. */
const CONVERSION_TIMEOUT_MS = 10 * 60_000;

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
  const type = input.type === undefined ? undefined : validateFieldType(input.type, 'type');
  const description = input.description === undefined ? undefined : validateDescription(input.description);
  const { field, events } = await deps.prisma.$transaction(
    async (tx: Tx) => {
      const q = asQueryable(tx);
      // A type change may rewrite every cell: record writers (who lock the datasheet too) wait for it.
      if (type !== undefined && !(await lockDatasheet(q, datasheetId, scope.spaceId)))
        throw datasheetNotFound(datasheetId);
      const schema = await loadSchema(q, scope.spaceId, datasheetId);
      const current = findField(schema, fieldId);
      const name = nameOf(schema, current, input.name);
      const changes = { name, property: input.property, description };
      if (type === undefined || type === current.type) {
        const updated = await updateInPlace(tx, scope, schema, current, changes);
        await deps.bus.record(q, updated.events);
        return updated;
      }
      return convert(tx, deps, scope, schema, current, { ...changes, type });
    },
    type === undefined ? undefined : { timeout: CONVERSION_TIMEOUT_MS },
  );
  deps.bus.publish(events);
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
 * A type change in the caller's transaction (the datasheet locked): planned (refusals before any write), the cells
 * converted, the field saved, then the feed events: the schema change first, then the cells' updates (written from
 * the history, a page at a time). Answers the events to publish: the schema change, and a records.changed wake-up
 * without cells when cells changed (in-process listeners only learn that the feed moved; the cells are in the feed).
 */
async function convert(
  tx: Tx,
  deps: FieldUpdateDeps,
  scope: Scope,
  schema: DatasheetSchema,
  current: FieldDef,
  input: Changes & { type: FieldDef['type'] },
): Promise<{ field: FieldDef; events: ChangeEvent[] }> {
  const at = new Date();
  const plan = await planConversion(tx, schema, current, input.type, input);
  const converted = await convertCells(tx, scope, schema.id, plan, { timeZone: deps.timeZone, at });
  await tx.field.update({
    where: { id: current.id },
    data: {
      name: input.name,
      type: converted.field.type,
      property: converted.field.property as object,
      ...(input.description !== undefined ? { description: input.description } : {}),
    },
  });
  const schemaEvent = await schemaChange(tx, scope, schema.id, 'field.updated', current.id);
  const q = asQueryable(tx);
  await deps.bus.record(q, [schemaEvent]);
  const meta = { revision: schemaEvent.revision, at };
  const cells = await recordConversionEvents(tx, deps.bus, scope, schema.id, current.id, converted.changesAfter, meta);
  return {
    field: converted.field,
    events: [schemaEvent, ...(cells ? [cellsChangedEvent(scope, schema.id, meta)] : [])],
  };
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
