import type { FormulaAst, ValueType } from '../../../domain/formula/ast.js';
import { JS_WHITESPACE, type ZoneSpec } from '../../../domain/formula/dates.js';
import type { FieldDef } from '../../../domain/fields/field-type.js';
import { NUMBER_PATTERN } from '../../../domain/formula/values.js';

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
  /** Long node SQL behind share tokens (share.ts), by token number. */
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
export function param(
  env: SqlEnv,
  value: unknown,
  type: 'text' | 'float8' | 'int' | 'jsonb' | 'boolean' | 'text[]',
): string {
  env.values.push(typeof value === 'number' ? String(value) : value);
  return `${MARK}${env.values.length - 1}${MARK}::${type}`;
}

/** The index in `values` of a placeholder made by `param`. */
export const placeholderIndex = (placeholder: string): number =>
  Number(placeholder.slice(1, placeholder.indexOf(MARK, 1)));

/** Replaces placeholders by `$n`, appending the used values to `params` (each value once). */
export function finalizeSql(
  env: { values: readonly unknown[] },
  params: unknown[],
  texts: readonly string[],
): string[] {
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

const SIMPLE =
  /^(\u0001\d+\u0001::[a-z0-9[\]]+|\u0002\d+\u0002|[a-z_][a-z0-9_]*|-?\d+(\.\d+)?|'[^']*'(::[a-z]+)?|true|false|NULL::[a-z0-9[\]]+)$/i;

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
  // A share token (share.ts) stands for a long expression: a short text holding one is not cheap to repeat.
  const inline = exprs.map(
    (e, i) => SIMPLE.test(e) || uses[i]! <= 1 || (e.length <= INLINE_LENGTH && !/\bSELECT\b|\u0002/.test(e)),
  );
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
  bind(
    env,
    [numeric],
    ([n]) =>
      `CASE WHEN abs(${n}) >= 1e308 THEN NULL::float8 WHEN abs(${n}) < 1e-308 THEN 0::float8 ELSE ${n}::float8 END`,
  );

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
  bind(
    env,
    [`btrim(${text}, ${WS})`],
    ([t]) =>
      `CASE WHEN ${t} = '' THEN 0::float8 WHEN ${t} ~ '${NUMBER_PATTERN}' THEN ${toDouble(env, `${t}::numeric`)} END`,
  );

/** Division with 40 significant digits (decimal.ts decDiv); both numeric, b ≠ 0 (checked by the caller). */
export function divNumeric(env: SqlEnv, a: string, b: string): string {
  return bind(env, [a, b], ([na, nb]) => {
    const unscaled = (n: string) => `trunc(${n} * ('1e' || scale(${n}))::numeric)`;
    return bind(env, [unscaled(na!), unscaled(nb!), `scale(${nb}) - scale(${na})`], ([ia, ib, ds]) =>
      bind(env, [`length(abs(${ib})::text)`], ([lb]) =>
        bind(
          env,
          [`div(${ia} * ('1e' || (40 + ${lb}))::numeric, ${ib})`, `${ds} - 40 - ${lb}`],
          ([q, ex]) =>
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
