import type { CallNode, FormulaNode, ValueType } from '../../../domain/formula/ast.js';
import type { CompareOp } from '../../../domain/formula/compare.js';
import { nullIsError, nullOf, type Sql, type SqlEnv } from './values.js';

/**
 * What an SQL implementation of a formula function (./numeric.ts, ./text.ts, …, gathered in ./functions.ts) gets.
 *
 * An implementation returns the function's own value and error condition; for functions other than IF, SWITCH,
 * ISERROR and IS_ERROR the compiler adds the arguments' errors (arguments are evaluated eagerly, as in evaluate.ts).
 */
export interface SqlCall {
  node: CallNode;
  args: readonly FormulaNode[];
  env: SqlEnv;
  arg(i: number): Sql;
  /** Argument as text (blank → ''); errors include text-conversion errors (datetimes out of range). */
  text(i: number): Sql;
  /** Argument as number (blank → 0); errors include non-numeric text. */
  number(i: number): Sql;
  truthy(i: number): string;
  /** Argument as a date (epoch ms, non-blank expected); NULL when invalid — `dateError` gives that condition. */
  date(i: number): string;
  /** Zone operand for date functions reading argument i. */
  zone(i: number): string;
  /** Zone of ctx.timeZone. */
  ctxZone(): string;
  /** `a op b` under the comparison rules. */
  compare(op: CompareOp, a: Sql, b: Sql): Sql;
  /** Argument i converted to `type` (IF/SWITCH results). */
  convert(i: number, type: ValueType): Sql;
  /**
   * Conversion errors (text → number, datetime → text) of `text`/`number` calls made inside `build` count only when
   * `condition` holds (the evaluator converts those arguments only then). Outside any scope they always count.
   */
  scope<T>(condition: string, build: () => T): T;
}

export type SqlFunction = (call: SqlCall) => { v: string; e?: string | null };

/** JS `blankFirst`: NULL when argument 0 is blank; the inner errors only count when it is not. */
export function blankFirst(call: SqlCall, type: ValueType, inner: () => { v: string; e?: string | null }) {
  const a = call.arg(0).v;
  const r = call.scope(`${a} IS NOT NULL`, inner);
  return {
    v: `(CASE WHEN ${a} IS NULL THEN ${nullOf(type)} ELSE ${r.v} END)`,
    e: r.e ? `(${a} IS NOT NULL AND coalesce(${r.e}, false))` : null,
  };
}

/** The inner value is NULL only on error. */
export const erroring = (v: string) => ({ v, e: nullIsError(v) });

export const intArg = (call: SqlCall, i: number) =>
  `greatest(-1e9::float8, least(1e9::float8, trunc(${call.number(i).v})))`;
