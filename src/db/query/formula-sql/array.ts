import { COUNTIF_OPS } from '../../../domain/formula/functions/array.js';
import { isSingleArray, literalString } from '../../../domain/formula/functions/shared.js';
import type { CompareOp } from '../../../domain/formula/compare.js';
import type { SqlCall, SqlFunction } from './call.js';
import { anyError, bind, WS } from './values.js';

// Array functions in SQL, the twins of src/domain/formula/functions/array.ts.

/** The flattened elements of the arguments as rows (x text, a int, b int) ordered by (a, b). */
function flattenRows(call: SqlCall): { rows: string | null; e: string | null } {
  const parts: string[] = [];
  const errors: (string | null)[] = [];
  call.args.forEach((arg, i) => {
    const v = call.arg(i).v;
    if (arg.type === 'array')
      parts.push(`SELECT u.x, ${i} AS a, u.n::int AS b FROM unnest(${v}) WITH ORDINALITY AS u(x, n)`);
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
      const sql = `(CASE WHEN ${call.arg(2).v} IS NULL OR ${t} = '' THEN '=' ELSE (CASE ${t} ${Object.entries(
        COUNTIF_OPS,
      )
        .map(([text, o]) => `WHEN '${text}' THEN '${o}'`)
        .join(' ')} END) END)`;
      op = { sql };
      opError = anyError(call.text(2).e, `(${sql} IS NULL)`);
    }
  }
  const ops: CompareOp[] = ['=', '!=', '>', '<', '>=', '<='];
  const byOp = (build: (o: CompareOp) => string, type: string) =>
    'literal' in op
      ? build(op.literal)
      : `(CASE ${op.sql} ${ops.map((o) => `WHEN '${o}' THEN ${build(o)}`).join(' ')} ELSE NULL::${type} END)`;
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

export const ARRAY_SQL = {
  ARRAYCOMPACT: (call) => arrayOf(call, 'compact'),
  ARRAYUNIQUE: (call) => arrayOf(call, 'unique'),
  ARRAYFLATTEN: (call) => arrayOf(call, 'flatten'),
  ARRAYJOIN: (call) =>
    call.scope(`${call.arg(0).v} IS NOT NULL`, () => {
      const a = call.arg(0);
      if (call.args[0]!.type !== 'array')
        return { v: `(CASE WHEN ${a.v} IS NULL THEN NULL ELSE ${call.text(0).v} END)` };
      const sep = call.args.length > 1 ? call.text(1) : { v: `''`, e: null };
      return { v: `array_to_string(${a.v}, coalesce(NULLIF(${sep.v}, ''), ', '))` };
    }),
  COUNT: (call) => {
    const terms = call.args.flatMap((arg, i) => (arg.type === 'number' ? [`(${call.arg(i).v} IS NOT NULL)::int`] : []));
    return { v: terms.length ? `(${terms.join(' + ')})::float8` : '0::float8' };
  },
  COUNTA: (call) => {
    if (isSingleArray(call.args))
      return { v: `coalesce((SELECT count(*) FROM unnest(${call.arg(0).v}) AS u(e) WHERE u.e <> ''), 0)::float8` };
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
    isSingleArray(call.args)
      ? { v: `coalesce(cardinality(${call.arg(0).v}), 0)::float8` }
      : { v: `${call.args.length}::float8` },
  COUNTIF: countIfSql,
} satisfies Record<string, SqlFunction>;
