import type { Queryable } from '../../db/client.js';
import type { SortKey } from '../../db/query/list-records.js';
import type { LookupSource, LookupSources } from '../../db/query/lookup-columns.js';
import { canReach, type Reach } from '../access/reach.js';
import { loadSchema, type DatasheetSchema } from '../datasheets/schema.js';
import { DomainError } from '../errors.js';
import type { FieldDef } from '../fields/field-type.js';
import type { MagicLookUpProperty } from '../fields/types/magic-lookup.field.js';
import { fieldTypeOf, linkTargetOf } from '../fields/registry.js';
import { formulaFieldIds } from '../formula/references.js';
import type { FilterGroup } from '../views/view.schema.js';

export interface ResolvedLookup {
  link: FieldDef;
  foreign: DatasheetSchema;
  target: FieldDef;
}

/** Schemas already loaded in one request, by datasheet id (null: gone). */
export type SchemaMemo = Map<string, DatasheetSchema | null>;

/**
 * A lookup field's link field, linked datasheet and target field; null when any of them is gone, or the linked
 * datasheet is outside the caller's reach (it reads as gone: empty values, `hasError` in GET fields).
 */
export async function resolveLookup(
  db: Queryable,
  schema: DatasheetSchema,
  field: FieldDef,
  reach: Reach,
  schemas: SchemaMemo = new Map(),
): Promise<ResolvedLookup | null> {
  const p = field.property as MagicLookUpProperty;
  const link = schema.fields.find((f) => f.id === p.relatedLinkFieldId && linkTargetOf(f) !== null);
  if (!link) return null;
  const foreignId = linkTargetOf(link)!;
  if (!canReach(reach, foreignId)) return null;
  const foreign = await schemaOf(db, schema.spaceId, foreignId, schemas);
  const target = foreign?.fields.find((f) => f.id === p.targetFieldId);
  return foreign && target ? { link, foreign, target } : null;
}

async function schemaOf(db: Queryable, spaceId: string, datasheetId: string, schemas: SchemaMemo) {
  if (!schemas.has(datasheetId)) {
    try {
      schemas.set(datasheetId, await loadSchema(db, spaceId, datasheetId));
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      schemas.set(datasheetId, null);
    }
  }
  return schemas.get(datasheetId) ?? null;
}

/**
 * Sources of the lookup fields a statement reads in SQL (the view filter, the sorts, Formula fields, the formula
 * filter): their linked datasheets, loaded for this statement. A lookup into a datasheet the caller does not reach
 * has no source: filters, sorts and formulas read it empty, as its rendered cells are.
 */
export async function lookupSources(
  db: Queryable,
  reach: Reach,
  schema: DatasheetSchema,
  filter: FilterGroup | null,
  sorts: readonly SortKey[],
  formula: string | undefined,
): Promise<LookupSources | undefined> {
  const all = schema.fields.filter((f) => fieldTypeOf(f.type).computed === 'lookup');
  if (all.length === 0) return undefined;
  // Read by the filter, the sorts, a Formula field, or (by name or id) the formula filter.
  const used = new Set([...sorts.map((s) => s.field.id), ...(filter ? filterFieldIds(filter) : [])]);
  for (const ast of schema.formulas.values()) if (ast) for (const id of formulaFieldIds(ast)) used.add(id);
  const lookups = all.filter(
    (f) => used.has(f.id) || (formula !== undefined && (formula.includes(f.name) || formula.includes(f.id))),
  );
  if (lookups.length === 0) return undefined;
  const sources = new Map<string, LookupSource>();
  const schemas: SchemaMemo = new Map();
  for (const field of lookups) {
    const resolved = await resolveLookup(db, schema, field, reach, schemas);
    if (resolved) {
      const { link, foreign, target } = resolved;
      sources.set(field.id, {
        link,
        datasheetId: foreign.id,
        fields: foreign.fields,
        formulas: foreign.formulas,
        target,
      });
    }
  }
  return sources;
}

const filterFieldIds = (group: FilterGroup): string[] =>
  group.conditions.flatMap((c) => ('conditions' in c ? filterFieldIds(c) : [c.fieldId]));
