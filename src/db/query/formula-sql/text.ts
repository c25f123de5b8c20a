import { MAX_TEXT } from '../../../domain/formula/functions/text.js';
import { blankFirst, intArg, type SqlFunction } from './call.js';
import { anyError, bind, nullIsError, WS } from './values.js';

// Text functions in SQL, the twins of src/domain/formula/functions/text.ts.

function forwardFind(h: string, n: string, from: string): string {
  return `(CASE WHEN ${n} = '' THEN least(${from}, length(${h})) + 1 ELSE (CASE WHEN strpos(substr(${h}, ${from} + 1), ${n}) = 0 THEN 0 ELSE strpos(substr(${h}, ${from} + 1), ${n}) + ${from} END) END)`;
}

function backwardFind(h: string, n: string, from: string): string {
  return (
    `(CASE WHEN ${n} = '' THEN greatest(0, least(${from}, length(${h}))) + 1 ELSE coalesce((SELECT max(p) FROM generate_series(0, least(greatest(${from}, 0), length(${h}) - length(${n}))) AS p ` +
    `WHERE substr(${h}, p + 1, length(${n})) = ${n}), -1) + 1 END)`
  );
}

const fromSql = (start: string) =>
  `(CASE WHEN ${start} > 0 THEN least(trunc(${start} - 1), 1e9::float8) ELSE 0 END)::int`;

export const TEXT_SQL = {
  CONCATENATE: (call) => ({
    v: `(${call.args
      .map((arg, i) => (arg.type === 'array' ? `coalesce(array_to_string(${call.arg(i).v}, ''), '')` : call.text(i).v))
      .join(' || ')})`,
    e: anyError(...call.args.map((_, i) => call.text(i).e)),
  }),
  FIND: (call) =>
    call.scope(`(${call.arg(0).v} IS NOT NULL AND ${call.arg(1).v} IS NOT NULL)`, () => {
      const env = call.env;
      const texts = [call.text(0), call.text(1)];
      const body = bind(env, [texts[0]!.v, texts[1]!.v], ([n, h]) => {
        if (call.args.length < 3) return forwardFind(h!, n!, '0');
        return bind(
          env,
          [call.number(2).v],
          ([s]) =>
            `CASE WHEN ${s} >= 0 THEN ${forwardFind(h!, n!, fromSql(s!))} ELSE ${backwardFind(h!, n!, `greatest(trunc(length(${h}) + ${s}), -1e9::float8)::int`)} END`,
        );
      });
      return {
        v: `(CASE WHEN ${call.arg(0).v} IS NULL OR ${call.arg(1).v} IS NULL THEN 0 ELSE ${body} END)::float8`,
        e: null,
      };
    }),
  SEARCH: (call) =>
    call.scope(`(${call.arg(0).v} IS NOT NULL AND ${call.arg(1).v} IS NOT NULL)`, () => {
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
      v: bind(
        call.env,
        [intArg(call, 1), intArg(call, 2)],
        ([st, cnt]) =>
          `substr(${call.text(0).v}, greatest(${st}, 1)::int, greatest(0, ${st} + ${cnt} - greatest(${st}, 1))::int)`,
      ),
      e: anyError(call.text(0).e),
    })),
  REPLACE: (call) =>
    blankFirst(call, 'string', () => ({
      v: bind(
        call.env,
        [call.text(0).v, `${intArg(call, 1)} - 1`, intArg(call, 2), call.text(3).v],
        ([s, at, cnt, r]) => {
          const clamp = (x: string) => `greatest(0, least(${x}, length(${s})))::int`;
          return `CASE WHEN length(${s}) <= ${at} THEN ${s} || ${r} ELSE left(${s}, ${clamp(at!)}) || ${r} || substr(${s}, ${clamp(`${at} + ${cnt}`)} + 1) END`;
        },
      ),
      e: anyError(call.text(0).e, call.text(3).e),
    })),
  SUBSTITUTE: (call) =>
    blankFirst(call, 'string', () => {
      const v = bind(call.env, [call.text(0).v, call.text(1).v, call.text(2).v], ([s, o, r]) => {
        // Past MAX_TEXT characters the result is an error value (as REPT's), never a string the database cannot
        // allocate ("out of memory" for 100,000 replacements of 100,000 characters each).
        const grown = `length(${s})::float8 + (length(${s}) - length(replace(${s}, ${o}, '')))::float8 / nullif(length(${o}), 0) * (length(${r}) - length(${o}))`;
        const all = `CASE WHEN ${grown} > ${MAX_TEXT} THEN NULL::text ELSE replace(${s}, ${o}, ${r}) END`;
        const nth =
          call.args.length < 4
            ? all
            : bind(
                call.env,
                [`string_to_array(${s}, ${o})`],
                ([parts]) =>
                  `CASE WHEN ${call.arg(3).v} IS NULL THEN ${all} ELSE ${bind(
                    call.env,
                    [intArg(call, 3)],
                    ([n]) =>
                      `CASE WHEN ${n} < 1 OR ${n} > cardinality(${parts}) - 1 THEN ${s} ELSE array_to_string(${parts}[1:${n}::int], ${o}) || ${r} || array_to_string(${parts}[${n}::int + 1:], ${o}) END`,
                  )} END`,
              );
        return `CASE WHEN ${o} = '' OR ${s} = '' THEN ${s} ELSE ${nth} END`;
      });
      return { v, e: anyError(call.text(0).e, call.text(1).e, call.text(2).e, nullIsError(v)) };
    }),
  LEN: (call) => blankFirst(call, 'number', () => ({ v: `length(${call.text(0).v})::float8`, e: call.text(0).e })),
  LEFT: (call) =>
    blankFirst(call, 'string', () => ({
      v: `left(${call.text(0).v}, greatest(0, ${call.args.length > 1 ? intArg(call, 1) : '1'})::int)`,
      e: call.text(0).e,
    })),
  RIGHT: (call) =>
    blankFirst(call, 'string', () => ({
      v: bind(
        call.env,
        [call.args.length > 1 ? intArg(call, 1) : '1::float8'],
        ([n]) => `CASE WHEN ${n} <= 0 THEN ''::text ELSE right(${call.text(0).v}, ${n}::int) END`,
      ),
      e: call.text(0).e,
    })),
  LOWER: (call) => blankFirst(call, 'string', () => ({ v: `lower(${call.text(0).v} COLLATE "C")`, e: call.text(0).e })),
  UPPER: (call) => blankFirst(call, 'string', () => ({ v: `upper(${call.text(0).v} COLLATE "C")`, e: call.text(0).e })),
  REPT: (call) =>
    blankFirst(call, 'string', () => {
      const v = bind(
        call.env,
        [call.text(0).v, intArg(call, 1)],
        ([s, n]) =>
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
