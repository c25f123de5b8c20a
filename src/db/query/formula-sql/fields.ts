import type { FormulaNode } from '../../../domain/formula/ast.js';
import { fieldTypeOf } from '../../../domain/fields/registry.js';
import { fieldShape, selectOptions } from '../../../domain/formula/field-values.js';
import { cellExpr } from '../cell-expr.js';
import { nullOf, numText, param, type SqlEnv } from './values.js';
import { withDecimal } from './conversions.js';

// Field references (field-values.ts readField).

export const FIELD_ID = /^fld[0-9A-Za-z]{1,40}$/;

export function fieldSql(env: SqlEnv, node: FormulaNode & { kind: 'field' }): string {
  const field = env.fields.get(node.fieldId);
  if (!field) return nullOf(node.type);
  const module = fieldTypeOf(field.type);
  const shape = fieldShape(field);
  // Inlined below (as cellExpr does): only well-formed ids and our own registry's keys.
  if (!FIELD_ID.test(field.id)) throw new Error(`not a field id: ${field.id}`);
  if ('key' in shape && shape.key !== undefined && !/^[A-Za-z]+$/.test(shape.key))
    throw new Error(`not a key: ${shape.key}`);
  const cell = `${env.alias}.cells->'${field.id}'`;
  const expr = () => cellExpr(field, module, env.alias);
  const stringOf = (c: string) => `(CASE WHEN jsonb_typeof(${c}) = 'string' THEN ${c} #>> '{}' END)`;
  const numberOf = (c: string) => `(CASE WHEN jsonb_typeof(${c}) = 'number' THEN (${c})::text::float8 END)`;
  switch (shape.kind) {
    case 'text':
      if (!shape.key) return `(CASE WHEN jsonb_typeof(${cell}) = 'string' THEN ${expr().value} END)`;
      return `(CASE jsonb_typeof(${cell}) WHEN 'string' THEN ${cell} #>> '{}' WHEN 'object' THEN (CASE WHEN jsonb_typeof(${cell}->'${shape.key}') = 'string' THEN ${expr().value} END) END)`;
    case 'number':
      return withDecimal(
        env,
        expr().value,
        undefined,
        () => `(CASE WHEN jsonb_typeof(${cell}) = 'number' THEN (${cell})::numeric END)`,
      );
    case 'datetime':
      return `floor(${expr().value})`;
    case 'boolean':
      return expr().sort;
    case 'select': {
      const map = param(
        env,
        JSON.stringify(Object.fromEntries(selectOptions(field).map((o) => [o.id, o.name]))),
        'jsonb',
      );
      return `(${map} ->> ${expr().value})`;
    }
    case 'multiSelect': {
      const map = param(
        env,
        JSON.stringify(Object.fromEntries(selectOptions(field).map((o) => [o.id, o.name]))),
        'jsonb',
      );
      return `NULLIF(ARRAY(SELECT ${map} ->> t.e FROM jsonb_array_elements_text(CASE WHEN jsonb_typeof(${cell}) = 'array' THEN ${cell} ELSE '[]'::jsonb END) WITH ORDINALITY AS t(e, i) WHERE ${map} ? t.e ORDER BY t.i), '{}'::text[])`;
    }
    case 'array':
      return (
        (fieldTypeOf(field.type).computed === 'lookup' ? env.lookups?.(field, env.alias) : undefined) ??
        arraySql(env, cell, shape.key)
      );
    case 'column':
      return shape.column === 'createdAt' || shape.column === 'updatedAt' ? `floor(${expr().value})` : expr().value;
    case 'computed':
      switch (shape.type) {
        case 'string':
          return stringOf(cell);
        case 'number':
          return numberOf(cell);
        case 'datetime':
          return `floor(${numberOf(cell)})`;
        case 'boolean':
          return `coalesce(${cell} = 'true'::jsonb, false)`;
        case 'array':
          return arraySql(env, cell, undefined);
        default:
          return nullOf(node.type);
      }
    case 'none':
      return nullOf(node.type);
  }
}

function arraySql(env: SqlEnv, cell: string, key: string | undefined): string {
  const k = ++env.seq.n;
  const e = `t${k}.e`;
  const objectText = key ? `CASE WHEN jsonb_typeof(${e}->'${key}') = 'string' THEN ${e}->>'${key}' END` : 'NULL::text';
  const element =
    `CASE jsonb_typeof(${e}) WHEN 'string' THEN ${e} #>> '{}' WHEN 'number' THEN ${numText(env, `(${e})::text::float8`)} ` +
    `WHEN 'boolean' THEN ${e}::text WHEN 'object' THEN ${objectText} END`;
  return `NULLIF(ARRAY(SELECT s${k}.x FROM (SELECT ${element} AS x, t${k}.i FROM jsonb_array_elements(CASE WHEN jsonb_typeof(${cell}) = 'array' THEN ${cell} ELSE '[]'::jsonb END) WITH ORDINALITY AS t${k}(e, i)) AS s${k} WHERE s${k}.x IS NOT NULL ORDER BY s${k}.i), '{}'::text[])`;
}
