import type { DatasheetSchema } from '../datasheets/schema.js';
import { invalidArgument } from '../errors.js';
import type { ResolvedLookup } from '../records/lookup-sources.js';
import type { FieldType } from '../fields/field-type.js';
import { fieldTypeOf } from '../fields/registry.js';

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
 * a view's visible columns in its order. `editable` says whether the caller may write the cells. With what the
 * lookups read (`lookups`, by field id), a lookup shows its target as `entityField`, or `hasError` when its link or
 * target is gone, as the reference does.
 */
export function listFieldsForApi(
  schema: DatasheetSchema,
  options: {
    viewId?: string | undefined;
    canWrite: boolean;
    lookups?: ReadonlyMap<string, ResolvedLookup> | undefined;
  },
): FieldApi[] {
  const view = options.viewId === undefined ? schema.views[0] : schema.views.find((v) => v.id === options.viewId);
  if (!view && options.viewId !== undefined)
    throw invalidArgument(`View (${options.viewId}) does not exist`, { parameter: 'viewId' });
  const order = view?.columnOrder ?? [];
  const rank = (id: string) => {
    const i = order.indexOf(id);
    return i < 0 ? order.length : i;
  };
  const primary = schema.fields.filter((f) => f.isPrimary);
  const rest = schema.fields.filter((f) => !f.isPrimary).sort((a, b) => rank(a.id) - rank(b.id));
  const visible = [...primary, ...rest].filter(
    (f) => options.viewId === undefined || !view!.hiddenFields.includes(f.id),
  );
  return visible.map((f) => {
    const api = fieldForApi(f, options.canWrite);
    return fieldTypeOf(f.type).computed === 'lookup' && options.lookups
      ? withLookupEntity(api, options.lookups.get(f.id), options.canWrite)
      : api;
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

function withLookupEntity(api: FieldApi, resolved: ResolvedLookup | undefined, canWrite: boolean): FieldApi {
  const p = api.property ?? {};
  if (!resolved) {
    return {
      ...api,
      property: {
        relatedLinkFieldId: p.relatedLinkFieldId,
        targetFieldId: p.targetFieldId,
        rollupFunction: p.rollupFunction,
        hasError: true,
      },
    };
  }
  const { foreign, target } = resolved;
  const filterInfo = p.filterInfo as { conjunction: string; conditions: { fieldId: string }[] } | undefined;
  return {
    ...api,
    property: {
      ...p,
      entityField: { datasheetId: foreign.id, field: fieldForApi(target, canWrite) },
      ...(filterInfo
        ? {
            filterInfo: {
              ...filterInfo,
              conditions: filterInfo.conditions.map((c) => ({
                ...c,
                fieldType: foreign.fields.find((f) => f.id === c.fieldId)?.type,
              })),
            },
          }
        : {}),
    },
  };
}
