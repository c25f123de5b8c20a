import { VALUE_PREFIX } from '../../../domain/formula/functions/numeric.js';
import { blankFirst, erroring, type SqlCall, type SqlFunction } from './call.js';
import { bind, dec, divNumeric, type SqlEnv, toDouble } from './values.js';
import { lenientNumberSql } from './conversions.js';

// Numeric functions in SQL, the twins of src/domain/formula/functions/numeric.ts.

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
    ...arrays.map(
      (a) =>
        `(SELECT coalesce(sum(${dec(env, `coalesce(${elementNumber(env, 'u.e')}, 0::float8)`)}), 0) FROM unnest(${a}) AS u(e))`,
    ),
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
        ...arrays.map(
          (a) =>
            `(SELECT coalesce(sum(${dec(env, 'u.x')}), 0) FROM (SELECT ${elementNumber(env, 'u0.e')} AS x FROM unnest(${a}) AS u0(e)) AS u)`,
        ),
      ];
      const counts = [
        ...(scalars.length ? names.map((n) => `(${n} IS NOT NULL)::int`) : []),
        ...arrays.map(
          (a) =>
            `(SELECT count(u.x)::int FROM (SELECT ${elementNumber(env, 'u0.e')} AS x FROM unnest(${a}) AS u0(e)) AS u)`,
        ),
      ];
      return bind(
        env,
        [`(${sums.join(' + ')})`, `(${counts.join(' + ')})`],
        ([s, c]) => `CASE WHEN ${c} = 0 THEN 0::float8 ELSE ${divNumeric(env, s!, `${c}::numeric`)} END`,
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
    const items = [
      ...scalars,
      ...arrays.map((a) => `(SELECT ${setAgg}(${elementNumber(env, 'u.e')}) FROM unnest(${a}) AS u(e))`),
    ];
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
      const sig =
        call.args.length > 1
          ? `(CASE WHEN ${call.arg(1).v} IS NULL THEN 1::float8 ELSE ${call.number(1).v} END)`
          : '1::float8';
      return erroring(
        bind(call.env, [dec(call.env, call.number(0).v), dec(call.env, sig)], ([x, s]) =>
          bind(call.env, [`greatest(scale(${x}), scale(${s}))`], ([k]) =>
            bind(
              call.env,
              [`trunc(${x} * ('1e' || ${k})::numeric)`, `trunc(${s} * ('1e' || ${k})::numeric)`],
              ([xi, si]) => {
                const adjust =
                  mode === 'ceil'
                    ? `+ (CASE WHEN mod(${xi}, ${si}) <> 0 AND (${xi} > 0) = (${si} > 0) THEN 1 ELSE 0 END)`
                    : `- (CASE WHEN mod(${xi}, ${si}) <> 0 AND (${xi} > 0) <> (${si} > 0) THEN 1 ELSE 0 END)`;
                return `CASE WHEN ${si} = 0 THEN NULL::float8 ELSE ${toDouble(call.env, `((div(${xi}, ${si}) ${adjust}) * ${s})`)} END`;
              },
            ),
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
  bind(
    env,
    [x],
    ([n]) =>
      `CASE WHEN abs(${n}) >= 1e308::float8 THEN NULL::float8 WHEN abs(${n}) < 1e-308::float8 THEN 0::float8 ELSE ${n} END`,
  );

export const NUMERIC_SQL = {
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
        bind(
          call.env,
          [dec(call.env, call.number(0).v), dec(call.env, call.number(1).v)],
          ([a, b]) =>
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
            const t = bind(
              call.env,
              [`${y} * ${l}`],
              ([tt]) =>
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
        bind(
          call.env,
          [call.number(0).v],
          ([x]) =>
            `CASE WHEN ${x} > 709 THEN NULL::float8 WHEN ${x} < -708 THEN 0::float8 ELSE ${checkFinite(call.env, `exp(${x})`)} END`,
        ),
      ),
    ),
  LOG: (call) =>
    blankFirst(call, 'number', () =>
      erroring(
        bind(
          call.env,
          [call.number(0).v, call.args.length > 1 ? call.number(1).v : '10::float8'],
          ([x, b]) =>
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
          bind(
            call.env,
            [`(regexp_match(${c}, '${VALUE_PREFIX}'))[1]`],
            ([m]) => `CASE WHEN ${m} IS NULL THEN NULL::float8 ELSE ${toDouble(call.env, `${m}::numeric`)} END`,
          ),
      ),
    ),
} satisfies Record<string, SqlFunction>;
