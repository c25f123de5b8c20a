import { fieldTypeOf } from '../../../domain/fields/registry.js';
import type { FieldDef } from '../../../domain/fields/field-type.js';
import type { FormulaNode } from '../../../domain/formula/ast.js';
import { fieldDisplayFormat } from '../../../domain/formula/date-format.js';
import { isValidIanaZone, type ZoneSpec } from '../../../domain/formula/dates.js';
import type { CompareOp } from '../../../domain/formula/compare.js';
import { selectOptions } from '../../../domain/formula/field-values.js';
import { compareDomain } from '../../../domain/formula/values.js';
import {
  anyError,
  bind,
  dec,
  divNumeric,
  errorUnlessPropagated,
  nullIsError,
  numText,
  param,
  parseNumber,
  type Sql,
  type SqlEnv,
  toDouble,
} from './values.js';
import { formatSql, inRange, parseDateSql, zoneSql } from './dates.js';
import { plainTextSql, toNumberSql, truthySql } from './conversions.js';
import { FIELD_ID } from './fields.js';

/** A select holding one option id (its cell compares to option ids, not names). */
const isSingleSelect = (f: FieldDef) => {
  const module = fieldTypeOf(f.type);
  return module.cellKind === 'select' && !module.multiple;
};

/** A node's text (values.ts plainText; datetime field references in their field's display format). */
export function textOf(env: SqlEnv, node: FormulaNode, c: Sql): Sql {
  if (node.kind === 'field' && node.type === 'datetime') {
    const field = env.fields.get(node.fieldId)!;
    const p = (field.property ?? {}) as {
      dateFormat?: string;
      timeFormat?: string;
      includeTime?: boolean;
      timeZone?: string;
    };
    const zone: ZoneSpec = p.timeZone && isValidIanaZone(p.timeZone) ? { kind: 'iana', name: p.timeZone } : env.zone;
    const z = zoneSql(env, zone);
    const v = bind(
      env,
      [c.v],
      ([x]) =>
        `CASE WHEN ${x} IS NULL OR NOT ${inRange(x!)} THEN ''::text ELSE ${formatSql(env, x!, { literal: fieldDisplayFormat(p) }, z)} END`,
    );
    return {
      v,
      e: anyError(
        c.e,
        bind(env, [c.v], ([x]) => `(${x} IS NOT NULL AND NOT ${inRange(x!)})`),
      ),
      type: 'string',
    };
  }
  return plainTextSql(env, c);
}

export function binary(env: SqlEnv, op: string, node: FormulaNode & { kind: 'binary' }, a: Sql, b: Sql): Sql {
  switch (op) {
    case '&&':
      return { v: `(${truthySql(a)} AND ${truthySql(b)})`, e: anyError(a.e, b.e), type: 'boolean' };
    case '||':
      return { v: `(${truthySql(a)} OR ${truthySql(b)})`, e: anyError(a.e, b.e), type: 'boolean' };
    case '&':
      return concat(env, node, a, b);
    case '+':
      if (node.type === 'string') return concat(env, node, a, b);
      return arithmetic(env, '+', a, b);
    case '-':
    case '*':
    case '/':
    case '%':
      return arithmetic(env, op, a, b);
    default:
      return selectEquals(env, op, node) ?? compareSql(env, op as CompareOp, a, b);
  }
}

/**
 * `{Single select} = "name"` (or `!=`, either side) with a non-empty literal, the commonest filterByFormula shape:
 * the same truth as comparing option names, tested on the stored option id so no name is looked up per row.
 */
function selectEquals(env: SqlEnv, op: string, node: FormulaNode & { kind: 'binary' }): Sql | undefined {
  if (op !== '=' && op !== '!=') return undefined;
  const [ref, literal] = node.left.kind === 'field' ? [node.left, node.right] : [node.right, node.left];
  if (ref.kind !== 'field' || literal.kind !== 'string' || literal.value === '') return undefined;
  const field = env.fields.get(ref.fieldId);
  if (!field || !isSingleSelect(field) || !FIELD_ID.test(field.id)) return undefined;
  const ids = selectOptions(field)
    .filter((o) => o.name === literal.value)
    .map((o) => o.id);
  const equal = `coalesce((${env.alias}.cells->>'${field.id}') = ANY(${param(env, ids, 'text[]')}), false)`;
  return { v: op === '=' ? equal : `(NOT ${equal})`, e: null, type: 'boolean' };
}

function concat(env: SqlEnv, node: FormulaNode & { kind: 'binary' }, a: Sql, b: Sql): Sql {
  const x = textOf(env, node.left, a);
  const y = textOf(env, node.right, b);
  return { v: `(${x.v} || ${y.v})`, e: anyError(x.e, y.e), type: 'string' };
}

function arithmetic(env: SqlEnv, op: '+' | '-' | '*' | '/' | '%', a: Sql, b: Sql): Sql {
  const x = toNumberSql(env, a);
  const y = toNumberSql(env, b);
  let v: string;
  switch (op) {
    case '+':
    case '-':
    case '*':
      v = toDouble(env, `(${dec(env, x.v)} ${op} ${dec(env, y.v)})`);
      break;
    case '/':
      v = bind(
        env,
        [dec(env, x.v), dec(env, y.v)],
        ([p, q]) => `CASE WHEN ${q} = 0 THEN NULL::float8 ELSE ${divNumeric(env, p!, q!)} END`,
      );
      break;
    case '%':
      v = bind(
        env,
        [dec(env, x.v), dec(env, y.v)],
        ([p, q]) => `CASE WHEN ${q} = 0 THEN NULL::float8 ELSE ${toDouble(env, `mod(${p}, ${q})`)} END`,
      );
      break;
  }
  // dec, numeric operators, mod, divNumeric and toDouble all give NULL for a NULL operand.
  return { v, e: anyError(errorUnlessPropagated(x), errorUnlessPropagated(y), nullIsError(v)), type: 'number' };
}

/** compare.ts compareValues in SQL: never NULL; its errors are the operands' errors. */
export function compareSql(env: SqlEnv, op: CompareOp, a: Sql, b: Sql): Sql {
  if (op === '!=') {
    const eq = compareSql(env, '=', a, b);
    return { v: `(NOT ${eq.v})`, e: eq.e, type: 'boolean' };
  }
  const domain = compareDomain(a.type, b.type);
  const numeric = (t: Sql['type']) => t === 'number' || t === 'datetime';
  if (op !== '=' && numeric(a.type) && numeric(b.type)) {
    // Ordering two numbers (or dates): an empty side is NULL, which already makes the comparison false.
    return {
      v: bind(env, [a.v, b.v], ([x, y]) => `coalesce(${x} ${op} ${y}, false)`),
      e: anyError(a.e, b.e),
      type: 'boolean',
    };
  }
  const v = bind(env, [a.v, b.v], ([x, y]) => {
    const empty = (n: string, c: Sql) => (c.type === 'string' ? `(${n} IS NULL OR ${n} = '')` : `(${n} IS NULL)`);
    const ex = empty(x!, a);
    const ey = empty(y!, b);
    const value = (n: string, c: Sql): string => {
      if (domain === 'number') {
        if (c.type === 'boolean') return `(CASE WHEN ${n} THEN 1::float8 ELSE 0::float8 END)`;
        if (c.type === 'number' || c.type === 'datetime') return n;
        return parseNumber(env, c.type === 'array' ? `array_to_string(${n}, ', ')` : n);
      }
      if (domain === 'date') {
        if (c.type === 'datetime') return n;
        return parseDateSql(env, c.type === 'array' ? `array_to_string(${n}, ', ')` : n, zoneSql(env, env.zone));
      }
      switch (c.type) {
        case 'array':
          return `array_to_string(${n}, ', ')`;
        case 'boolean':
          return `(CASE WHEN ${n} THEN 'true' ELSE 'false' END)`;
        case 'number':
          return numText(env, n);
        default:
          return n;
      }
    };
    const collate = domain === 'text' ? ' COLLATE "C"' : '';
    const cmp = `coalesce((${value(x!, a)})${collate} ${op} (${value(y!, b)})${collate}, false)`;
    return op === '='
      ? `(CASE WHEN ${ex} OR ${ey} THEN (${ex} AND ${ey}) ELSE ${cmp} END)`
      : `(CASE WHEN ${ex} OR ${ey} THEN false ELSE ${cmp} END)`;
  });
  return { v, e: anyError(a.e, b.e), type: 'boolean' };
}
