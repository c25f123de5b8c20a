import { asQueryable, type PrismaClient } from '../../db/client.js';
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
 * transaction (field-conversion.ts), all or nothing, with their history and change events.
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
  const { field } = await inSchemaTransaction(deps.prisma, deps.bus, async (tx) => {
    const schema = await loadSchema(asQueryable(tx), scope.spaceId, datasheetId);
    const current = findField(schema, fieldId);
    if (type !== undefined && type !== current.type) return { field: undefined, events: [] as ChangeEvent[] };
    const name = nameOf(schema, current, input.name);
    let property = current.property;
    if (input.property !== undefined) {
      property = parseFieldProperty(current.type, input.property, {
        existing: current.property,
        fieldIds: schema.fields.map((f) => f.id),
      });
      if (isLinkType(current.type)) keepLinkIdentity(current.property as LinkProperty, property as LinkProperty);
    }
    if (fieldTypeOf(current.type).computed === 'formula')
      property = checkFormulaField({ id: fieldId, name, property }, schema.fields);
    await tx.field.update({
      where: { id: fieldId },
      data: { name, property: property as object, ...(description !== undefined ? { description } : {}) },
    });
    const event = await schemaChange(tx, scope, datasheetId, 'field.updated', fieldId);
    return { field: { ...current, name, property } as FieldDef | undefined, events: [event] };
  });
  return field ?? convertField(deps, scope, datasheetId, fieldId, { ...input, type: type!, description });
}

/**
 * A type change: the datasheet locked against record writes, the change planned (refusals before any write), the
 * cells converted, the field saved, then the feed events (the schema change first, then the cells' updates).
 */
async function convertField(
  deps: FieldUpdateDeps,
  scope: Scope,
  datasheetId: string,
  fieldId: string,
  input: UpdateFieldInput & { type: FieldDef['type']; description: string | null | undefined },
): Promise<FieldDef> {
  const at = new Date();
  const { field, events } = await deps.prisma.$transaction(
    async (tx: Tx) => {
      const q = asQueryable(tx);
      if (!(await lockDatasheet(q, datasheetId, scope.spaceId))) throw datasheetNotFound(datasheetId);
      const schema = await loadSchema(q, scope.spaceId, datasheetId);
      const current = findField(schema, fieldId);
      const name = nameOf(schema, current, input.name);
      const plan = await planConversion(tx, schema, current, input.type, { name, property: input.property });
      const converted = await convertCells(tx, scope, datasheetId, plan, { timeZone: deps.timeZone, at });
      await tx.field.update({
        where: { id: fieldId },
        data: {
          name,
          type: converted.field.type,
          property: converted.field.property as object,
          ...(input.description !== undefined ? { description: input.description } : {}),
        },
      });
      const schemaEvent = await schemaChange(tx, scope, datasheetId, 'field.updated', fieldId);
      await deps.bus.record(q, [schemaEvent]);
      const meta = { revision: schemaEvent.revision, at };
      const cells = await recordConversionEvents(
        tx,
        deps.bus,
        scope,
        datasheetId,
        fieldId,
        converted.changesAfter,
        meta,
      );
      const events: ChangeEvent[] = [schemaEvent, ...(cells ? [cellsChangedEvent(scope, datasheetId, meta)] : [])];
      return { field: converted.field, events };
    },
    { timeout: CONVERSION_TIMEOUT_MS, maxWait: CONVERSION_TIMEOUT_MS },
  );
  // The feed holds the cells' changes (written above); in-process listeners only need to know the feed moved.
  deps.bus.publish(events);
  return field;
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
