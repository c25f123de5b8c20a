import { FORMULA_LIMITS, FormulaLimitError, LIMIT_MESSAGES } from '../../../domain/formula/limits.js';
import { INLINE_LENGTH, nullIsError, type Sql, type SqlEnv } from './values.js';

/**
 * Keeps compiled formulas linear in the formula's size. A node's SQL is used by its parent in several places (its
 * value in a NULL test and in the result, its value inside its error condition, …); pasting the text each time
 * doubles it at every level of nesting (16 nested LOWER were 11.7 MB). So a node's value and error condition, once
 * longer than INLINE_LENGTH, are replaced by a short share token, and the parent repeats only the token.
 *
 * `resolveShares` turns the tokens back into SQL: a token used once is pasted where it stands (the SQL is then the
 * same as without sharing); one used several times is evaluated once per row, as a column of a derived table around
 * the expression — `(SELECT expr FROM (SELECT *, e2 AS s2 FROM (SELECT e1 AS s1 OFFSET 0) AS q OFFSET 0) AS q)` —
 * and named there (OFFSET 0 keeps the planner from pulling it up and copying it back into every use). Evaluating a
 * node's SQL outside the branch that needed it is safe: compiled values and error conditions never raise (see
 * values.ts `Sql`), and they read only the row and the statement's parameters.
 */
const SHARE = /\u0002(\d+)\u0002/g;
const HAS_SHARE = /\u0002\d+\u0002/;

/**
 * A token for `text` when it is long; short texts stay as they are (tokens inside them included: a parent repeating
 * a short text repeats only its tokens, and every text pasted more than once is at most INLINE_LENGTH long).
 */
function share(env: SqlEnv, text: string): string {
  if (text.length <= INLINE_LENGTH) return text;
  const shares = (env.shares ??= new Map());
  const id = ++env.seq.n;
  shares.set(id, text);
  countSize(env, text.length);
  return `\u0002${id}\u0002`;
}

/** Adds to the size compiled so far; past FORMULA_LIMITS.compiledSql the formula is refused (before more work). */
function countSize(env: SqlEnv, n: number): void {
  const size = (env.size ??= { n: 0 });
  size.n += n;
  if (size.n > FORMULA_LIMITS.compiledSql) throw new FormulaLimitError(LIMIT_MESSAGES.compiledSql(), 0);
}

/** A compiled node with its long value and error condition shared (the error's "value is NULL" test reads the token). */
export function shareSql(env: SqlEnv, c: Sql): Sql {
  const v = share(env, c.v);
  if (v === c.v) return c.e ? { ...c, e: share(env, c.e) } : c;
  const decimal = env.decimals?.get(c.v);
  if (decimal !== undefined) env.decimals!.set(v, decimal);
  const e = c.e === null ? null : share(env, c.e.split(nullIsError(c.v)).join(nullIsError(v)));
  return { v, e, type: c.type };
}

/** `text` with its share tokens resolved (see above); checks the compiled size. */
export function resolveShares(env: SqlEnv, text: string): string {
  const shares = env.shares;
  if (!shares?.size || !HAS_SHARE.test(text)) return checked(text);
  // Uses of each token: every text that is emitted (the root, every reachable token's body) is emitted exactly once.
  const uses = new Map<number, number>();
  const pending = [text];
  while (pending.length) {
    for (const m of pending.pop()!.matchAll(SHARE)) {
      const id = Number(m[1]);
      const n = uses.get(id) ?? 0;
      uses.set(id, n + 1);
      if (n === 0) pending.push(shares.get(id)!);
    }
  }
  const named = new Map<number, { name: string; level: number }>();
  const levels: string[][] = [];
  const expand = (sql: string): { sql: string; level: number } => {
    let level = 0;
    const out = sql.replace(SHARE, (_, k: string) => {
      const id = Number(k);
      if (uses.get(id)! === 1) {
        const inner = expand(shares.get(id)!);
        level = Math.max(level, inner.level);
        return inner.sql;
      }
      let n = named.get(id);
      if (!n) {
        const body = expand(shares.get(id)!);
        n = { name: `s${id}`, level: body.level + 1 };
        named.set(id, n);
        (levels[n.level - 1] ??= []).push(`${body.sql} AS ${n.name}`);
      }
      level = Math.max(level, n.level);
      return n.name;
    });
    return { sql: out, level };
  };
  const root = expand(text).sql;
  if (!levels.length) return checked(root);
  let from = '';
  levels.forEach((columns, i) => {
    const k = ++env.seq.n;
    from =
      i === 0
        ? `(SELECT ${columns.join(', ')} OFFSET 0) AS q${k}`
        : `(SELECT *, ${columns.join(', ')} FROM ${from} OFFSET 0) AS q${k}`;
  });
  return checked(`(SELECT ${root} FROM ${from})`);
}

function checked(sql: string): string {
  if (sql.length > FORMULA_LIMITS.compiledSql) throw new FormulaLimitError(LIMIT_MESSAGES.compiledSql(), 0);
  return sql;
}
