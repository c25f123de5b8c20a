import { FORMAT_TOKENS, MONTH_NAMES, tokenizeFormat, WEEKDAY_NAMES } from '../../../domain/formula/date-format.js';
import { DATE_TEXT_PATTERN, EPOCH_TEXT_PATTERN, MAX_MS, MIN_MS, type ZoneSpec } from '../../../domain/formula/dates.js';
import { bind, param, type SqlEnv, textParam, WS } from './values.js';

// Date values in SQL (dates.ts and date-format.ts in the evaluator): zones, instants, wall-clock times, parsing,
// formatting.

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
export const msOfLocal = (local: string, zone: string) =>
  `floor(extract(epoch FROM (${local}) AT TIME ZONE ${zone}) * 1000)::float8`;
/** Wall-clock timestamp read as UTC, in epoch ms (dates.ts wallMs). */
export const wallMsOf = (local: string) => `floor(extract(epoch FROM (${local}) AT TIME ZONE 'UTC') * 1000)::float8`;
/** Offset of the zone at the instant, in minutes. */
export const offsetOf = (ms: string, zone: string) =>
  `(extract(epoch FROM ${localOf(ms, zone)} - (${tsOf(ms)} AT TIME ZONE 'UTC')) / 60)::int`;

/** Days in a month (year ≥ 1, month 1–12 already checked). */
const daysInMonth = (y: string, m: string) =>
  `extract(day FROM make_date(${y}, ${m}, 1) + interval '1 month' - interval '1 day')::int`;

/**
 * Builds an instant from date parts (ints; NULL parts not allowed) as dates.ts partsToMs does: invalid parts or an
 * instant outside the supported range give NULL. `offset` (minutes east of UTC) is an int expression or null
 * (wall-clock time in `zone`).
 */
export function partsToMsSql(
  env: SqlEnv,
  p: {
    year: string;
    month: string;
    day: string;
    hour: string;
    minute: string;
    second: string;
    millisecond: string;
    offset: string | null;
  },
  zone: string,
): string {
  return bind(
    env,
    [p.year, p.month, p.day, p.hour, p.minute, p.second, p.millisecond, p.offset ?? 'NULL::int'],
    ([y, mo, d, h, mi, s, ms, off]) => {
      const local = `(make_timestamp(${y}, ${mo}, ${d}, ${h}, ${mi}, ${s}) + interval '1 millisecond' * ${ms})`;
      const instant = `CASE WHEN ${off} IS NULL THEN ${msOfLocal(local, zone)} ELSE ${wallMsOf(local)} - ${off}::float8 * 60000 END`;
      return (
        `CASE WHEN NOT (${y} >= 1 AND ${mo} BETWEEN 1 AND 12 AND ${d} >= 1 AND ${h} BETWEEN 0 AND 23 AND ${mi} BETWEEN 0 AND 59 AND ${s} BETWEEN 0 AND 59) THEN NULL::float8 ` +
        `WHEN ${d} > ${daysInMonth(y!, mo!)} THEN NULL::float8 ` +
        `ELSE ${bind(env, [instant], ([t]) => `CASE WHEN ${inRange(t!)} THEN ${t} END`)} END`
      );
    },
  );
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
// Date formatting (date-format.ts formatToken / formatDate)

const FORMAT_TOKENS_LIST: readonly string[] = FORMAT_TOKENS;

const sqlArray = (items: readonly string[]) => `ARRAY[${items.map((s) => `'${s}'`).join(', ')}]`;
const MONTHS_SQL = sqlArray(MONTH_NAMES);
const WEEKDAYS_SQL = sqlArray(WEEKDAY_NAMES);

/** PostgreSQL spelling of FORMAT_TOKEN_PATTERN (`]` first in a bracket is literal) plus "any character". */
export const FORMAT_TOKEN_PATTERN_SQL = `\\[[^]]+\\]|${FORMAT_TOKENS_LIST.join('|')}|.`;

/** The SQL text of one format token over bound names: ms (float8), l (local timestamp), off (offset minutes). */
export function formatTokenSql(token: string, ms: string, l: string, off: string): string | undefined {
  const part = (f: string) => `extract(${f} FROM ${l})::int`;
  const pad = (x: string, n: number) => `lpad((${x})::text, ${n}, '0')`;
  const offset = (colon: boolean) =>
    `(CASE WHEN ${off} < 0 THEN '-' ELSE '+' END || ${pad(`abs(${off}) / 60`, 2)} || '${colon ? ':' : ''}' || ${pad(`abs(${off}) % 60`, 2)})`;
  switch (token) {
    case 'YYYY':
      return pad(part('year'), 4);
    case 'YY':
      return `right(${part('year')}::text, 2)`;
    case 'Q':
      return `${part('quarter')}::text`;
    case 'MMMM':
      return `(${MONTHS_SQL})[${part('month')}]`;
    case 'MMM':
      return `left((${MONTHS_SQL})[${part('month')}], 3)`;
    case 'MM':
      return pad(part('month'), 2);
    case 'M':
      return `${part('month')}::text`;
    case 'DD':
      return pad(part('day'), 2);
    case 'D':
      return `${part('day')}::text`;
    case 'dddd':
      return `(${WEEKDAYS_SQL})[${part('dow')} + 1]`;
    case 'ddd':
      return `left((${WEEKDAYS_SQL})[${part('dow')} + 1], 3)`;
    case 'dd':
      return `left((${WEEKDAYS_SQL})[${part('dow')} + 1], 2)`;
    case 'd':
      return `${part('dow')}::text`;
    case 'HH':
      return pad(part('hour'), 2);
    case 'H':
      return `${part('hour')}::text`;
    case 'hh':
      return pad(`(${part('hour')} + 11) % 12 + 1`, 2);
    case 'h':
      return `((${part('hour')} + 11) % 12 + 1)::text`;
    case 'mm':
      return pad(part('minute'), 2);
    case 'm':
      return `${part('minute')}::text`;
    case 'ss':
      return pad(`floor(extract(second FROM ${l}))::int`, 2);
    case 's':
      return `floor(extract(second FROM ${l}))::int::text`;
    case 'SSS':
      return pad(`floor(extract(milliseconds FROM ${l}))::int % 1000`, 3);
    case 'A':
      return `(CASE WHEN ${part('hour')} < 12 THEN 'AM' ELSE 'PM' END)`;
    case 'a':
      return `(CASE WHEN ${part('hour')} < 12 THEN 'am' ELSE 'pm' END)`;
    case 'ZZ':
      return offset(false);
    case 'Z':
      return offset(true);
    case 'X':
      return `floor(${ms} / 1000)::bigint::text`;
    case 'x':
      return `(${ms})::bigint::text`;
  }
  return undefined;
}

/**
 * DATETIME_FORMAT over a non-blank, in-range ms. `format` is either a literal (tokenized here, at compile time) or
 * a text expression (tokenized by PostgreSQL with the same token list).
 */
export function formatSql(
  env: SqlEnv,
  ms: string,
  format: { literal: string } | { sql: string },
  zone: string,
): string {
  return bind(env, [ms], ([t]) =>
    bind(env, [localOf(t!, zone), offsetOf(t!, zone)], ([l, off]) => {
      if ('literal' in format) {
        const pieces = tokenizeFormat(format.literal).map(
          (token) => formatTokenSql(token, t!, l!, off!) ?? textParam(env, literalToken(token)),
        );
        return pieces.length ? `(${pieces.join(' || ')})` : `''::text`;
      }
      const k = ++env.seq.n;
      const m = `m${k}.tok[1]`;
      const cases = FORMAT_TOKENS_LIST.map(
        (token) => `WHEN '${token}' THEN ${formatTokenSql(token, t!, l!, off!)}`,
      ).join(' ');
      const literal = `CASE WHEN length(${m}) > 2 AND left(${m}, 1) = '[' AND right(${m}, 1) = ']' THEN substr(${m}, 2, length(${m}) - 2) ELSE ${m} END`;
      return `(SELECT coalesce(string_agg(CASE ${m} ${cases} ELSE ${literal} END, '' ORDER BY m${k}.i), '') FROM regexp_matches(${format.sql}, '${FORMAT_TOKEN_PATTERN_SQL}', 'g') WITH ORDINALITY AS m${k}(tok, i))`;
    }),
  );
}

const literalToken = (token: string) =>
  token.length > 2 && token.startsWith('[') && token.endsWith(']') ? token.slice(1, -1) : token;
