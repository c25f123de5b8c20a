import { asQueryable, type PrismaClient } from '../../db/client.js';
import { compileFilter, FilterCompileError } from '../../db/query/compile-filter.js';
import { SqlParams } from '../../db/query/sql-params.js';
import { removeFieldCells } from '../../db/stores/record.store.js';
import type { Tx } from '../../db/tx.js';
import type { Scope } from '../context.js';
import { beyondReach, canReach, type Reach } from '../access/reach.js';
import { datasheetNotFound, loadSchema, type DatasheetSchema } from '../datasheets/schema.js';
import { DomainError, invalidArgument } from '../errors.js';
import type { ChangeBus, SchemaChangedEvent } from '../events/change-bus.js';
import { inSchemaTransaction } from '../events/schema-write.js';
import { newId } from '../ids.js';
import { MAX_FIELDS_PER_DATASHEET } from '../limits.js';
import type { FilterCondition } from '../views/view.schema.js';
import type { FieldDef, FieldType } from '../fields/field-type.js';
import { checkFormulaField } from './formula-check.js';
import { linkToText } from './link-to-text.js';
import type { LinkProperty } from '../fields/shared/link.js';
import { fieldTypeOf, isLinkType } from '../fields/registry.js';
import {
  parseFieldProperty,
  validateDescription,
  validateFieldName,
  validateFieldType,
  type FieldInput,
} from '../fields/field-input.js';

interface LookupProperty {
  relatedLinkFieldId: string;
  targetFieldId: string;
  sortInfo?: { rules: { fieldId: string }[] };
  filterInfo?: { conditions: { fieldId: string; operator: string; value?: unknown }[] };
}

/**
 * Validates and inserts one field into a datasheet inside the caller's transaction. Links must point into
 * the same space, within the caller's reach (a datasheet outside it is answered as a missing one); a two-way
 * link gets its sibling field in the foreign datasheet; a lookup must name a link field of this datasheet
 * whose datasheet the caller reaches, and a field of that datasheet.
 */
export async function insertField(
  tx: Tx,
  reach: Reach,
  schema: DatasheetSchema,
  input: FieldInput,
  labels: { name: string; type: string; property: string } = { name: 'name', type: 'type', property: 'property' },
): Promise<FieldDef> {
  if (schema.fields.length >= MAX_FIELDS_PER_DATASHEET) {
    throw new DomainError('FIELD_LIMIT', `fields must contain no more than ${MAX_FIELDS_PER_DATASHEET} elements`, {
      parameter: 'fields',
      limit: MAX_FIELDS_PER_DATASHEET,
    });
  }
  const name = validateFieldName(
    input.name,
    labels.name,
    schema.fields.map((f) => f.name),
  );
  const type = validateFieldType(input.type, labels.type);
  const description = validateDescription(input.description);
  const fieldIds = schema.fields.map((f) => f.id);
  let property = parseFieldProperty(type, input.property, { fieldIds }, labels.property) as Record<string, unknown>;
  const id = newId('field');
  const module = fieldTypeOf(type);
  if (module.computed === 'formula') property = checkFormulaField({ id, name, property }, schema.fields);
  if (isLinkType(type))
    await prepareLink(tx, reach, schema, id, type, property as unknown as LinkProperty, labels.property);
  if (module.computed === 'lookup') await checkLookup(tx, reach, schema, property as unknown as LookupProperty);
  const position = schema.fields.reduce((max, f) => Math.max(max, positionOf(f)), 0) + 1;
  await tx.field.create({
    data: {
      id,
      datasheetId: schema.id,
      name,
      type,
      property: property as object,
      description,
      position,
      isPrimary: schema.fields.length === 0,
    },
  });
  const field: FieldDef = { id, name, type, property, isPrimary: schema.fields.length === 0 };
  (field as FieldDef & { position: number }).position = position;
  schema.fields.push(field);
  return field;
}

const positionOf = (f: FieldDef) => (f as FieldDef & { position?: number }).position ?? 0;

async function prepareLink(
  tx: Tx,
  reach: Reach,
  schema: DatasheetSchema,
  fieldId: string,
  type: FieldType,
  property: LinkProperty,
  label: string,
) {
  const foreign = canReach(reach, property.foreignDatasheetId)
    ? await tx.datasheet.findFirst({
        where: { id: property.foreignDatasheetId, spaceId: schema.spaceId },
        include: { node: { select: { name: true } }, fields: { select: { name: true, position: true } } },
      })
    : null;
  if (!foreign) throw invalidArgument(`Invalid value for ${label}`, { parameter: `${label}.foreignDatasheetId` });
  // A type that keeps a sibling (two-way links) gets one in the linked datasheet, unless it links its own.
  if (!fieldTypeOf(type).sibling || foreign.id === schema.id) {
    delete property.brotherFieldId;
    return;
  }
  const brotherId = newId('field');
  const taken = new Set(foreign.fields.map((f) => f.name));
  let brotherName = schema.name;
  for (let n = 2; taken.has(brotherName); n++) brotherName = `${schema.name} (${n})`;
  await tx.field.create({
    data: {
      id: brotherId,
      datasheetId: foreign.id,
      name: brotherName,
      type: 'TwoWayLink',
      property: { foreignDatasheetId: schema.id, brotherFieldId: fieldId },
      position: foreign.fields.reduce((max, f) => Math.max(max, f.position), 0) + 1,
      isPrimary: false,
    },
  });
  property.brotherFieldId = brotherId;
}

/** A lookup's link, target, sort and filter fields, with the reference's messages (aitable-fusion-api.md §5 `api_params_lookup_*`). */
async function checkLookup(tx: Tx, reach: Reach, schema: DatasheetSchema, property: LookupProperty) {
  const bad = (message: string, parameter: string) => invalidArgument(message, { parameter: `property.${parameter}` });
  const related = schema.fields.find((f) => f.id === property.relatedLinkFieldId);
  if (!related)
    throw bad(
      `The link field ID "${property.relatedLinkFieldId}" associated with the lookup field does not exist.`,
      'relatedLinkFieldId',
    );
  if (!isLinkType(related.type))
    throw bad(
      `The field ID "${property.relatedLinkFieldId}" associated with the lookup field is not a link field.`,
      'relatedLinkFieldId',
    );
  const foreignId = (related.property as LinkProperty).foreignDatasheetId;
  // Outside the caller's reach, the linked datasheet is answered as a missing one (what loading it would say).
  if (!canReach(reach, foreignId)) throw datasheetNotFound(foreignId);
  const foreign = await loadSchema(asQueryable(tx), schema.spaceId, foreignId);
  if (!foreign.fields.some((f) => f.id === property.targetFieldId)) {
    throw bad(
      `The field ID "${property.targetFieldId}" referenced by the lookup field does not exist.`,
      'targetFieldId',
    );
  }
  for (const rule of property.sortInfo?.rules ?? []) {
    const field = foreign.fields.find((f) => f.id === rule.fieldId);
    if (!field)
      throw bad(`The sorting field ID "${rule.fieldId}" specified by the lookup field does not exist.`, 'sortInfo');
    if (UNSORTABLE.has(field.type))
      throw bad(
        `The sorting field ID "${rule.fieldId}" specified by the lookup field cannot be used as a sorting field.`,
        'sortInfo',
      );
  }
  for (const condition of property.filterInfo?.conditions ?? []) {
    if (!foreign.fields.some((f) => f.id === condition.fieldId)) {
      throw bad(
        `The filtering field ID "${condition.fieldId}" specified by the lookup field does not exist.`,
        'filterInfo',
      );
    }
    try {
      compileFilter(
        { conjunction: 'and', conditions: [condition as FilterCondition] },
        foreign.fields,
        new SqlParams(),
      );
    } catch (error) {
      if (!(error instanceof FilterCompileError)) throw error;
      throw bad(
        `The filtering field ID "${condition.fieldId}" specified by the lookup field does not support the "${condition.operator}" operator.`,
        'filterInfo',
      );
    }
  }
}

/** Fields whose values have no order (the reference refuses them as a lookup's sort field). */
const UNSORTABLE = new Set<FieldType>(['Attachment', 'Button']);

export interface UpdateFieldInput {
  name?: unknown;
  property?: unknown;
  description?: unknown;
  type?: unknown;
}

export function createFieldService(prisma: PrismaClient, bus: ChangeBus, settings: { timeZone?: string } = {}) {
  async function schemaChange(
    tx: Tx,
    scope: Scope,
    datasheetId: string,
    change: SchemaChangedEvent['change'],
    targetId: string,
  ) {
    const updated = await tx.datasheet.update({
      where: { id: datasheetId },
      data: { revision: { increment: 1 }, schemaRevision: { increment: 1 } },
    });
    return {
      type: 'schema.changed' as const,
      spaceId: scope.spaceId,
      datasheetId,
      revision: Number(updated.revision),
      actorId: scope.userId,
      at: new Date(),
      change,
      targetId,
    };
  }

  async function add(scope: Scope, datasheetId: string, input: FieldInput): Promise<FieldDef> {
    const { field } = await inSchemaTransaction(prisma, bus, async (tx) => {
      const schema = await loadSchema(asQueryable(tx), scope.spaceId, datasheetId);
      const created = await insertField(tx, scope, schema, input);
      const events = [await schemaChange(tx, scope, datasheetId, 'field.created', created.id)];
      const brother = (created.property as Partial<LinkProperty>).brotherFieldId;
      if (brother) {
        events.push(
          await schemaChange(
            tx,
            scope,
            (created.property as LinkProperty).foreignDatasheetId,
            'field.created',
            brother,
          ),
        );
      }
      return { field: created, events };
    });
    return field;
  }

  async function update(
    scope: Scope,
    datasheetId: string,
    fieldId: string,
    input: UpdateFieldInput,
  ): Promise<FieldDef> {
    if (Object.values(input).every((value) => value === undefined))
      throw invalidArgument('Give name, description, property or type', { parameter: 'name' });
    const { field } = await inSchemaTransaction(prisma, bus, async (tx) => {
      const schema = await loadSchema(asQueryable(tx), scope.spaceId, datasheetId);
      const current = findField(schema, fieldId);
      if (input.type !== undefined && validateFieldType(input.type, 'type') !== current.type) {
        throw invalidArgument(
          `Changing the type of field ${current.name} is not supported; create a new field instead`,
          {
            parameter: 'type',
          },
        );
      }
      const others = schema.fields.filter((f) => f.id !== fieldId).map((f) => f.name);
      const name = input.name === undefined ? current.name : validateFieldName(input.name, 'name', others);
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
      const description = input.description === undefined ? undefined : validateDescription(input.description);
      await tx.field.update({
        where: { id: fieldId },
        data: { name, property: property as object, ...(description !== undefined ? { description } : {}) },
      });
      const event = await schemaChange(tx, scope, datasheetId, 'field.updated', fieldId);
      return { field: { ...current, name, property }, events: [event] };
    });
    return field;
  }

  /**
   * Deletes a field and its cells. For a two-way link, `conversion: 'delete'` deletes the sibling field too;
   * `keepText` turns the sibling into a text field holding the titles its cells linked (the reference's
   * conversion); without a conversion the sibling stays, turned into a one-way link so its cells keep their meaning.
   */
  async function remove(
    scope: Scope,
    datasheetId: string,
    fieldId: string,
    removal: { conversion?: string } = {},
  ): Promise<void> {
    if (removal.conversion !== undefined && removal.conversion !== 'delete' && removal.conversion !== 'keepText') {
      throw invalidArgument('Invalid value for conversion', { parameter: 'conversion' });
    }
    await inSchemaTransaction(prisma, bus, async (tx) => {
      const schema = await loadSchema(asQueryable(tx), scope.spaceId, datasheetId);
      const field = findField(schema, fieldId);
      if (field.isPrimary) throw invalidArgument("The primary field can't be deleted", { parameter: 'fieldId' });
      await dropField(tx, datasheetId, field.id);
      const events = [await schemaChange(tx, scope, datasheetId, 'field.deleted', fieldId)];
      const sibling = fieldTypeOf(field.type).sibling?.(field.property, datasheetId);
      if (sibling) {
        // The sibling (deleted, or turned into a one-way link) belongs to the linked datasheet.
        if (!canReach(scope, sibling.datasheetId)) throw beyondReach({ parameter: 'fieldId', fieldId });
        const brother = await tx.field.findFirst({ where: { id: sibling.fieldId, datasheetId: sibling.datasheetId } });
        if (brother && removal.conversion === 'delete') {
          await dropField(tx, sibling.datasheetId, brother.id);
          events.push(await schemaChange(tx, scope, sibling.datasheetId, 'field.deleted', brother.id));
        } else if (brother && removal.conversion === 'keepText') {
          await linkToText(tx, brother, datasheetId, { timeZone: settings.timeZone ?? 'UTC' });
          events.push(await schemaChange(tx, scope, sibling.datasheetId, 'field.updated', brother.id));
        } else if (brother) {
          const { brotherFieldId: _dropped, ...rest } = brother.property as unknown as LinkProperty;
          await tx.field.update({ where: { id: brother.id }, data: { type: 'OneWayLink', property: rest as object } });
          events.push(await schemaChange(tx, scope, sibling.datasheetId, 'field.updated', brother.id));
        }
      }
      return { events };
    });
  }

  return { add, update, remove };
}

export type FieldService = ReturnType<typeof createFieldService>;

function findField(schema: DatasheetSchema, fieldId: string): FieldDef {
  const field = schema.fields.find((f) => f.id === fieldId);
  if (!field) throw invalidArgument(`fieldId "${fieldId}" does not exist`, { parameter: 'fieldId' });
  return field;
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

/** Removes the field row, its cells, and every mention of it in the datasheet's views. */
async function dropField(tx: Tx, datasheetId: string, fieldId: string): Promise<void> {
  await tx.field.delete({ where: { id: fieldId } });
  await removeFieldCells(asQueryable(tx), datasheetId, fieldId);
  const views = await tx.view.findMany({ where: { datasheetId } });
  for (const view of views) {
    const without = (list: unknown) => (list as string[]).filter((id) => id !== fieldId);
    await tx.view.update({
      where: { id: view.id },
      data: {
        hiddenFields: without(view.hiddenFields),
        columnOrder: without(view.columnOrder),
        sort: (view.sort as { fieldId: string }[]).filter((s) => s.fieldId !== fieldId),
        filter: (stripCondition(view.filter, fieldId) ?? undefined) as object | undefined,
      },
    });
  }
}

/** Removes conditions on a field from a (possibly nested) view filter. */
function stripCondition(filter: unknown, fieldId: string): unknown {
  if (!filter || typeof filter !== 'object') return filter;
  const group = filter as { conditions?: unknown[] };
  if (!Array.isArray(group.conditions)) return filter;
  return {
    ...group,
    conditions: group.conditions
      .filter((c) => (c as { fieldId?: string }).fieldId !== fieldId)
      .map((c) => stripCondition(c, fieldId)),
  };
}
