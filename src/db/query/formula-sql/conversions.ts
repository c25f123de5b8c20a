import type { ValueType } from '../../../domain/formula/ast.js';
import {
  anyError,
  bind,
  errsWhenNull,
  nullIsError,
  numText,
  parseNumber,
  type Sql,
  type SqlEnv,
  WS,
} from './values.js';
import { inRange, parseDateSql, tsOf } from './dates.js';

// Conversions between value types (values.ts in the evaluator).

export const truthySql = (c: Sql): string => {
  switch (c.type) {
    case 'string':
      return `coalesce(${c.v} <> '', false)`;
    case 'number':
    case 'datetime':
      return `coalesce(${c.v} <> 0, false)`;
    case 'boolean':
      return `coalesce(${c.v}, false)`;
    case 'array':
      return `coalesce(cardinality(${c.v}) > 0, false)`;
    case 'null':
      return 'false';
  }
};

/** ISO-8601 UTC text of epoch ms (range checked by the caller). */
export const isoSql = (ms: string) => `to_char(${tsOf(ms)} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/** values.ts plainText: the value's text, blank → "". Datetimes out of range are errors. */
export function plainTextSql(env: SqlEnv, c: Sql): Sql {
  switch (c.type) {
    case 'string':
      return { v: `coalesce(${c.v}, '')`, e: c.e, type: 'string' };
    case 'number':
      return { v: `coalesce(${numText(env, c.v)}, '')`, e: c.e, type: 'string' };
    case 'boolean':
      return { v: `(CASE WHEN ${c.v} THEN 'true' WHEN NOT ${c.v} THEN 'false' ELSE '' END)`, e: c.e, type: 'string' };
    case 'datetime': {
      const [v, e] = bindPair(env, c.v, (x) => [
        `CASE WHEN ${x} IS NULL THEN '' WHEN ${inRange(x)} THEN ${isoSql(x)} ELSE '' END`,
        `(${x} IS NOT NULL AND NOT ${inRange(x)})`,
      ]);
      return { v, e: anyError(c.e, e), type: 'string' };
    }
    case 'array':
      return { v: `coalesce(array_to_string(${c.v}, ', '), '')`, e: c.e, type: 'string' };
    case 'null':
      return { v: `''::text`, e: c.e, type: 'string' };
  }
}

/** Two expressions over one evaluated value (value and error). The value expression is repeated in the error one. */
export function bindPair(env: SqlEnv, x: string, fn: (x: string) => [string, string]): [string, string] {
  return [bind(env, [x], ([n]) => fn(n!)[0]), bind(env, [x], ([n]) => fn(n!)[1])];
}

/** Notes `decimal` as the exact decimal of `float` (when `from` has one, or when `from` is undefined); returns `float`. */
export function withDecimal(
  env: SqlEnv,
  float: string,
  from: string | undefined,
  decimal: (d: string) => string,
): string {
  const d = from === undefined ? '' : env.decimals?.get(from);
  if (d !== undefined) (env.decimals ??= new Map()).set(float, decimal(d));
  return float;
}

/** values.ts toNumber (arithmetic): blank → 0, booleans 1/0, text parsed strictly (error when not a number). */
export function toNumberSql(env: SqlEnv, c: Sql): Sql {
  switch (c.type) {
    case 'number':
    case 'datetime':
      // A value that is NULL only on error stays NULL: arithmetic over it is NULL too, and says the error itself.
      if (errsWhenNull(c)) return { v: c.v, e: c.e, type: 'number' };
      return {
        v: withDecimal(env, `coalesce(${c.v}, 0::float8)`, c.v, (d) => `coalesce(${d}, 0::numeric)`),
        e: c.e,
        type: 'number',
      };
    case 'boolean':
      return { v: `(CASE WHEN ${c.v} THEN 1::float8 ELSE 0::float8 END)`, e: c.e, type: 'number' };
    case 'string':
    case 'array': {
      const text = c.type === 'array' ? `array_to_string(${c.v}, ', ')` : c.v;
      const v = bind(env, [text], ([t]) => `CASE WHEN ${t} IS NULL THEN 0::float8 ELSE ${parseNumber(env, t!)} END`);
      return { v, e: anyError(c.e, nullIsError(v)), type: 'number' };
    }
    case 'null':
      return { v: '0::float8', e: c.e, type: 'number' };
  }
}

/** values.ts lenientNumber for one value: NULL when blank or not a number. */
export function lenientNumberSql(env: SqlEnv, v: string, type: ValueType): string {
  switch (type) {
    case 'string':
    case 'array': {
      const text = type === 'array' ? `array_to_string(${v}, ', ')` : v;
      return bind(
        env,
        [text],
        ([t]) => `CASE WHEN ${t} IS NULL OR btrim(${t}, ${WS}) = '' THEN NULL::float8 ELSE ${parseNumber(env, t!)} END`,
      );
    }
    case 'boolean':
      return `(CASE WHEN ${v} THEN 1::float8 WHEN NOT ${v} THEN 0::float8 END)`;
    case 'number':
    case 'datetime':
      return v;
    case 'null':
      return 'NULL::float8';
  }
}

/** values.ts toDate for a non-blank value: epoch ms, NULL when invalid (the caller turns that into an error). */
export function toDateSql(env: SqlEnv, v: string, type: ValueType, zone: string): string {
  switch (type) {
    case 'datetime':
      return bind(env, [v], ([x]) => `CASE WHEN ${inRange(x!)} THEN ${x} END`);
    case 'number':
      return bind(env, [`trunc(${v})`], ([x]) => `CASE WHEN ${inRange(x!)} THEN ${x} END`);
    case 'string':
      return parseDateSql(env, v, zone);
    case 'array':
      return parseDateSql(env, `array_to_string(${v}, ', ')`, zone);
    default:
      return 'NULL::float8';
  }
}
