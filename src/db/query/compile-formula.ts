import type { FieldDef } from '../../domain/fields/field-type.js';
import { fieldTypeOf } from '../../domain/fields/registry.js';
import type { CallNode, FormulaAst, FormulaNode } from '../../domain/formula/ast.js';
import { zoneSpec } from '../../domain/formula/evaluate.js';
import type { FormulaAsts } from '../../domain/formula/formula-fields.js';
import { argZone } from '../../domain/formula/functions/shared.js';
import type { SqlCall, SqlFunction } from './formula-sql/call.js';
import { toDateSql, toNumberSql, truthySql } from './formula-sql/conversions.js';
import { zoneSql } from './formula-sql/dates.js';
import { fieldSql } from './formula-sql/fields.js';
import { LAZY_SQL, SQL_FUNCTIONS } from './formula-sql/functions.js';
import { binary, compareSql, textOf } from './formula-sql/operators.js';
import { resolveShares, shareSql } from './formula-sql/share.js';
import {
  anyError,
  dec,
  errorUnlessPropagated,
  finalizeSql,
  placeholderIndex,
  nullIsError,
  nullOf,
  numberParam,
  textParam,
  toDouble,
  type Sql,
  type SqlEnv,
} from './formula-sql/values.js';

/**
 * Compiles a parsed formula (src/domain/formula) to a PostgreSQL expression over one `records` row
 * (`<alias>.cells`, `<alias>.created_at`, `<alias>.updated_at`, `<alias>.id`). The SQL follows the evaluator's rules
 * exactly (ast.ts), so `compileFormulaCondition` selects exactly the rows `isTruthy(evaluateFormula(...))` keeps.
 * Every user value (string and number literals, option names, the time zone, now) is a `$n` parameter appended to
 * `ctx.params`. Runtime errors never raise in SQL: they make the condition false.
 */
export interface FormulaSqlContext {
  fields: readonly FieldDef[];
  /** Alias of the `records` row. */
  alias: string;
  /** Parameters so far; the compiler appends its own and refers to them as `$n`. */
  params: unknown[];
  timeZone: string;
  now: Date;
  /** The datasheet's Formula fields (src/domain/formula/formula-fields.ts): references to them compute inline. */
  formulas?: FormulaAsts | undefined;
  /**
   * Names what is compiled (a filter's text, a Formula field's id) so the compiled SQL is kept with the schema
   * (its `fields` array) and reused by later statements: only the clock is bound afresh.
   */
  memoKey?: string | undefined;
  /** Lookup fields' values as text[] SQL over a row alias (lookup-columns.ts), when the statement has their sources. */
  lookups?: ((field: FieldDef, alias: string) => string | undefined) | undefined;
}

const ALIAS = /^[a-z_][a-z0-9_]*$/;

function envOf(ctx: FormulaSqlContext): SqlEnv {
  if (!ALIAS.test(ctx.alias)) throw new Error(`not an alias: ${ctx.alias}`);
  return {
    alias: ctx.alias,
    values: [],
    fields: new Map(ctx.fields.map((f) => [f.id, f])),
    zone: zoneSpec(ctx.timeZone),
    now: ctx.now.getTime(),
    seq: { n: 0 },
    shared: new Map(),
    formulas: ctx.formulas,
    formulaRefs: new Map(),
    lookups: ctx.lookups,
    shares: new Map(),
    size: { n: 0 },
  };
}

/** A compilation before its placeholders are numbered: the SQL texts, the values they bind, where `now` is. */
interface Compiled {
  texts: string[];
  values: unknown[];
  nowIndex: number | undefined;
  formulas: FormulaAsts | undefined;
}

/** Compilations by schema (its fields array, dropped with it) and memo key; a schema keeps at most MEMO_SIZE. */
const memo = new WeakMap<readonly FieldDef[], Map<string, Compiled>>();
const MEMO_SIZE = 256;

/** The node's value and error condition (see formula-sql/values.ts `Sql`). */
function compileWith(
  kind: string,
  ast: FormulaAst | (() => FormulaAst),
  ctx: FormulaSqlContext,
  build: (c: Sql) => string[],
): string[] {
  // Lookup SQL reads other datasheets' schemas and binds its own parameters: such compilations are not kept.
  const key =
    ctx.memoKey === undefined || ctx.lookups ? undefined : `${kind}\0${ctx.alias}\0${ctx.timeZone}\0${ctx.memoKey}`;
  const kept = key === undefined ? undefined : memo.get(ctx.fields);
  let compiled = key === undefined ? undefined : kept?.get(key);
  if (compiled?.formulas !== ctx.formulas) compiled = undefined;
  if (!compiled) {
    const env = envOf(ctx);
    const texts = build(compileNode(env, (typeof ast === 'function' ? ast() : ast).root)).map((text) =>
      withFormulaRefs(env, resolveShares(env, text)),
    );
    const now = env.shared.get('now');
    compiled = {
      texts,
      values: env.values,
      nowIndex: now === undefined ? undefined : placeholderIndex(now),
      formulas: ctx.formulas,
    };
    if (key !== undefined) {
      const map = kept ?? new Map<string, Compiled>();
      if (map.size >= MEMO_SIZE) map.clear();
      map.set(key, compiled);
      if (!kept) memo.set(ctx.fields, map);
    }
  } else if (compiled.nowIndex !== undefined) {
    const values = compiled.values.slice();
    values[compiled.nowIndex] = String(ctx.now.getTime());
    compiled = { ...compiled, values };
  }
  return finalizeSql(compiled, ctx.params, compiled.texts);
}

/**
 * A reference to another Formula field: its expression, compiled once per formula however often it is read, as a
 * column of a per-row subquery around the whole formula (withFormulaRefs). Inlining it at every reference would
 * grow the SQL exponentially along chains of formulas.
 */
function formulaRef(env: SqlEnv, fieldId: string, ast: FormulaAst, type: Sql['type']): Sql {
  let ref = env.formulaRefs!.get(fieldId);
  if (!ref) {
    const child: SqlEnv = { ...env, formulaRefs: new Map(), shares: new Map() };
    const c = compileNode(child, ast.root);
    const k = ++env.seq.n;
    const column = (text: string) => withFormulaRefs(child, resolveShares(child, text));
    ref = {
      v: `fv${k}`,
      e: c.e ? `fe${k}` : null,
      columns: [`${column(c.v)} AS fv${k}`, ...(c.e ? [`${column(`coalesce(${c.e}, false)`)} AS fe${k}`] : [])],
    };
    env.formulaRefs!.set(fieldId, ref);
  }
  return { v: ref.v, e: ref.e, type };
}

function withFormulaRefs(env: SqlEnv, text: string): string {
  if (!env.formulaRefs?.size) return text;
  const columns = [...env.formulaRefs.values()].flatMap((r) => r.columns);
  return `(SELECT ${text} FROM (SELECT ${columns.join(', ')} OFFSET 0) AS fq${++env.seq.n})`;
}

/** The value (`v`) and the error condition (`e`, 'false' when it cannot fail) as two expressions. */
export function compileFormulaParts(
  ast: FormulaAst,
  ctx: FormulaSqlContext,
): { v: string; e: string; type: Sql['type'] } {
  let type: Sql['type'] = 'null';
  const [v, e] = compileWith('parts', ast, { ...ctx, memoKey: undefined }, (c) => {
    type = c.type;
    return [c.v, c.e ? `coalesce(${c.e}, false)` : 'false'];
  });
  return { v: v!, e: e!, type };
}

/** The formula's value (text, float8, boolean, float8 epoch ms for datetimes, text[]); NULL when blank or on error. */
export function compileFormula(ast: FormulaAst, ctx: FormulaSqlContext): string {
  return compileWith('value', ast, ctx, (c) => {
    const e = withoutBlankError(c.e, c.v);
    return [e ? `(CASE WHEN coalesce(${e}, false) THEN ${nullOf(c.type)} ELSE ${c.v} END)` : c.v];
  })[0]!;
}

/**
 * An error condition without its "the value itself is NULL" term: where errors read as NULL anyway (a computed
 * value), that term changes nothing and would compute the value a second time.
 */
function withoutBlankError(e: string | null, v: string): string | null {
  if (!e) return null;
  const own = nullIsError(v);
  if (e === own) return null;
  const tail = ` OR ${own})`;
  return e.startsWith('(') && e.endsWith(tail) ? `(${e.slice(1, -tail.length)})` : e;
}

/** TRUE exactly when the evaluator keeps the row (truthy result, no runtime error); never NULL. */
export function compileFormulaCondition(ast: FormulaAst | (() => FormulaAst), ctx: FormulaSqlContext): string {
  return compileWith('condition', ast, ctx, (c) => [
    c.e ? `(NOT coalesce(${c.e}, false) AND ${truthySql(c)})` : `(${truthySql(c)})`,
  ])[0]!;
}

/** A node's SQL, long parts behind share tokens (formula-sql/share.ts) so parents that repeat them stay linear. */
function compileNode(env: SqlEnv, node: FormulaNode): Sql {
  return shareSql(env, compileOwn(env, node));
}

function compileOwn(env: SqlEnv, node: FormulaNode): Sql {
  switch (node.kind) {
    case 'number':
      return { v: numberParam(env, node.value), e: null, type: 'number' };
    case 'string':
      return { v: textParam(env, node.value), e: null, type: 'string' };
    case 'field': {
      const field = env.fields.get(node.fieldId);
      if (field && fieldTypeOf(field.type).computed === 'formula' && env.formulas) {
        // The referenced formula's current value, as the evaluator computes it; a broken one is an error.
        const ast = env.formulas.get(field.id);
        if (ast?.root.type === 'null') return { v: nullOf(node.type), e: null, type: node.type };
        if (!ast || ast.root.type !== node.type) return { v: nullOf(node.type), e: 'true', type: node.type };
        return formulaRef(env, field.id, ast, node.type);
      }
      return { v: fieldSql(env, node), e: null, type: node.type };
    }
    case 'unary': {
      const arg = compileNode(env, node.arg);
      if (node.op === '!') return { v: `(NOT ${truthySql(arg)})`, e: arg.e, type: 'boolean' };
      const n = toNumberSql(env, arg);
      if (node.op === '+') return n;
      const v = toDouble(env, `(0 - ${dec(env, n.v)})`);
      return { v, e: anyError(errorUnlessPropagated(n), nullIsError(v)), type: 'number' };
    }
    case 'binary':
      return binary(env, node.op, node, compileNode(env, node.left), compileNode(env, node.right));
    case 'call':
      return call(env, node);
  }
}

function call(env: SqlEnv, node: CallNode): Sql {
  const compiled = new Map<number, Sql>();
  const arg = (i: number): Sql => {
    let c = compiled.get(i);
    if (!c) {
      c = compileNode(env, node.args[i]!);
      compiled.set(i, c);
    }
    return c;
  };
  const zoneOfArg = (i: number) => zoneSql(env, argZone(node.args[i], env.zone));
  /** Conversion errors recorded by text/number (see SqlCall.scope). */
  const conversions: string[] = [];
  const record = (c: Sql): Sql => {
    if (c.e && !conversions.includes(c.e)) conversions.push(c.e);
    return c;
  };
  const sqlCall: SqlCall = {
    node,
    args: node.args,
    env,
    arg,
    text: (i) => record(textOf(env, node.args[i]!, arg(i))),
    number: (i) => record(toNumberSql(env, arg(i))),
    scope: (condition, build) => {
      const before = conversions.length;
      const result = build();
      const added = conversions.splice(before);
      const e = anyError(...added);
      if (e) conversions.push(`(${condition} AND coalesce(${e}, false))`);
      return result;
    },
    truthy: (i) => truthySql(arg(i)),
    date: (i) => toDateSql(env, arg(i).v, node.args[i]!.type, zoneOfArg(i)),
    zone: zoneOfArg,
    ctxZone: () => zoneSql(env, env.zone),
    compare: (op, a, b) => compareSql(env, op, a, b),
    convert: (i, type) => {
      const c = arg(i);
      if (type === 'null') return { v: nullOf('null'), e: c.e, type };
      if (c.type === type) return c;
      if (c.type === 'null') return { v: nullOf(type), e: c.e, type };
      const t = textOf(env, node.args[i]!, c);
      return { v: `(CASE WHEN ${c.v} IS NULL THEN NULL::text ELSE ${t.v} END)`, e: anyError(c.e, t.e), type };
    },
  };
  const fn: SqlFunction = SQL_FUNCTIONS[node.name as keyof typeof SQL_FUNCTIONS];
  const result = fn(sqlCall);
  const own = anyError(result.e, ...conversions);
  if (LAZY_SQL.has(node.name)) return { v: result.v, e: own, type: node.type };
  return { v: result.v, e: anyError(...node.args.map((_, i) => arg(i).e), own), type: node.type };
}
