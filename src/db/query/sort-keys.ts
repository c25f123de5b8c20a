import type { FieldDef } from '../../domain/fields/field-type.js';
import { fieldTypeOf } from '../../domain/fields/registry.js';
import { cellExpr, cellKindOf, type ComputedSql } from './cell-expr.js';

/**
 * Sort keys as (flag, value) pairs: the flag orders empties (first in ascending order, except selects,
 * whose empties go last, as the reference), the value is never NULL so rows compare as tuples.
 */
/** A field's sort key as (emptiness flag, non-null value); the index manager builds indexes on the same text. */
export function sortKeyExprs(field: FieldDef, alias = 'r', computed?: ComputedSql): [string, string] {
  const module = fieldTypeOf(field.type);
  const { sort } = cellExpr(field, module, alias, computed);
  const kind = cellKindOf(field, module);
  const emptiesLast = kind === 'select';
  // Ascending: empties first (flag 0) for most kinds; selects put them last. Descending reverses both.
  const value = `coalesce(${sort}, ${sentinel(kind)})`;
  return [
    `(CASE WHEN ${sort} IS NULL THEN ${emptiesLast ? 1 : 0} ELSE ${emptiesLast ? 0 : 1} END)`,
    // Text in the reference's locale order (migration 20261202020000_text_collation), not by code point.
    TEXT_KINDS.has(kind) ? `(${value} COLLATE sort_text)` : value,
  ];
}

const TEXT_KINDS = new Set(['text', 'array', 'json']);

function sentinel(kind: string): string {
  if (kind === 'number' || kind === 'datetime' || kind === 'select') return '0';
  if (kind === 'boolean') return 'false';
  if (kind === 'json') return "''";
  return "''";
}
