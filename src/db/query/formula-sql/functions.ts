import type { CallNode, FormulaNode, ValueType } from '../../domain/formula/ast.js';
import { compileParseFormat, DAY_MS, DEFAULT_DATETIME_FORMAT, MAX_MS, MIN_MS, MONTH_NAMES, UNITS, type DateUnit } from '../../domain/formula/dates.js';
import type { FunctionName } from '../../domain/formula/function-registry.js';
import { COUNTIF_OPS } from '../../domain/formula/functions/array.js';
import { MAX_WORKDAYS, MONDAY_DAY } from '../../domain/formula/functions/date-time.js';
import { switchParts } from '../../domain/formula/functions/logical.js';
import { VALUE_PREFIX } from '../../domain/formula/functions/numeric.js';
import { isSingleArray, literalString } from '../../domain/formula/functions/shared.js';
import { MAX_TEXT } from '../../domain/formula/functions/text.js';
import type { CompareOp } from '../../domain/formula/compare.js';
import {
  anyError,
  bind,
  dec,
  divNumeric,
  formatSql,
  inRange,
  lenientNumberSql,
  localOf,
  msOfLocal,
  nullIsError,
  nullOf,
  offsetOf,
  parseDateSql,
  partsToMsSql,
  offsetTextSql,
  nowSql,
  textParam,
  toDouble,
  truthySql,
  wallMsOf,
  WS,
  type Sql,
  type SqlEnv,
} from './formula-sql-values.js';

/**
 * SQL implementations of the formula functions, one per `FunctionName` (the evaluator's twins in
 * src/domain/formula/functions/*.ts; the sections below follow the same categories).
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
function blankFirst(call: SqlCall, type: ValueType, inner: () => { v: string; e?: string | null }) {
  const a = call.arg(0).v;
  const r = call.scope(`${a} IS NOT NULL`, inner);
  return {
    v: `(CASE WHEN ${a} IS NULL THEN ${nullOf(type)} ELSE ${r.v} END)`,
    e: r.e ? `(${a} IS NOT NULL AND coalesce(${r.e}, false))` : null,
  };
}

/** The inner value is NULL only on error. */
const erroring = (v: string) => ({ v, e: nullIsError(v) });

const intArg = (call: SqlCall, i: number) => `greatest(-1e9::float8, least(1e9::float8, trunc(${call.number(i).v})))`;

// ---------------------------------------------------------------------------------------------------------------
// Numeric

/** One argument's contribution to SUM/AVERAGE: a list of (lenient number or NULL) expressions / a set query. */
function numericParts(call: SqlCall, skipDatetime = false) {
  const scalars: string[] = [];
  const arrays: string[] = [];
  call.args.forEach((arg, i) => {
    if (skipDatetime && arg.type === 'datetime') return;
    const v = call.arg(i).v;
    if (arg.type === 'array') arrays.push(v);
    else scalars.push(lenientNumberSql(call.env, v, arg.type));
  });
  return { scalars, arrays };
}

const elementNumber = (env: SqlEnv, e: string) => lenientNumberSql(env, e, 'string');

function sumSql(call: SqlCall) {
  const env = call.env;
  const { scalars, arrays } = numericParts(call);
  const terms = [
    ...scalars.map((s) => `coalesce(${dec(env, `coalesce(${s}, 0::float8)`)}, 0)`),
    ...arrays.map((a) => `(SELECT coalesce(sum(${dec(env, `coalesce(${elementNumber(env, 'u.e')}, 0::float8)`)}), 0) FROM unnest(${a}) AS u(e))`),
  ];
  return erroring(toDouble(env, terms.length ? `(${terms.join(' + ')})` : '0::numeric'));
}

function averageSql(call: SqlCall) {
  const env = call.env;
  const { scalars, arrays } = numericParts(call);
  if (!scalars.length && !arrays.length) return { v: '0::float8' };
  return erroring(
    bind(env, scalars.length ? scalars : ['NULL::float8'], (names) => {
      const sums = [
        ...(scalars.length ? names.map((n) => `coalesce(${dec(env, n)}, 0)`) : []),
        ...arrays.map((a) => `(SELECT coalesce(sum(${dec(env, 'u.x')}), 0) FROM (SELECT ${elementNumber(env, 'u0.e')} AS x FROM unnest(${a}) AS u0(e)) AS u)`),
      ];
      const counts = [
        ...(scalars.length ? names.map((n) => `(${n} IS NOT NULL)::int`) : []),
        ...arrays.map((a) => `(SELECT count(u.x)::int FROM (SELECT ${elementNumber(env, 'u0.e')} AS x FROM unnest(${a}) AS u0(e)) AS u)`),
      ];
      return bind(env, [`(${sums.join(' + ')})`, `(${counts.join(' + ')})`], ([s, c]) =>
        `CASE WHEN ${c} = 0 THEN 0::float8 ELSE ${divNumeric(env, s!, `${c}::numeric`)} END`,
      );
    }),
  );
}

function extremeSql(name: 'MAX' | 'MIN') {
  const agg = name === 'MAX' ? 'greatest' : 'least';
  const setAgg = name === 'MAX' ? 'max' : 'min';
  return (call: SqlCall) => {
    const env = call.env;
    if (call.args.length > 0 && call.args.every((a) => a.type === 'datetime')) {
      return { v: `${agg}(${call.args.map((_, i) => call.arg(i).v).join(', ')})` };
    }
    const { scalars, arrays } = numericParts(call, true);
    const items = [...scalars, ...arrays.map((a) => `(SELECT ${setAgg}(${elementNumber(env, 'u.e')}) FROM unnest(${a}) AS u(e))`)];
    return { v: items.length ? `coalesce(${agg}(${items.join(', ')}), 0::float8)` : '0::float8' };
  };
}

const placesSql = (call: SqlCall) =>
  call.args.length > 1 ? `greatest(-400, least(400, floor(${call.number(1).v})))::int` : '0';

function roundSql(mode: 'half-up' | 'up' | 'down'): SqlFunction {
  return (call) =>
    blankFirst(call, 'number', () =>
      erroring(
        bind(call.env, [dec(call.env, call.number(0).v), placesSql(call)], ([x, p]) => {
          const scaled = `${x} * ('1e' || ${p})::numeric`;
          const rounded = bind(call.env, [scaled], ([n]) =>
            mode === 'half-up' ? `floor(${n} + 0.5)` : mode === 'down' ? `trunc(${n})` : `sign(${n}) * ceil(abs(${n}))`,
          );
          return toDouble(call.env, `(${rounded} * ('1e' || (-${p}))::numeric)`);
        }),
      ),
    );
}

function multipleSql(mode: 'ceil' | 'floor'): SqlFunction {
  return (call) =>
    blankFirst(call, 'number', () => {
      const sig = call.args.length > 1 ? `(CASE WHEN ${call.arg(1).v} IS NULL THEN 1::float8 ELSE ${call.number(1).v} END)` : '1::float8';
      return erroring(
        bind(call.env, [dec(call.env, call.number(0).v), dec(call.env, sig)], ([x, s]) =>
          bind(call.env, [`greatest(scale(${x}), scale(${s}))`], ([k]) =>
            bind(call.env, [`trunc(${x} * ('1e' || ${k})::numeric)`, `trunc(${s} * ('1e' || ${k})::numeric)`], ([xi, si]) => {
              const adjust =
                mode === 'ceil'
                  ? `+ (CASE WHEN mod(${xi}, ${si}) <> 0 AND (${xi} > 0) = (${si} > 0) THEN 1 ELSE 0 END)`
                  : `- (CASE WHEN mod(${xi}, ${si}) <> 0 AND (${xi} > 0) <> (${si} > 0) THEN 1 ELSE 0 END)`;
              return `CASE WHEN ${si} = 0 THEN NULL::float8 ELSE ${toDouble(call.env, `((div(${xi}, ${si}) ${adjust}) * ${s})`)} END`;
            }),
          ),
        ),
      );
    });
}

function evenOddSql(odd: boolean): SqlFunction {
  return (call) =>
    blankFirst(call, 'number', () => ({
      v: bind(call.env, [call.number(0).v], ([x]) =>
        bind(call.env, [`(CASE WHEN ${x} > 0 THEN ceil(${x}) ELSE floor(${x}) END)`], ([r]) => {
          const even = `(${r} - 2 * floor(${r} / 2) = 0)`;
          return odd
            ? `CASE WHEN NOT ${even} THEN ${r} WHEN ${r} >= 0 THEN ${r} + 1 ELSE ${r} - 1 END`
            : `CASE WHEN ${even} THEN ${r} WHEN ${r} > 0 THEN ${r} + 1 ELSE ${r} - 1 END`;
        }),
      ),
    }));
}

/** checkFinite: |x| ≥ 1e308 → NULL (error), |x| < 1e-308 → 0. */
const checkFinite = (env: SqlEnv, x: string) =>
  bind(env, [x], ([n]) => `CASE WHEN abs(${n}) >= 1e308::float8 THEN NULL::float8 WHEN abs(${n}) < 1e-308::float8 THEN 0::float8 ELSE ${n} END`);

const NUMERIC_SQL = {
  SUM: sumSql,
  AVERAGE: averageSql,
  MAX: extremeSql('MAX'),
  MIN: extremeSql('MIN'),
  ROUND: roundSql('half-up'),
  ROUNDUP: roundSql('up'),
  ROUNDDOWN: roundSql('down'),
  CEILING: multipleSql('ceil'),
  FLOOR: multipleSql('floor'),
  EVEN: evenOddSql(false),
  ODD: evenOddSql(true),
  INT: (call) => blankFirst(call, 'number', () => ({ v: `floor(${call.number(0).v})` })),
  ABS: (call) => ({ v: `abs(${call.number(0).v})` }),
  SQRT: (call) =>
    blankFirst(call, 'number', () =>
      erroring(bind(call.env, [call.number(0).v], ([x]) => `CASE WHEN ${x} < 0 THEN NULL::float8 ELSE sqrt(${x}) END`)),
    ),
  MOD: (call) =>
    blankFirst(call, 'number', () =>
      erroring(
        bind(call.env, [dec(call.env, call.number(0).v), dec(call.env, call.number(1).v)], ([a, b]) =>
          `CASE WHEN ${b} = 0 THEN NULL::float8 ELSE ${bind(call.env, [`mod(${a}, ${b})`], ([r]) =>
            toDouble(call.env, `(CASE WHEN ${r} <> 0 AND sign(${r}) <> sign(${b}) THEN ${r} + ${b} ELSE ${r} END)`),
          )} END`,
        ),
      ),
    ),
  POWER: (call) =>
    blankFirst(call, 'number', () =>
      erroring(
        bind(call.env, [call.number(0).v, call.number(1).v], ([x, y]) => {
          const general = bind(call.env, [`ln(abs(${x}))`], ([l]) => {
            const t = bind(call.env, [`${y} * ${l}`], ([tt]) =>
              `CASE WHEN ${tt} > 709 THEN NULL::float8 WHEN ${tt} < -708 THEN 0::float8 ELSE ${checkFinite(call.env, `power(${x}, ${y})`)} END`,
            );
            return `CASE WHEN abs(${y}) > 1e300::float8 THEN (CASE WHEN ${l} = 0 THEN ${checkFinite(call.env, `power(${x}, ${y})`)} WHEN sign(${y}) * sign(${l}) > 0 THEN NULL::float8 ELSE 0::float8 END) ELSE ${t} END`;
          });
          return (
            `CASE WHEN ${x} = 0 THEN (CASE WHEN ${y} < 0 THEN NULL::float8 WHEN ${y} = 0 THEN 1::float8 ELSE 0::float8 END) ` +
            `WHEN ${x} < 0 AND floor(${y}) <> ${y} THEN NULL::float8 ELSE ${general} END`
          );
        }),
      ),
    ),
  EXP: (call) =>
    blankFirst(call, 'number', () =>
      erroring(
        bind(call.env, [call.number(0).v], ([x]) =>
          `CASE WHEN ${x} > 709 THEN NULL::float8 WHEN ${x} < -708 THEN 0::float8 ELSE ${checkFinite(call.env, `exp(${x})`)} END`,
        ),
      ),
    ),
  LOG: (call) =>
    blankFirst(call, 'number', () =>
      erroring(
        bind(call.env, [call.number(0).v, call.args.length > 1 ? call.number(1).v : '10::float8'], ([x, b]) =>
          `CASE WHEN ${x} <= 0 OR ${b} <= 0 OR ${b} = 1 THEN NULL::float8 ELSE ${checkFinite(call.env, `ln(${x}) / ln(${b})`)} END`,
        ),
      ),
    ),
  VALUE: (call) =>
    erroring(
      bind(
        call.env,
        [`regexp_replace(regexp_replace(${call.text(0).v}, '[^0-9.+-]', '', 'g'), '[-+.]*([-+.])', '\\1', 'g')`],
        ([c]) =>
          bind(call.env, [`(regexp_match(${c}, '${VALUE_PREFIX}'))[1]`], ([m]) =>
            `CASE WHEN ${m} IS NULL THEN NULL::float8 ELSE ${toDouble(call.env, `${m}::numeric`)} END`,
          ),
      ),
    ),
} satisfies Record<string, SqlFunction>;

// ---------------------------------------------------------------------------------------------------------------
// Text

function forwardFind(h: string, n: string, from: string): string {
  return `(CASE WHEN ${n} = '' THEN least(${from}, length(${h})) + 1 ELSE (CASE WHEN strpos(substr(${h}, ${from} + 1), ${n}) = 0 THEN 0 ELSE strpos(substr(${h}, ${from} + 1), ${n}) + ${from} END) END)`;
}

function backwardFind(h: string, n: string, from: string): string {
  return (
    `(CASE WHEN ${n} = '' THEN greatest(0, least(${from}, length(${h}))) + 1 ELSE coalesce((SELECT max(p) FROM generate_series(0, least(greatest(${from}, 0), length(${h}) - length(${n}))) AS p ` +
    `WHERE substr(${h}, p + 1, length(${n})) = ${n}), -1) + 1 END)`
  );
}

const fromSql = (start: string) => `(CASE WHEN ${start} > 0 THEN least(trunc(${start} - 1), 1e9::float8) ELSE 0 END)::int`;

const TEXT_SQL = {
  CONCATENATE: (call) => ({
    v: `(${call.args
      .map((arg, i) => (arg.type === 'array' ? `coalesce(array_to_string(${call.arg(i).v}, ''), '')` : call.text(i).v))
      .join(' || ')})`,
    e: anyError(...call.args.map((_, i) => call.text(i).e)),
  }),
  FIND: (call) => call.scope(`(${call.arg(0).v} IS NOT NULL AND ${call.arg(1).v} IS NOT NULL)`, () => {
    const env = call.env;
    const texts = [call.text(0), call.text(1)];
    const body = bind(env, [texts[0]!.v, texts[1]!.v], ([n, h]) => {
      if (call.args.length < 3) return forwardFind(h!, n!, '0');
      return bind(env, [call.number(2).v], ([s]) =>
        `CASE WHEN ${s} >= 0 THEN ${forwardFind(h!, n!, fromSql(s!))} ELSE ${backwardFind(h!, n!, `greatest(trunc(length(${h}) + ${s}), -1e9::float8)::int`)} END`,
      );
    });
    return {
      v: `(CASE WHEN ${call.arg(0).v} IS NULL OR ${call.arg(1).v} IS NULL THEN 0 ELSE ${body} END)::float8`,
      e: null,
    };
  }),
  SEARCH: (call) => call.scope(`(${call.arg(0).v} IS NOT NULL AND ${call.arg(1).v} IS NOT NULL)`, () => {
    const env = call.env;
    const from = call.args.length > 2 ? fromSql(call.number(2).v) : '0';
    const body = bind(env, [call.text(0).v, call.text(1).v, from], ([n, h, f]) =>
      bind(env, [forwardFind(h!, n!, f!)], ([p]) => `CASE WHEN ${p} = 0 THEN NULL ELSE ${p} END`),
    );
    return {
      v: `(CASE WHEN ${call.arg(0).v} IS NULL OR ${call.arg(1).v} IS NULL THEN NULL ELSE ${body} END)::float8`,
      e: null,
    };
  }),
  MID: (call) =>
    blankFirst(call, 'string', () => ({
      v: bind(call.env, [intArg(call, 1), intArg(call, 2)], ([st, cnt]) =>
        `substr(${call.text(0).v}, greatest(${st}, 1)::int, greatest(0, ${st} + ${cnt} - greatest(${st}, 1))::int)`,
      ),
      e: anyError(call.text(0).e),
    })),
  REPLACE: (call) =>
    blankFirst(call, 'string', () => ({
      v: bind(call.env, [call.text(0).v, `${intArg(call, 1)} - 1`, intArg(call, 2), call.text(3).v], ([s, at, cnt, r]) => {
        const clamp = (x: string) => `greatest(0, least(${x}, length(${s})))::int`;
        return `CASE WHEN length(${s}) <= ${at} THEN ${s} || ${r} ELSE left(${s}, ${clamp(at!)}) || ${r} || substr(${s}, ${clamp(`${at} + ${cnt}`)} + 1) END`;
      }),
      e: anyError(call.text(0).e, call.text(3).e),
    })),
  SUBSTITUTE: (call) =>
    blankFirst(call, 'string', () => ({
      v: bind(call.env, [call.text(0).v, call.text(1).v, call.text(2).v], ([s, o, r]) => {
        const all = `replace(${s}, ${o}, ${r})`;
        const nth =
          call.args.length < 4
            ? all
            : bind(call.env, [`string_to_array(${s}, ${o})`], ([parts]) =>
                `CASE WHEN ${call.arg(3).v} IS NULL THEN ${all} ELSE ${bind(call.env, [intArg(call, 3)], ([n]) =>
                  `CASE WHEN ${n} < 1 OR ${n} > cardinality(${parts}) - 1 THEN ${s} ELSE array_to_string(${parts}[1:${n}::int], ${o}) || ${r} || array_to_string(${parts}[${n}::int + 1:], ${o}) END`,
                )} END`,
              );
        return `CASE WHEN ${o} = '' OR ${s} = '' THEN ${s} ELSE ${nth} END`;
      }),
      e: anyError(call.text(0).e, call.text(1).e, call.text(2).e),
    })),
  LEN: (call) => blankFirst(call, 'number', () => ({ v: `length(${call.text(0).v})::float8`, e: call.text(0).e })),
  LEFT: (call) =>
    blankFirst(call, 'string', () => ({
      v: `left(${call.text(0).v}, greatest(0, ${call.args.length > 1 ? intArg(call, 1) : '1'})::int)`,
      e: call.text(0).e,
    })),
  RIGHT: (call) =>
    blankFirst(call, 'string', () => ({
      v: bind(call.env, [call.args.length > 1 ? intArg(call, 1) : '1::float8'], ([n]) =>
        `CASE WHEN ${n} <= 0 THEN ''::text ELSE right(${call.text(0).v}, ${n}::int) END`,
      ),
      e: call.text(0).e,
    })),
  LOWER: (call) => blankFirst(call, 'string', () => ({ v: `lower(${call.text(0).v} COLLATE "C")`, e: call.text(0).e })),
  UPPER: (call) => blankFirst(call, 'string', () => ({ v: `upper(${call.text(0).v} COLLATE "C")`, e: call.text(0).e })),
  REPT: (call) =>
    blankFirst(call, 'string', () => {
      const v = bind(call.env, [call.text(0).v, intArg(call, 1)], ([s, n]) =>
        `CASE WHEN ${n} <= 0 THEN ''::text WHEN length(${s})::float8 * ${n} > ${MAX_TEXT} THEN NULL::text ELSE repeat(${s}, ${n}::int) END`,
      );
      return { v, e: anyError(call.text(0).e, nullIsError(v)) };
    }),
  T: (call) =>
    call.args[0]!.type === 'string' || call.args[0]!.type === 'array'
      ? blankFirst(call, 'string', () => ({ v: call.text(0).v, e: call.text(0).e }))
      : { v: 'NULL::text' },
  TRIM: (call) => blankFirst(call, 'string', () => ({ v: `btrim(${call.text(0).v}, ${WS})`, e: call.text(0).e })),
  ENCODE_URL_COMPONENT: (call) =>
    blankFirst(call, 'string', () => {
      const k = ++call.env.seq.n;
      return {
        v:
          `(SELECT coalesce(string_agg(CASE WHEN c${k}.c ~ '^[A-Za-z0-9_.!~*''()-]$' THEN c${k}.c ELSE upper(regexp_replace(encode(convert_to(c${k}.c, 'UTF8'), 'hex'), '(..)', '%\\1', 'g')) END, '' ORDER BY c${k}.i), '') ` +
          `FROM regexp_split_to_table(${call.text(0).v}, '') WITH ORDINALITY AS c${k}(c, i))`,
        e: call.text(0).e,
      };
    }),
} satisfies Record<string, SqlFunction>;

// ---------------------------------------------------------------------------------------------------------------
// Logical

function truthElements(call: SqlCall, mode: 'and' | 'or' | 'xor'): string {
  if (isSingleArray(call.args)) {
    const a = call.arg(0).v;
    if (mode === 'and') return `coalesce((SELECT bool_and(u.e <> '') FROM unnest(${a}) AS u(e)), false)`;
    if (mode === 'or') return `coalesce((SELECT bool_or(u.e <> '') FROM unnest(${a}) AS u(e)), false)`;
    return `coalesce((SELECT count(*) FILTER (WHERE u.e <> '') % 2 = 1 FROM unnest(${a}) AS u(e)), false)`;
  }
  const ts = call.args.map((_, i) => call.truthy(i));
  if (mode === 'and') return `(${ts.join(' AND ')})`;
  if (mode === 'or') return `(${ts.join(' OR ')})`;
  return `((${ts.map((t) => `${t}::int`).join(' + ')}) % 2 = 1)`;
}

const LOGICAL_SQL = {
  IF: (call) => {
    const type = call.node.type;
    const t = call.truthy(0);
    const a = call.convert(1, type);
    const b = call.convert(2, type);
    const branchError = a.e || b.e ? `(CASE WHEN ${t} THEN coalesce(${a.e ?? 'false'}, false) ELSE coalesce(${b.e ?? 'false'}, false) END)` : null;
    return { v: `(CASE WHEN ${t} THEN ${a.v} ELSE ${b.v} END)`, e: anyError(call.arg(0).e, branchError) };
  },
  SWITCH: (call) => {
    const type = call.node.type;
    const { pairs, hasDefault, defaultIndex } = switchParts(call.args);
    const target = call.arg(0);
    const values: string[] = [];
    const errors: string[] = [];
    let anyBranchError = false;
    for (let k = 0; k < pairs; k++) {
      const p = 1 + 2 * k;
      const pattern = call.arg(p);
      const eq = call.compare('=', { ...target, e: null }, { ...pattern, e: null }).v;
      const result = call.convert(p + 1, type);
      values.push(`WHEN ${eq} THEN ${result.v}`);
      if (pattern.e) {
        errors.push(`WHEN coalesce(${pattern.e}, false) THEN true`);
        anyBranchError = true;
      }
      errors.push(`WHEN ${eq} THEN coalesce(${result.e ?? 'false'}, false)`);
      if (result.e) anyBranchError = true;
    }
    const fallback = hasDefault ? call.convert(defaultIndex, type) : { v: nullOf(type), e: null };
    if (fallback.e) anyBranchError = true;
    const v = values.length ? `(CASE ${values.join(' ')} ELSE ${fallback.v} END)` : fallback.v;
    const branchError = anyBranchError ? `(CASE ${errors.join(' ')} ELSE coalesce(${fallback.e ?? 'false'}, false) END)` : null;
    return { v, e: anyError(target.e, branchError) };
  },
  TRUE: () => ({ v: 'true' }),
  FALSE: () => ({ v: 'false' }),
  AND: (call) => ({ v: truthElements(call, 'and') }),
  OR: (call) => ({ v: truthElements(call, 'or') }),
  XOR: (call) => ({ v: truthElements(call, 'xor') }),
  BLANK: () => ({ v: 'NULL::text' }),
  ERROR: () => ({ v: 'NULL::text', e: 'true' }),
  ISERROR: (call) => ({ v: call.arg(0).e ? `coalesce(${call.arg(0).e}, false)` : 'false', e: null }),
  IS_ERROR: (call) => ({ v: call.arg(0).e ? `coalesce(${call.arg(0).e}, false)` : 'false', e: null }),
  NOT: (call) => ({ v: `(NOT ${call.truthy(0)})` }),
} satisfies Record<string, SqlFunction>;

// ---------------------------------------------------------------------------------------------------------------
// Date and time

/** A unit argument: a literal known at compile time, or a text expression mapped at run time (NULL = invalid). */
type UnitSql = { literal: DateUnit } | { sql: string } | { invalid: true };

const UNIT_CASES: [string, DateUnit][] = Object.entries({
  milliseconds: 'ms', millisecond: 'ms', ms: 'ms', seconds: 's', second: 's', s: 's', minutes: 'm', minute: 'm', m: 'm',
  hours: 'h', hour: 'h', h: 'h', days: 'd', day: 'd', d: 'd', weeks: 'w', week: 'w', w: 'w', months: 'M', month: 'M',
  M: 'M', quarters: 'Q', quarter: 'Q', Q: 'Q', years: 'y', year: 'y', y: 'y',
} satisfies Record<string, DateUnit>);

const knownUnit = (text: string): UnitSql => (Object.hasOwn(UNITS, text) ? { literal: UNITS[text]! } : { invalid: true });

function unitSql(call: SqlCall, i: number, fallback: string): UnitSql {
  if (i >= call.args.length) return knownUnit(fallback);
  const literal = literalString(call.args[i]);
  if (literal !== undefined) return knownUnit(literal === '' ? fallback : literal);
  const text = call.text(i).v;
  const unit = `(CASE WHEN ${call.arg(i).v} IS NULL OR ${text} = '' THEN '${fallback}' ELSE ${text} END)`;
  return { sql: `(CASE ${unit} ${UNIT_CASES.map(([name, code]) => `WHEN '${name}' THEN '${code}'`).join(' ')} END)` };
}

/** Builds a per-unit expression; run-time units become a CASE (an unknown unit gives NULL). */
function perUnit(unit: UnitSql, units: readonly DateUnit[], build: (u: DateUnit) => string, type = 'float8'): string {
  if ('invalid' in unit) return `NULL::${type}`;
  if ('literal' in unit) return build(unit.literal);
  return `(CASE ${unit.sql} ${units.map((u) => `WHEN '${u}' THEN ${build(u)}`).join(' ')} ELSE NULL::${type} END)`;
}

const ALL_UNITS: DateUnit[] = ['ms', 's', 'm', 'h', 'd', 'w', 'M', 'Q', 'y'];
const UNIT_MS_SQL = { ms: 1, s: 1000, m: 60000, h: 3600000 } as const;
const MIN_WALL = `${MIN_MS - 2 * DAY_MS}::float8`;
const MAX_WALL = `${MAX_MS + 2 * DAY_MS}::float8`;

/** dates.ts addDays: wall-clock days; NULL when out of range. */
function addDaysSql(env: SqlEnv, ms: string, days: string, zone: string): string {
  return bind(env, [localOf(ms, zone), days], ([l, d]) =>
    `CASE WHEN ${wallMsOf(l!)} + ${d}::float8 * ${DAY_MS} NOT BETWEEN ${MIN_WALL} AND ${MAX_WALL} THEN NULL::float8 ELSE ${bind(env, [msOfLocal(`${l} + interval '1 day' * ${d}`, zone)], ([t]) => `CASE WHEN ${inRange(t!)} THEN ${t} END`)} END`,
  );
}

/** dates.ts addMonths: calendar months clamping the day; NULL when the year leaves 1–9999 or the range. */
function addMonthsSql(env: SqlEnv, ms: string, months: string, zone: string): string {
  return bind(env, [localOf(ms, zone), months], ([l, n]) => {
    const index = `(extract(year FROM ${l})::int * 12 + extract(month FROM ${l})::int - 1 + ${n})`;
    return `CASE WHEN floor(${index} / 12.0) NOT BETWEEN 1 AND 9999 THEN NULL::float8 ELSE ${bind(env, [msOfLocal(`${l} + interval '1 month' * ${n}`, zone)], ([t]) => `CASE WHEN ${inRange(t!)} THEN ${t} END`)} END`;
  });
}

function dateAddSql(env: SqlEnv, ms: string, count: string, unit: UnitSql, zone: string): string {
  return bind(env, [ms, count], ([t, n]) =>
    `CASE WHEN abs(${n}) > 1e15::float8 THEN NULL::float8 ELSE ${perUnit(unit, ALL_UNITS, (u) => {
      switch (u) {
        case 'ms':
        case 's':
        case 'm':
        case 'h':
          return bind(env, [`trunc(${t} + ${n} * ${UNIT_MS_SQL[u]})`], ([r]) => `CASE WHEN ${inRange(r!)} THEN ${r} END`);
        case 'd':
        case 'w':
          return bind(env, [`floor(${u === 'w' ? `${n} * 7` : n} + 0.5)`], ([days]) =>
            `CASE WHEN abs(${days}) > 3700000 THEN NULL::float8 ELSE ${addDaysSql(env, t!, `${days}::int`, zone)} END`,
          );
        default: {
          const months = u === 'Q' ? `trunc(${n} * 3)` : u === 'y' ? `trunc(${n}) * 12` : `trunc(${n})`;
          return bind(env, [months], ([mo]) =>
            `CASE WHEN abs(${mo}) > 120000 THEN NULL::float8 ELSE ${addMonthsSql(env, t!, `${mo}::int`, zone)} END`,
          );
        }
      }
    })} END`,
  );
}

/** dayjs monthDiff(a, b) (a, b bound names): a − b in months. NULL when an anchor leaves the range. */
function monthDiffSql(env: SqlEnv, a: string, b: string, zone: string): string {
  const core = (x: string, y: string) =>
    bind(env, [localOf(x, zone), localOf(y, zone)], ([lx, ly]) =>
      bind(env, [`((extract(year FROM ${ly})::int - extract(year FROM ${lx})::int) * 12 + (extract(month FROM ${ly})::int - extract(month FROM ${lx})::int))`], ([w]) =>
        bind(env, [addMonthsSql(env, x, w!, zone)], ([anchor]) =>
          bind(env, [`(${y} - ${anchor} < 0)`], ([c]) =>
            bind(env, [addMonthsSql(env, x, `${w} + (CASE WHEN ${c} THEN -1 ELSE 1 END)`, zone)], ([anchor2]) =>
              `(-(${w} + (${y} - ${anchor}) / (CASE WHEN ${c} THEN ${anchor} - ${anchor2} ELSE ${anchor2} - ${anchor} END)) + 0)`,
            ),
          ),
        ),
      ),
    );
  return `(CASE WHEN extract(day FROM ${localOf(a, zone)}) < extract(day FROM ${localOf(b, zone)}) THEN -(${core(b, a)}) ELSE ${core(a, b)} END)`;
}

function dateDiffSql(env: SqlEnv, a: string, b: string, unit: UnitSql, zone: string): string {
  return bind(env, [a, b], ([x, y]) =>
    perUnit(unit, ALL_UNITS, (u) => {
      switch (u) {
        case 'ms':
          return `(${x} - ${y})`;
        case 's':
        case 'm':
        case 'h':
          return `((${x} - ${y}) / ${UNIT_MS_SQL[u]})`;
        case 'd':
        case 'w':
          return `((${x} + ${offsetOf(x!, zone)} * 60000::float8 - (${y} + ${offsetOf(y!, zone)} * 60000::float8)) / ${u === 'w' ? 7 * DAY_MS : DAY_MS})`;
        case 'M':
          return monthDiffSql(env, x!, y!, zone);
        case 'Q':
          return `(${monthDiffSql(env, x!, y!, zone)} / 3)`;
        case 'y':
          return `(${monthDiffSql(env, x!, y!, zone)} / 12)`;
      }
    }),
  );
}

/** A date argument: value and error (invalid date). */
function dateArg(call: SqlCall, i: number): { v: string; e: string } {
  const v = call.date(i);
  return { v, e: `(${v} IS NULL)` };
}

const dayNumberSql = (ms: string, zone: string) => `(${localOf(ms, zone)}::date - date '1970-01-01')`;
const isWeekdaySql = (d: string) => `(mod(mod(${d} - ${MONDAY_DAY}, 7) + 7, 7) < 5)`;
const weekdaysBeforeSql = (x: string) =>
  `(floor((${x} - ${MONDAY_DAY}) / 7.0) * 5 + least((${x} - ${MONDAY_DAY}) - floor((${x} - ${MONDAY_DAY}) / 7.0) * 7, 5))`;

/** Holidays of argument i as local day numbers (int[]) and the condition that one of them is not a date. */
function holidaysSql(call: SqlCall, i: number, zone: string): { v: string; e: string | null } {
  if (i >= call.args.length) return { v: `'{}'::int[]`, e: null };
  const env = call.env;
  const k = ++env.seq.n;
  const parts = `(SELECT btrim(h${k}.p, ${WS}) AS p FROM unnest(string_to_array(${call.text(i).v}, ',')) AS h${k}(p)) AS hp${k}`;
  const parsed = (p: string) => parseDateSql(env, p, zone);
  const kept = `hp${k}.p NOT IN ('', 'null')`;
  const v = `(CASE WHEN ${call.arg(i).v} IS NULL THEN '{}'::int[] ELSE ARRAY(SELECT ${dayNumberSql(parsed(`hp${k}.p`), zone)} FROM ${parts} WHERE ${kept}) END)`;
  const e = `(${call.arg(i).v} IS NOT NULL AND EXISTS (SELECT 1 FROM ${parts} WHERE ${kept} AND ${parsed(`hp${k}.p`)} IS NULL))`;
  return { v, e: anyError(call.text(i).e, e) };
}

function workdaySql(call: SqlCall) {
  const env = call.env;
  const zone = call.zone(0);
  const start = dateArg(call, 0);
  const holidays = holidaysSql(call, 2, zone);
  const v = bind(env, [start.v, `trunc(${call.number(1).v})`], ([s, n]) =>
    `CASE WHEN ${s} IS NULL OR abs(${n}) > ${MAX_WORKDAYS} THEN NULL::float8 WHEN ${n} = 0 THEN ${s} ELSE ${bind(env, [dayNumberSql(s!, zone), holidays.v], ([sd, hol]) => {
      const k = ++env.seq.n;
      const target =
        `(SELECT ${sd} + sign(${n})::int * g${k}.k FROM generate_series(1, (abs(${n})::int * 2 + 14 + 2 * coalesce(cardinality(${hol}), 0))) AS g${k}(k) ` +
        `WHERE ${isWeekdaySql(`(${sd} + sign(${n})::int * g${k}.k)`)} AND NOT ((${sd} + sign(${n})::int * g${k}.k) = ANY(${hol})) ORDER BY g${k}.k OFFSET abs(${n})::int - 1 LIMIT 1)`;
      return addDaysSql(env, s!, `(${target} - ${sd})`, zone);
    })} END`,
  );
  return { v, e: anyError(start.e, holidays.e, `(${start.v} IS NOT NULL AND ${v} IS NULL)`) };
}

function workdayDiffSql(call: SqlCall) {
  const env = call.env;
  const zone = call.zone(0);
  const a = dateArg(call, 0);
  const b = dateArg(call, 1);
  const holidays = holidaysSql(call, 2, zone);
  const v = bind(env, [a.v, b.v], ([x, y]) =>
    `CASE WHEN ${x} IS NULL OR ${y} IS NULL THEN NULL::float8 ELSE ${bind(env, [dayNumberSql(x!, zone), dayNumberSql(y!, zone), holidays.v], ([da, db, hol]) =>
      bind(env, [`least(${da}, ${db})`, `greatest(${da}, ${db})`], ([lo, hi]) => {
        const k = ++env.seq.n;
        const count = `(${weekdaysBeforeSql(`(${hi} + 1)`)} - ${weekdaysBeforeSql(lo!)} - (SELECT count(DISTINCT u${k}.h) FROM unnest(${hol}) AS u${k}(h) WHERE u${k}.h BETWEEN ${lo} AND ${hi} AND ${isWeekdaySql(`u${k}.h`)}))`;
        return `(CASE WHEN ${da} <= ${db} THEN ${count} ELSE -${count} END)::float8`;
      }),
    )} END`,
  );
  return { v, e: anyError(a.e, b.e, holidays.e) };
}

/** dates-function startOfUnit as a wall-clock key (ms). */
function startOfUnitSql(env: SqlEnv, ms: string, unit: UnitSql, zone: string): string {
  return bind(env, [ms], ([t]) =>
    perUnit(unit, ALL_UNITS, (u) => {
      if (u === 'ms') return t!;
      const l = localOf(t!, zone);
      if (u === 'w') return `(${wallMsOf(`date_trunc('day', ${l})`)} - extract(dow FROM ${l})::int * ${DAY_MS}::float8)`;
      const field = { s: 'second', m: 'minute', h: 'hour', d: 'day', M: 'month', Q: 'quarter', y: 'year' }[u];
      return wallMsOf(`date_trunc('${field}', ${l})`);
    }),
  );
}

const partSql = (part: 'year' | 'month' | 'day' | 'hour' | 'minute' | 'second'): SqlFunction => (call) =>
  blankFirst(call, 'number', () => {
    const d = dateArg(call, 0);
    const expr = part === 'second' ? `floor(extract(second FROM ${localOf(d.v, call.zone(0))}))` : `extract(${part} FROM ${localOf(d.v, call.zone(0))})`;
    return { v: `(CASE WHEN ${d.v} IS NULL THEN NULL ELSE ${expr}::float8 END)`, e: d.e };
  });

function formatDateSql(call: SqlCall, format: { literal: string } | { sql: string }) {
  return blankFirst(call, 'string', () => {
    const d = dateArg(call, 0);
    return { v: `(CASE WHEN ${d.v} IS NULL THEN NULL ELSE ${formatSql(call.env, d.v, format, call.zone(0))} END)`, e: d.e };
  });
}

/** DATETIME_PARSE with a literal format (dates.ts parseWithFormat / partsFromGroups). */
function parseWithFormatSql(call: SqlCall, format: string): string {
  const env = call.env;
  const zone = call.zone(0);
  const { pattern, slots } = compileParseFormat(format);
  return bind(env, [`regexp_match(btrim(${call.text(0).v}, ${WS}), ${textParam(env, pattern)})`], ([m]) =>
    bind(env, [localOf(nowSql(env), zone)], ([now]) => {
      const g = (i: number) => `${m}[${i + 1}]`;
      let year: string | undefined;
      let month: string | undefined;
      let day: string | undefined;
      let hour = '0';
      let hour12: string | undefined;
      let meridiem: string | undefined;
      let minute = '0';
      let second = '0';
      let millisecond = '0';
      let offset: string | null = null;
      slots.forEach((slot, i) => {
        switch (slot) {
          case 'year': year = `${g(i)}::int`; break;
          case 'year2': year = `(${g(i)}::int + CASE WHEN ${g(i)}::int > 68 THEN 1900 ELSE 2000 END)`; break;
          case 'month': month = `${g(i)}::int`; break;
          case 'monthName': month = `array_position(ARRAY[${MONTH_NAMES.map((n) => `'${n}'`).join(', ')}], ${g(i)})`; break;
          case 'monthShort': month = `array_position(ARRAY[${MONTH_NAMES.map((n) => `'${n.slice(0, 3)}'`).join(', ')}], ${g(i)})`; break;
          case 'day': day = `${g(i)}::int`; break;
          case 'hour': hour = `${g(i)}::int`; break;
          case 'hour12': hour12 = `${g(i)}::int`; break;
          case 'minute': minute = `${g(i)}::int`; break;
          case 'second': second = `${g(i)}::int`; break;
          case 'millisecond': millisecond = `${g(i)}::int`; break;
          case 'meridiem': meridiem = `upper(${g(i)})`; break;
          case 'offset': offset = offsetTextSql(g(i)); break;
          default: break;
        }
      });
      const firstEpoch = slots.findIndex((s) => s === 'unixSeconds' || s === 'unixMs');
      if (firstEpoch >= 0) {
        const s = slots[firstEpoch]!;
        const e = s === 'unixSeconds' ? `(${g(firstEpoch)}::float8 * 1000)` : `${g(firstEpoch)}::float8`;
        return `CASE WHEN ${m} IS NULL THEN NULL::float8 ELSE (CASE WHEN ${inRange(e)} THEN ${e} END) END`;
      }
      if (hour12 !== undefined) {
        hour = `(CASE WHEN ${hour12} < 1 OR ${hour12} > 12 THEN 99 ELSE ${hour12} % 12 + (CASE WHEN ${meridiem ?? "''"} = 'PM' THEN 12 ELSE 0 END) END)`;
      } else if (meridiem !== undefined) {
        hour = `(CASE WHEN ${meridiem} = 'PM' AND ${hour} < 12 THEN ${hour} + 12 ELSE ${hour} END)`;
      }
      const y = year ?? `extract(year FROM ${now})::int`;
      const mo = month ?? (year === undefined ? `extract(month FROM ${now})::int` : '1');
      const d = day ?? (year === undefined && month === undefined ? `extract(day FROM ${now})::int` : '1');
      const built = partsToMsSql(env, { year: y, month: `coalesce(${mo}, 0)`, day: d, hour, minute, second, millisecond, offset }, zone);
      return `CASE WHEN ${m} IS NULL THEN NULL::float8 ELSE ${built} END`;
    }),
  );
}

function parseDateFn(call: SqlCall): { v: string; e?: string | null } {
  return blankFirst(call, 'datetime', () => {
    const type = call.args[0]!.type;
    const v0 = call.arg(0).v;
    let v: string;
    if (type === 'datetime') v = bind(call.env, [v0], ([x]) => `CASE WHEN ${inRange(x!)} THEN ${x} END`);
    else if (type === 'number') v = bind(call.env, [`trunc(${v0})`], ([x]) => `CASE WHEN ${inRange(x!)} THEN ${x} END`);
    else {
      const format = literalString(call.args[1]);
      v = format ? parseWithFormatSql(call, format) : parseDateSql(call.env, call.text(0).v, call.zone(0));
    }
    return { v, e: anyError(call.text(0).e, nullIsError(v)) };
  });
}

const relativeSql: SqlFunction = (call) =>
  blankFirst(call, 'number', () => {
    const d = dateArg(call, 0);
    const diff = dateDiffSql(call.env, nowSql(call.env), d.v, unitSql(call, 1, 'days'), call.zone(0));
    const v = `(abs(trunc(${diff})) + 0)`;
    return { v, e: anyError(d.e, call.args.length > 1 ? call.text(1).e : null, nullIsError(v)) };
  });

function weekStartSql(call: SqlCall, i: number): { v: string; e: string | null } {
  if (i >= call.args.length) return { v: `'sunday'`, e: null };
  const t = `lower(${call.text(i).v} COLLATE "C")`;
  const v = `(CASE WHEN ${call.arg(i).v} IS NULL THEN 'sunday' ELSE ${t} END)`;
  return { v, e: anyError(call.text(i).e, `(${v} NOT IN ('sunday', 'monday'))`) };
}

const DATE_TIME_SQL = {
  TODAY: (call) => ({ v: msOfLocal(`date_trunc('day', ${localOf(nowSql(call.env), call.ctxZone())})`, call.ctxZone()) }),
  NOW: (call) => ({ v: nowSql(call.env) }),
  TONOW: relativeSql,
  FROMNOW: relativeSql,
  DATEADD: (call) =>
    blankFirst(call, 'datetime', () => {
      const d = dateArg(call, 0);
      const v = `(CASE WHEN ${d.v} IS NULL THEN NULL::float8 ELSE ${dateAddSql(call.env, d.v, call.number(1).v, unitSql(call, 2, ''), call.zone(0))} END)`;
      return { v, e: anyError(d.e, nullIsError(v)) };
    }),
  DATETIME_DIFF: (call) => call.scope(`(${call.arg(0).v} IS NOT NULL AND ${call.arg(1).v} IS NOT NULL)`, () => {
    const a = dateArg(call, 0);
    const b = dateArg(call, 1);
    const diff = `(${dateDiffSql(call.env, a.v, b.v, unitSql(call, 2, 'days'), call.zone(0))} + 0)`;
    const both = `(${call.arg(0).v} IS NOT NULL AND ${call.arg(1).v} IS NOT NULL)`;
    return {
      v: `(CASE WHEN ${both} THEN ${diff} END)`,
      e: `(${both} AND (${a.v} IS NULL OR ${b.v} IS NULL OR ${diff} IS NULL))`,
    };
  }),
  WORKDAY: (call) => blankFirst(call, 'datetime', () => workdaySql(call)),
  WORKDAY_DIFF: (call) => blankFirst(call, 'number', () => workdayDiffSql(call)),
  IS_AFTER: (call) => compareDatesSql(call, '>'),
  IS_BEFORE: (call) => compareDatesSql(call, '<'),
  IS_SAME: (call) =>
    blankFirst(call, 'boolean', () => {
      const a = dateArg(call, 0);
      const b = dateArg(call, 1);
      const unit = unitSql(call, 2, 'ms');
      const same = `(${startOfUnitSql(call.env, a.v, unit, call.zone(0))} = ${startOfUnitSql(call.env, b.v, unit, call.zone(0))})`;
      return { v: same, e: anyError(a.e, b.e, `(${a.v} IS NOT NULL AND ${b.v} IS NOT NULL AND ${same} IS NULL)`) };
    }),
  DATETIME_FORMAT: (call) => {
    const literal = call.args.length > 1 ? literalString(call.args[1]) : '';
    if (literal !== undefined) return formatDateSql(call, { literal: literal || DEFAULT_DATETIME_FORMAT });
    const t = call.text(1);
    const r = formatDateSql(call, { sql: `coalesce(NULLIF(${t.v}, ''), '${DEFAULT_DATETIME_FORMAT}')` });
    return { v: r.v, e: anyError(r.e, t.e) };
  },
  DATETIME_PARSE: parseDateFn,
  DATESTR: (call) => formatDateSql(call, { literal: 'YYYY-MM-DD' }),
  TIMESTR: (call) => formatDateSql(call, { literal: 'HH:mm:ss' }),
  YEAR: partSql('year'),
  MONTH: partSql('month'),
  WEEKDAY: (call) =>
    blankFirst(call, 'number', () => {
      const d = dateArg(call, 0);
      const dow = `extract(dow FROM ${localOf(d.v, call.zone(0))})::int`;
      const monday = call.args.length > 1 ? `(${call.arg(1).v} IS NOT NULL AND lower(${call.text(1).v} COLLATE "C") = 'monday')` : 'false';
      return {
        v: `(CASE WHEN ${d.v} IS NULL THEN NULL WHEN ${monday} THEN (${dow} + 6) % 7 ELSE ${dow} END)::float8`,
        e: anyError(d.e, call.args.length > 1 ? call.text(1).e : null),
      };
    }),
  WEEKNUM: (call) =>
    blankFirst(call, 'number', () => {
      const d = dateArg(call, 0);
      const start = weekStartSql(call, 1);
      const v = bind(call.env, [localOf(d.v, call.zone(0))], ([l]) => {
        const jan1 = `extract(dow FROM date_trunc('year', ${l}))::int`;
        const offset = `(CASE WHEN ${start.v} = 'monday' THEN (${jan1} + 6) % 7 ELSE ${jan1} END)`;
        return `(floor((extract(doy FROM ${l})::int - 1 + ${offset}) / 7.0) + 1)::float8`;
      });
      return { v: `(CASE WHEN ${d.v} IS NULL THEN NULL ELSE ${v} END)`, e: anyError(d.e, start.e) };
    }),
  DAY: partSql('day'),
  HOUR: partSql('hour'),
  MINUTE: partSql('minute'),
  SECOND: partSql('second'),
  SET_LOCALE: (call) => blankFirst(call, 'datetime', () => dateArg(call, 0)),
  SET_TIMEZONE: (call) => blankFirst(call, 'datetime', () => dateArg(call, 0)),
  CREATED_TIME: (call) => ({ v: `floor(extract(epoch FROM ${call.env.alias}.created_at) * 1000)::float8` }),
  LAST_MODIFIED_TIME: (call) => ({ v: `floor(extract(epoch FROM ${call.env.alias}.updated_at) * 1000)::float8` }),
} satisfies Record<string, SqlFunction>;

function compareDatesSql(call: SqlCall, op: '>' | '<') {
  const a = dateArg(call, 0);
  const b = dateArg(call, 1);
  const both = `(${call.arg(0).v} IS NOT NULL AND ${call.arg(1).v} IS NOT NULL)`;
  return { v: `(CASE WHEN ${both} THEN ${a.v} ${op} ${b.v} END)`, e: `(${both} AND (${a.v} IS NULL OR ${b.v} IS NULL))` };
}

// ---------------------------------------------------------------------------------------------------------------
// Array

/** The flattened elements of the arguments as rows (x text, a int, b int) ordered by (a, b). */
function flattenRows(call: SqlCall): { rows: string | null; e: string | null } {
  const parts: string[] = [];
  const errors: (string | null)[] = [];
  call.args.forEach((arg, i) => {
    const v = call.arg(i).v;
    if (arg.type === 'array') parts.push(`SELECT u.x, ${i} AS a, u.n::int AS b FROM unnest(${v}) WITH ORDINALITY AS u(x, n)`);
    else {
      const t = call.text(i);
      errors.push(t.e);
      parts.push(`SELECT ${t.v} AS x, ${i} AS a, 1 AS b WHERE ${v} IS NOT NULL`);
    }
  });
  return { rows: parts.length ? parts.map((p) => `(${p})`).join(' UNION ALL ') : null, e: anyError(...errors) };
}

function arrayOf(call: SqlCall, mode: 'flatten' | 'compact' | 'unique') {
  const { rows, e } = flattenRows(call);
  if (!rows) return { v: 'NULL::text[]', e };
  const k = ++call.env.seq.n;
  let select: string;
  if (mode === 'unique') {
    select = `SELECT f${k}.x FROM (SELECT r${k}.x, r${k}.a, r${k}.b, row_number() OVER (PARTITION BY r${k}.x ORDER BY r${k}.a, r${k}.b) AS rn FROM (${rows}) AS r${k}) AS f${k} WHERE f${k}.rn = 1 ORDER BY f${k}.a, f${k}.b`;
  } else {
    select = `SELECT r${k}.x FROM (${rows}) AS r${k}${mode === 'compact' ? ` WHERE r${k}.x <> ''` : ''} ORDER BY r${k}.a, r${k}.b`;
  }
  return { v: `NULLIF(ARRAY(${select}), '{}'::text[])`, e };
}

function countIfSql(call: SqlCall) {
  const env = call.env;
  const range = call.arg(0);
  const criterion = call.arg(1);
  const rangeType = call.args[0]!.type;
  let op: { literal: CompareOp } | { sql: string };
  let opError: string | null = null;
  if (call.args.length < 3) op = { literal: '=' };
  else {
    const literal = literalString(call.args[2]);
    if (literal !== undefined) {
      const o = literal.trim() === '' ? '=' : COUNTIF_OPS[literal.trim()];
      op = o ? { literal: o } : { literal: '=' };
      if (!o) opError = 'true';
    } else {
      const t = `btrim(${call.text(2).v}, ${WS})`;
      const sql = `(CASE WHEN ${call.arg(2).v} IS NULL OR ${t} = '' THEN '=' ELSE (CASE ${t} ${Object.entries(COUNTIF_OPS)
        .map(([text, o]) => `WHEN '${text}' THEN '${o}'`)
        .join(' ')} END) END)`;
      op = { sql };
      opError = anyError(call.text(2).e, `(${sql} IS NULL)`);
    }
  }
  const ops: CompareOp[] = ['=', '!=', '>', '<', '>=', '<='];
  const byOp = (build: (o: CompareOp) => string, type: string) =>
    'literal' in op ? build(op.literal) : `(CASE ${op.sql} ${ops.map((o) => `WHEN '${o}' THEN ${build(o)}`).join(' ')} ELSE NULL::${type} END)`;
  let v: string;
  if (rangeType === 'array') {
    const k = ++env.seq.n;
    v = byOp(
      (o) =>
        `(SELECT count(*)::float8 FROM unnest(${range.v}) AS c${k}(e) WHERE ${call.compare(o, { v: `c${k}.e`, e: null, type: 'string' }, { ...criterion, e: null }).v})`,
      'float8',
    );
    v = `(CASE WHEN ${range.v} IS NULL THEN 0::float8 ELSE ${v} END)`;
  } else if (rangeType === 'string') {
    const text = call.scope(`${range.v} IS NOT NULL`, () => call.text(1));
    v = bind(env, [range.v, text.v], ([r, c]) =>
      byOp(
        (o) =>
          o === '='
            ? `(CASE WHEN ${c} = '' THEN 0 ELSE (length(${r}) - length(replace(${r}, ${c}, ''))) / length(${c}) END)::float8`
            : o === '!='
              ? '1::float8'
              : '0::float8',
        'float8',
      ),
    );
    v = `(CASE WHEN ${range.v} IS NULL THEN 0::float8 ELSE ${v} END)`;
  } else v = '0::float8';
  return { v, e: opError };
}

const ARRAY_SQL = {
  ARRAYCOMPACT: (call) => arrayOf(call, 'compact'),
  ARRAYUNIQUE: (call) => arrayOf(call, 'unique'),
  ARRAYFLATTEN: (call) => arrayOf(call, 'flatten'),
  ARRAYJOIN: (call) =>
    call.scope(`${call.arg(0).v} IS NOT NULL`, () => {
      const a = call.arg(0);
      if (call.args[0]!.type !== 'array') return { v: `(CASE WHEN ${a.v} IS NULL THEN NULL ELSE ${call.text(0).v} END)` };
      const sep = call.args.length > 1 ? call.text(1) : { v: `''`, e: null };
      return { v: `array_to_string(${a.v}, coalesce(NULLIF(${sep.v}, ''), ', '))` };
    }),
  COUNT: (call) => {
    const terms = call.args.flatMap((arg, i) => (arg.type === 'number' ? [`(${call.arg(i).v} IS NOT NULL)::int`] : []));
    return { v: terms.length ? `(${terms.join(' + ')})::float8` : '0::float8' };
  },
  COUNTA: (call) => {
    if (isSingleArray(call.args)) return { v: `coalesce((SELECT count(*) FROM unnest(${call.arg(0).v}) AS u(e) WHERE u.e <> ''), 0)::float8` };
    const terms = call.args.map((arg, i) => {
      const v = call.arg(i).v;
      switch (arg.type) {
        case 'string':
          return `(${v} IS NOT NULL AND ${v} <> '')::int`;
        case 'boolean':
          return `coalesce(${v}, false)::int`;
        case 'null':
          return '0';
        default:
          return `(${v} IS NOT NULL)::int`;
      }
    });
    return { v: terms.length ? `(${terms.join(' + ')})::float8` : '0::float8' };
  },
  COUNTALL: (call) =>
    isSingleArray(call.args) ? { v: `coalesce(cardinality(${call.arg(0).v}), 0)::float8` } : { v: `${call.args.length}::float8` },
  COUNTIF: countIfSql,
} satisfies Record<string, SqlFunction>;

// ---------------------------------------------------------------------------------------------------------------

export const SQL_FUNCTIONS = {
  ...NUMERIC_SQL,
  ...TEXT_SQL,
  ...LOGICAL_SQL,
  ...DATE_TIME_SQL,
  ...ARRAY_SQL,
  RECORD_ID: (call) => ({ v: `${call.env.alias}.id` }),
} satisfies Record<FunctionName, SqlFunction>;

export const LAZY_SQL = new Set<string>(['IF', 'SWITCH', 'ISERROR', 'IS_ERROR']);
