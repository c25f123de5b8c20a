import type { FieldDef } from '../../domain/fields/field-type.js';
import { fieldTypeOf } from '../../domain/fields/registry.js';
import type { FormulaAst, FormulaNode, ValueType } from '../../domain/formula/ast.js';
import {
  DATE_TEXT_PATTERN,
  EPOCH_TEXT_PATTERN,
  FORMAT_TOKENS,
  JS_WHITESPACE,
  MAX_MS,
  MIN_MS,
  tokenizeFormat,
  type ZoneSpec,
} from '../../domain/formula/dates.js';

const FORMAT_TOKENS_LIST: readonly string[] = FORMAT_TOKENS;
import { fieldShape, selectOptions } from '../../domain/formula/field-values.js';
import { NUMBER_PATTERN } from '../../domain/formula/values.js';
import { cellExpr } from './cell-expr.js';

/**
 * SQL twins of the formula value rules (src/domain/formula/values.ts, decimal.ts, dates.ts, compare.ts).
 *
 * A compiled node is a pair: `v`, a PostgreSQL expression of the node's type (text, float8, boolean, float8 epoch
 * ms for datetimes, text[] for arrays; NULL = blank), and `e`, a boolean expression that is true when evaluating the
 * node fails (null when it cannot fail). When `e` is true, `v` is unspecified but never raises: every operation
 * that PostgreSQL would reject (division by zero, overflow, invalid casts, invalid dates) is guarded.
 * User values are bound as parameters; field ids and option ids are inlined only after cellExpr's checks.
 */
export interface Sql {
  v: string;
  e: string | null;
  type: ValueType;
}

export interface SqlEnv {
  alias: string;
  /** Values of the placeholders made by `param`; `finalizeSql` numbers the ones the SQL uses. */
  values: unknown[];
  fields: ReadonlyMap<string, FieldDef>;
  zone: ZoneSpec;
  now: number;
  /** Counter for subquery aliases. */
  seq: { n: number };
  /** Parameters bound once per compilation (now, zones). */
  shared: Map<string, string>;
  /** Formula fields' parsed expressions: a reference to one is compiled inline (null: it has an error). */
  formulas?: ReadonlyMap<string, FormulaAst | null> | undefined;
  /** Lookup fields' values as text[] SQL (compile-formula.ts FormulaSqlContext.lookups). */
  lookups?: ((field: FieldDef, alias: string) => string | undefined) | undefined;
  /** Exact decimals (numeric SQL) of float8 expressions that read a number cell, for `dec`. */
  decimals?: Map<string, string>;
  /** Formula fields this formula reads, bound once each in a per-row subquery (compile-formula.ts formulaRef). */
  formulaRefs?: Map<string, { v: string; e: string | null; columns: string[] }>;
  /** Long node SQL behind share tokens (formula-sql-share.ts), by token number. */
  shares?: Map<number, string>;
  /** Characters of SQL compiled so far (checked against FORMULA_LIMITS.compiledSql). */
  size?: { n: number };
}

export const SQL_TYPE: Record<ValueType, string> = {
  string: 'text',
  number: 'float8',
  boolean: 'boolean',
  datetime: 'float8',
  array: 'text[]',
  null: 'text',
};

export const nullOf = (type: ValueType) => `NULL::${SQL_TYPE[type]}`;

const MARK = '\u0001';
const PLACEHOLDER = /\u0001(\d+)\u0001/g;

/**
 * A bound value. The placeholder is numbered by `finalizeSql`, so a value that ends up unused (an argument a
 * function does not read) is not sent: PostgreSQL rejects parameters it cannot type.
 */
export function param(env: SqlEnv, value: unknown, type: 'text' | 'float8' | 'int' | 'jsonb' | 'boolean' | 'text[]'): string {
  env.values.push(typeof value === 'number' ? String(value) : value);
  return `${MARK}${env.values.length - 1}${MARK}::${type}`;
}

/** The index in `values` of a placeholder made by `param`. */
export const placeholderIndex = (placeholder: string): number => Number(placeholder.slice(1, placeholder.indexOf(MARK, 1)));

/** Replaces placeholders by `$n`, appending the used values to `params` (each value once). */
export function finalizeSql(env: { values: readonly unknown[] }, params: unknown[], texts: readonly string[]): string[] {
  const numbers = new Map<string, number>();
  return texts.map((text) =>
    text.replace(PLACEHOLDER, (_, k: string) => {
      let n = numbers.get(k);
      if (n === undefined) {
        params.push(env.values[Number(k)]);
        n = params.length;
        numbers.set(k, n);
      }
      return `$${n}`;
    }),
  );
}

export const numberParam = (env: SqlEnv, n: number) => param(env, n, 'float8');
export const textParam = (env: SqlEnv, s: string) => param(env, s, 'text');

/** Combines error conditions (null = cannot fail). */
export function anyError(...errors: (string | null | undefined)[]): string | null {
  const list = errors.filter((e): e is string => !!e && e !== 'false');
  if (!list.length) return null;
  return list.length === 1 ? list[0]! : `(${list.join(' OR ')})`;
}

const SIMPLE = /^(\u0001\d+\u0001::[a-z0-9\[\]]+|\u0002\d+\u0002|[a-z_][a-z0-9_]*|-?\d+(\.\d+)?|'[^']*'(::[a-z]+)?|true|false|NULL::[a-z0-9\[\]]+)$/i;

/** Expressions up to this length without subqueries are cheaper to repeat than to evaluate in a subquery. */
export const INLINE_LENGTH = 160;

/**
 * Hands `body` names for expressions it may use several times. An expression used at most once, or short and
 * without subqueries or share tokens, is substituted into the body; the others are evaluated once per row in a scalar subquery
 * `(SELECT body FROM (SELECT e AS x … OFFSET 0) q)` (OFFSET 0 keeps the planner from pulling the subquery up and
 * copying the expression into every use).
 */
export function bind(env: SqlEnv, exprs: readonly string[], body: (names: string[]) => string): string {
  if (exprs.every((e) => SIMPLE.test(e))) return body([...exprs]);
  const k = ++env.seq.n;
  const text = body(exprs.map((_, i) => `x${k}_${i}`));
  // One pass to count the uses of each name, one to substitute: linear in the body's length.
  const name = new RegExp(`\\bx${k}_(\\d+)\\b`, 'g');
  const uses = exprs.map(() => 0);
  for (const m of text.matchAll(name)) uses[Number(m[1])]!++;
  // A share token (formula-sql-share.ts) stands for a long expression: a short text holding one is not cheap to repeat.
  const inline = exprs.map((e, i) => SIMPLE.test(e) || uses[i]! <= 1 || (e.length <= INLINE_LENGTH && !/\bSELECT\b|\u0002/.test(e)));
  const out = text.replace(name, (whole, i: string) => {
    const e = exprs[Number(i)]!;
    return !inline[Number(i)] ? whole : SIMPLE.test(e) ? e : `(${e})`;
  });
  const bound = exprs.flatMap((e, i) => (inline[i] ? [] : [`${e} AS x${k}_${i}`]));
  if (!bound.length) return out;
  return `(SELECT ${out} FROM (SELECT ${bound.join(', ')} OFFSET 0) AS q${k})`;
}

// ---------------------------------------------------------------------------------------------------------------
// Numbers

/** JavaScript white space for btrim (TRIM, number and date parsing). */
export const WS = `E'${[...JS_WHITESPACE].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).join('')}'`;

/** numeric → float8 under the range rule (≥ 1e308 → NULL, i.e. an error; < 1e-308 → 0). */
export const toDouble = (env: SqlEnv, numeric: string) =>
  bind(env, [numeric], ([n]) => `CASE WHEN abs(${n}) >= 1e308 THEN NULL::float8 WHEN abs(${n}) < 1e-308 THEN 0::float8 ELSE ${n}::float8 END`);

/**
 * A double's exact decimal as JavaScript's String(x) writes it (migration 20261202030000_formula_decimal). A number
 * read from a cell is taken from the stored JSON number instead: JSON.stringify wrote String(x)'s digits, and jsonb
 * keeps them exactly, so the decimal costs a cast rather than a function call per row.
 */
export const dec = (env: SqlEnv, x: string) => env.decimals?.get(x) ?? `formula_decimal(${x})`;

/** JavaScript's String(n) for a float8. */
export const numText = (env: SqlEnv, x: string) =>
  bind(
    env,
    [x],
    ([n]) =>
      `CASE WHEN abs(${n}) >= 1e21::float8 OR (${n} <> 0 AND abs(${n}) < 1e-6::float8) THEN regexp_replace(${n}::text, 'e([-+])0*', 'e\\1') ELSE formula_decimal(${n})::text END`,
  );

/** Strict text → float8 (values.ts parseNumberText): "" → 0; NULL when not a number or out of range. */
export const parseNumber = (env: SqlEnv, text: string) =>
  bind(env, [`btrim(${text}, ${WS})`], ([t]) =>
    `CASE WHEN ${t} = '' THEN 0::float8 WHEN ${t} ~ '${NUMBER_PATTERN}' THEN ${toDouble(env, `${t}::numeric`)} END`,
  );

/** Division with 40 significant digits (decimal.ts decDiv); both numeric, b ≠ 0 (checked by the caller). */
export function divNumeric(env: SqlEnv, a: string, b: string): string {
  return bind(env, [a, b], ([na, nb]) => {
    const unscaled = (n: string) => `trunc(${n} * ('1e' || scale(${n}))::numeric)`;
    return bind(env, [unscaled(na!), unscaled(nb!), `scale(${nb}) - scale(${na})`], ([ia, ib, ds]) =>
      bind(env, [`length(abs(${ib})::text)`], ([lb]) =>
        bind(env, [`div(${ia} * ('1e' || (40 + ${lb}))::numeric, ${ib})`, `${ds} - 40 - ${lb}`], ([q, ex]) =>
          `CASE WHEN ${q} = 0 THEN 0::float8 WHEN length(abs(${q})::text) - 1 + ${ex} >= 308 THEN NULL::float8 ` +
          `WHEN length(abs(${q})::text) - 1 + ${ex} < -308 THEN 0::float8 ELSE (${q}::text || 'e' || ${ex})::float8 END`,
        ),
      ),
    );
  });
}

/** A result that is NULL only on error: its error condition. */
export const nullIsError = (v: string) => `(${v} IS NULL)`;

/** True when the value is NULL exactly when it is an error (its error condition is `nullIsError` of it). */
export const errsWhenNull = (c: Sql) => c.e !== null && c.e === nullIsError(c.v);

/**
 * An operand's error condition where the result is NULL whenever the operand is (NULL-propagating SQL over a
 * `toNumberSql` operand): when the operand errs exactly when NULL, the result's own NULL check already says it.
 */
export const errorUnlessPropagated = (c: Sql) => (errsWhenNull(c) ? null : c.e);

// ---------------------------------------------------------------------------------------------------------------
// Dates

function shared(env: SqlEnv, key: string, make: () => string): string {
  let sql = env.shared.get(key);
  if (!sql) {
    sql = make();
    env.shared.set(key, sql);
  }
  return sql;
}

export function zoneSql(env: SqlEnv, zone: ZoneSpec): string {
  return zone.kind === 'iana'
    ? shared(env, `zone:${zone.name}`, () => param(env, zone.name, 'text'))
    : shared(env, `offset:${zone.minutes}`, () => `make_interval(mins => ${param(env, zone.minutes, 'int')})`);
}

/** ctx.now as float8 epoch ms. */
export const nowSql = (env: SqlEnv) => shared(env, 'now', () => param(env, env.now, 'float8'));

export const inRange = (ms: string) => `(${ms} BETWEEN ${MIN_MS} AND ${MAX_MS})`;
/** float8 epoch ms (an integer) → timestamptz, exactly. */
export const tsOf = (ms: string) => `(timestamptz 'epoch' + ((${ms})::bigint::text || ' milliseconds')::interval)`;
/** Wall-clock timestamp of an instant in a zone. */
export const localOf = (ms: string, zone: string) => `(${tsOf(ms)} AT TIME ZONE ${zone})`;
/** Instant (epoch ms) of a wall-clock timestamp in a zone. */
export const msOfLocal = (local: string, zone: string) => `floor(extract(epoch FROM (${local}) AT TIME ZONE ${zone}) * 1000)::float8`;
/** Wall-clock timestamp read as UTC, in epoch ms (dates.ts wallMs). */
export const wallMsOf = (local: string) => `floor(extract(epoch FROM (${local}) AT TIME ZONE 'UTC') * 1000)::float8`;
/** Offset of the zone at the instant, in minutes. */
export const offsetOf = (ms: string, zone: string) => `(extract(epoch FROM ${localOf(ms, zone)} - (${tsOf(ms)} AT TIME ZONE 'UTC')) / 60)::int`;

/** Days in a month (year ≥ 1, month 1–12 already checked). */
const daysInMonth = (y: string, m: string) => `extract(day FROM make_date(${y}, ${m}, 1) + interval '1 month' - interval '1 day')::int`;

/**
 * Builds an instant from date parts (ints; NULL parts not allowed) as dates.ts partsToMs does: invalid parts or an
 * instant outside the supported range give NULL. `offset` (minutes east of UTC) is an int expression or null
 * (wall-clock time in `zone`).
 */
export function partsToMsSql(
  env: SqlEnv,
  p: { year: string; month: string; day: string; hour: string; minute: string; second: string; millisecond: string; offset: string | null },
  zone: string,
): string {
  return bind(env, [p.year, p.month, p.day, p.hour, p.minute, p.second, p.millisecond, p.offset ?? 'NULL::int'], ([y, mo, d, h, mi, s, ms, off]) => {
    const local = `(make_timestamp(${y}, ${mo}, ${d}, ${h}, ${mi}, ${s}) + interval '1 millisecond' * ${ms})`;
    const instant = `CASE WHEN ${off} IS NULL THEN ${msOfLocal(local, zone)} ELSE ${wallMsOf(local)} - ${off}::float8 * 60000 END`;
    return (
      `CASE WHEN NOT (${y} >= 1 AND ${mo} BETWEEN 1 AND 12 AND ${d} >= 1 AND ${h} BETWEEN 0 AND 23 AND ${mi} BETWEEN 0 AND 59 AND ${s} BETWEEN 0 AND 59) THEN NULL::float8 ` +
      `WHEN ${d} > ${daysInMonth(y!, mo!)} THEN NULL::float8 ` +
      `ELSE ${bind(env, [instant], ([t]) => `CASE WHEN ${inRange(t!)} THEN ${t} END`)} END`
    );
  });
}

/** `Z` / `±HH:mm` / `±HHmm` → minutes east of UTC (int). */
export const offsetTextSql = (t: string) =>
  `CASE WHEN ${t} = 'Z' THEN 0 ELSE (CASE WHEN left(${t}, 1) = '-' THEN -1 ELSE 1 END) * (substr(replace(${t}, ':', ''), 2, 2)::int * 60 + substr(replace(${t}, ':', ''), 4, 2)::int) END`;

/** Text → epoch ms (dates.ts parseDateText); NULL when it is not a date. */
export function parseDateSql(env: SqlEnv, text: string, zone: string): string {
  return bind(env, [`btrim(${text}, ${WS})`], ([s]) => {
    const parts = bind(env, [`regexp_match(${s}, '${DATE_TEXT_PATTERN}')`], ([m]) => {
      const int = (i: number) => `coalesce(${m}[${i}], '0')::int`;
      return `CASE WHEN ${m} IS NULL THEN NULL::float8 ELSE ${partsToMsSql(
        env,
        {
          year: `${m}[1]::int`,
          month: `${m}[2]::int`,
          day: `${m}[3]::int`,
          hour: int(4),
          minute: int(5),
          second: int(6),
          millisecond: `CASE WHEN ${m}[7] IS NULL THEN 0 ELSE rpad(left(${m}[7], 3), 3, '0')::int END`,
          offset: `CASE WHEN ${m}[8] IS NULL THEN NULL::int ELSE ${offsetTextSql(`${m}[8]`)} END`,
        },
        zone,
      )} END`;
    });
    return `CASE WHEN ${s} ~ '${EPOCH_TEXT_PATTERN}' THEN (CASE WHEN ${inRange(`${s}::float8`)} THEN ${s}::float8 END) ELSE ${parts} END`;
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Conversions

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
      const [v, e] = bindPair(env, c.v, (x) => [`CASE WHEN ${x} IS NULL THEN '' WHEN ${inRange(x)} THEN ${isoSql(x)} ELSE '' END`, `(${x} IS NOT NULL AND NOT ${inRange(x)})`]);
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
function withDecimal(env: SqlEnv, float: string, from: string | undefined, decimal: (d: string) => string): string {
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
      return { v: withDecimal(env, `coalesce(${c.v}, 0::float8)`, c.v, (d) => `coalesce(${d}, 0::numeric)`), e: c.e, type: 'number' };
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
      return bind(env, [text], ([t]) => `CASE WHEN ${t} IS NULL OR btrim(${t}, ${WS}) = '' THEN NULL::float8 ELSE ${parseNumber(env, t!)} END`);
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

// ---------------------------------------------------------------------------------------------------------------
// Field references (field-values.ts readField)

const FIELD_ID = /^fld[0-9A-Za-z]{1,40}$/;

export function fieldSql(env: SqlEnv, node: FormulaNode & { kind: 'field' }): string {
  const field = env.fields.get(node.fieldId);
  if (!field) return nullOf(node.type);
  const module = fieldTypeOf(field.type);
  const shape = fieldShape(field);
  // Inlined below (as cellExpr does): only well-formed ids and our own registry's keys.
  if (!FIELD_ID.test(field.id)) throw new Error(`not a field id: ${field.id}`);
  if ('key' in shape && shape.key !== undefined && !/^[A-Za-z]+$/.test(shape.key)) throw new Error(`not a key: ${shape.key}`);
  const cell = `${env.alias}.cells->'${field.id}'`;
  const expr = () => cellExpr(field, module, env.alias);
  const stringOf = (c: string) => `(CASE WHEN jsonb_typeof(${c}) = 'string' THEN ${c} #>> '{}' END)`;
  const numberOf = (c: string) => `(CASE WHEN jsonb_typeof(${c}) = 'number' THEN (${c})::text::float8 END)`;
  switch (shape.kind) {
    case 'text':
      if (!shape.key) return `(CASE WHEN jsonb_typeof(${cell}) = 'string' THEN ${expr().value} END)`;
      return `(CASE jsonb_typeof(${cell}) WHEN 'string' THEN ${cell} #>> '{}' WHEN 'object' THEN (CASE WHEN jsonb_typeof(${cell}->'${shape.key}') = 'string' THEN ${expr().value} END) END)`;
    case 'number':
      return withDecimal(env, expr().value, undefined, () => `(CASE WHEN jsonb_typeof(${cell}) = 'number' THEN (${cell})::numeric END)`);
    case 'datetime':
      return `floor(${expr().value})`;
    case 'boolean':
      return expr().sort;
    case 'select': {
      const map = param(env, JSON.stringify(Object.fromEntries(selectOptions(field).map((o) => [o.id, o.name]))), 'jsonb');
      return `(${map} ->> ${expr().value})`;
    }
    case 'multiSelect': {
      const map = param(env, JSON.stringify(Object.fromEntries(selectOptions(field).map((o) => [o.id, o.name]))), 'jsonb');
      return `NULLIF(ARRAY(SELECT ${map} ->> t.e FROM jsonb_array_elements_text(CASE WHEN jsonb_typeof(${cell}) = 'array' THEN ${cell} ELSE '[]'::jsonb END) WITH ORDINALITY AS t(e, i) WHERE ${map} ? t.e ORDER BY t.i), '{}'::text[])`;
    }
    case 'array':
      return (field.type === 'MagicLookUp' ? env.lookups?.(field, env.alias) : undefined) ?? arraySql(env, cell, shape.key);
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

// ---------------------------------------------------------------------------------------------------------------
// Date formatting (dates.ts formatToken / formatDate)

const sqlArray = (items: readonly string[]) => `ARRAY[${items.map((s) => `'${s}'`).join(', ')}]`;
const MONTHS_SQL = sqlArray(['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December']);
const WEEKDAYS_SQL = sqlArray(['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday']);

/** PostgreSQL spelling of FORMAT_TOKEN_PATTERN (`]` first in a bracket is literal) plus "any character". */
export const FORMAT_TOKEN_PATTERN_SQL = `\\[[^]]+\\]|${FORMAT_TOKENS_LIST.join('|')}|.`;

/** The SQL text of one format token over bound names: ms (float8), l (local timestamp), off (offset minutes). */
export function formatTokenSql(token: string, ms: string, l: string, off: string): string | undefined {
  const part = (f: string) => `extract(${f} FROM ${l})::int`;
  const pad = (x: string, n: number) => `lpad((${x})::text, ${n}, '0')`;
  const offset = (colon: boolean) =>
    `(CASE WHEN ${off} < 0 THEN '-' ELSE '+' END || ${pad(`abs(${off}) / 60`, 2)} || '${colon ? ':' : ''}' || ${pad(`abs(${off}) % 60`, 2)})`;
  switch (token) {
    case 'YYYY': return pad(part('year'), 4);
    case 'YY': return `right(${part('year')}::text, 2)`;
    case 'Q': return `${part('quarter')}::text`;
    case 'MMMM': return `(${MONTHS_SQL})[${part('month')}]`;
    case 'MMM': return `left((${MONTHS_SQL})[${part('month')}], 3)`;
    case 'MM': return pad(part('month'), 2);
    case 'M': return `${part('month')}::text`;
    case 'DD': return pad(part('day'), 2);
    case 'D': return `${part('day')}::text`;
    case 'dddd': return `(${WEEKDAYS_SQL})[${part('dow')} + 1]`;
    case 'ddd': return `left((${WEEKDAYS_SQL})[${part('dow')} + 1], 3)`;
    case 'dd': return `left((${WEEKDAYS_SQL})[${part('dow')} + 1], 2)`;
    case 'd': return `${part('dow')}::text`;
    case 'HH': return pad(part('hour'), 2);
    case 'H': return `${part('hour')}::text`;
    case 'hh': return pad(`(${part('hour')} + 11) % 12 + 1`, 2);
    case 'h': return `((${part('hour')} + 11) % 12 + 1)::text`;
    case 'mm': return pad(part('minute'), 2);
    case 'm': return `${part('minute')}::text`;
    case 'ss': return pad(`floor(extract(second FROM ${l}))::int`, 2);
    case 's': return `floor(extract(second FROM ${l}))::int::text`;
    case 'SSS': return pad(`floor(extract(milliseconds FROM ${l}))::int % 1000`, 3);
    case 'A': return `(CASE WHEN ${part('hour')} < 12 THEN 'AM' ELSE 'PM' END)`;
    case 'a': return `(CASE WHEN ${part('hour')} < 12 THEN 'am' ELSE 'pm' END)`;
    case 'ZZ': return offset(false);
    case 'Z': return offset(true);
    case 'X': return `floor(${ms} / 1000)::bigint::text`;
    case 'x': return `(${ms})::bigint::text`;
  }
  return undefined;
}

/**
 * DATETIME_FORMAT over a non-blank, in-range ms. `format` is either a literal (tokenized here, at compile time) or
 * a text expression (tokenized by PostgreSQL with the same token list).
 */
export function formatSql(env: SqlEnv, ms: string, format: { literal: string } | { sql: string }, zone: string): string {
  return bind(env, [ms], ([t]) =>
    bind(env, [localOf(t!, zone), offsetOf(t!, zone)], ([l, off]) => {
      if ('literal' in format) {
        const pieces = tokenizeFormat(format.literal).map((token) => formatTokenSql(token, t!, l!, off!) ?? textParam(env, literalToken(token)));
        return pieces.length ? `(${pieces.join(' || ')})` : `''::text`;
      }
      const k = ++env.seq.n;
      const m = `m${k}.tok[1]`;
      const cases = FORMAT_TOKENS_LIST.map((token) => `WHEN '${token}' THEN ${formatTokenSql(token, t!, l!, off!)}`).join(' ');
      const literal = `CASE WHEN length(${m}) > 2 AND left(${m}, 1) = '[' AND right(${m}, 1) = ']' THEN substr(${m}, 2, length(${m}) - 2) ELSE ${m} END`;
      return `(SELECT coalesce(string_agg(CASE ${m} ${cases} ELSE ${literal} END, '' ORDER BY m${k}.i), '') FROM regexp_matches(${format.sql}, '${FORMAT_TOKEN_PATTERN_SQL}', 'g') WITH ORDINALITY AS m${k}(tok, i))`;
    }),
  );
}

const literalToken = (token: string) => (token.length > 2 && token.startsWith('[') && token.endsWith(']') ? token.slice(1, -1) : token);
