import type { DatasheetSchema } from '../datasheets/schema.js';
import { invalidArgument } from '../errors.js';
import type { FieldDef, FieldType } from './field-type.js';
import { fieldTypeOf } from './registry.js';

/** A field as the Fusion API lists it (aitable-fusion-api.md §2.6). */
export interface FieldApi {
  id: string;
  name: string;
  type: FieldType;
  property?: Record<string, unknown>;
  editable: boolean;
  isPrimary?: true;
  desc?: string;
}

/**
 * The fields of a datasheet as GET fields shows them: all of them in the first view's column order, or
 * a view's visible columns in its order. `editable` says whether the caller may write the cells. With the linked
 * datasheets' schemas (`linked`), a lookup shows the field it reads as `entityField`, or `hasError` when its link
 * or target is gone, as the reference does.
 */
export function listFieldsForApi(
  schema: DatasheetSchema,
  options: { viewId?: string | undefined; canWrite: boolean; linked?: ReadonlyMap<string, DatasheetSchema> | undefined },
): FieldApi[] {
  const view = options.viewId === undefined ? schema.views[0] : schema.views.find((v) => v.id === options.viewId);
  if (!view && options.viewId !== undefined) throw invalidArgument(`View (${options.viewId}) does not exist`, { parameter: 'viewId' });
  const order = view?.columnOrder ?? [];
  const rank = (id: string) => {
    const i = order.indexOf(id);
    return i < 0 ? order.length : i;
  };
  const primary = schema.fields.filter((f) => f.isPrimary);
  const rest = schema.fields.filter((f) => !f.isPrimary).sort((a, b) => rank(a.id) - rank(b.id));
  const visible = [...primary, ...rest].filter((f) => options.viewId === undefined || !view!.hiddenFields.includes(f.id));
  return visible.map((f) => {
    const api = fieldForApi(f, options.canWrite);
    return f.type === 'MagicLookUp' && options.linked ? withLookupEntity(api, f, schema, options.linked, options.canWrite) : api;
  });
}

function fieldForApi(f: DatasheetSchema['fields'][number], canWrite: boolean): FieldApi {
  const module = fieldTypeOf(f.type);
  const property = module.property.toApi(f.property);
  return {
    id: f.id,
    name: f.name,
    type: f.type,
    ...(property !== undefined ? { property } : {}),
    editable: canWrite && module.writable,
    ...(f.isPrimary ? { isPrimary: true as const } : {}),
    ...(f.description ? { desc: f.description } : {}),
  };
}

/** The datasheets a schema's lookup fields read, by id (for `listFieldsForApi`'s `linked`). */
export function lookupDatasheetIds(schema: DatasheetSchema): string[] {
  return [...new Set(schema.fields.flatMap((f) => (f.type === 'MagicLookUp' ? (lookupLink(f, schema)?.foreignDatasheetId ?? []) : [])))];
}

function lookupLink(field: FieldDef, schema: DatasheetSchema): { foreignDatasheetId: string } | undefined {
  const id = (field.property as { relatedLinkFieldId?: string }).relatedLinkFieldId;
  const link = schema.fields.find((f) => f.id === id && (f.type === 'OneWayLink' || f.type === 'TwoWayLink'));
  return link?.property as { foreignDatasheetId: string } | undefined;
}

function withLookupEntity(api: FieldApi, field: FieldDef, schema: DatasheetSchema, linked: ReadonlyMap<string, DatasheetSchema>, canWrite: boolean): FieldApi {
  const p = api.property ?? {};
  const foreign = linked.get(lookupLink(field, schema)?.foreignDatasheetId ?? '');
  const target = foreign?.fields.find((f) => f.id === p.targetFieldId);
  if (!foreign || !target) {
    return { ...api, property: { relatedLinkFieldId: p.relatedLinkFieldId, targetFieldId: p.targetFieldId, rollupFunction: p.rollupFunction, hasError: true } };
  }
  const filterInfo = p.filterInfo as { conjunction: string; conditions: { fieldId: string }[] } | undefined;
  return {
    ...api,
    property: {
      ...p,
      entityField: { datasheetId: foreign.id, field: fieldForApi(target, canWrite) },
      ...(filterInfo
        ? { filterInfo: { ...filterInfo, conditions: filterInfo.conditions.map((c) => ({ ...c, fieldType: foreign.fields.find((f) => f.id === c.fieldId)?.type })) } }
        : {}),
    },
  };
}
