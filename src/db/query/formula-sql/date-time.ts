import { compileParseFormat, DEFAULT_DATETIME_FORMAT, MONTH_NAMES } from '../../../domain/formula/date-format.js';
import { MONDAY_DAY } from '../../../domain/formula/functions/date-math.js';
import { MAX_WORKDAYS } from '../../../domain/formula/functions/date-time.js';
import { literalString } from '../../../domain/formula/functions/shared.js';
import { blankFirst, type SqlCall, type SqlFunction } from './call.js';
import { addDaysSql, dateAddSql, dateArg, dateDiffSql, startOfUnitSql, unitSql } from './date-math.js';
import { anyError, bind, nullIsError, textParam, WS } from './values.js';
import { formatSql, inRange, localOf, msOfLocal, nowSql, offsetTextSql, parseDateSql, partsToMsSql } from './dates.js';

// Date and time functions in SQL, the twins of src/domain/formula/functions/date-time.ts (unit arithmetic in
// date-math.ts, date values and formatting in dates.ts).

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
  const v = bind(
    env,
    [start.v, `trunc(${call.number(1).v})`],
    ([s, n]) =>
      `CASE WHEN ${s} IS NULL OR abs(${n}) > ${MAX_WORKDAYS} THEN NULL::float8 WHEN ${n} = 0 THEN ${s} ELSE ${bind(
        env,
        [dayNumberSql(s!, zone), holidays.v],
        ([sd, hol]) => {
          const k = ++env.seq.n;
          const target =
            `(SELECT ${sd} + sign(${n})::int * g${k}.k FROM generate_series(1, (abs(${n})::int * 2 + 14 + 2 * coalesce(cardinality(${hol}), 0))) AS g${k}(k) ` +
            `WHERE ${isWeekdaySql(`(${sd} + sign(${n})::int * g${k}.k)`)} AND NOT ((${sd} + sign(${n})::int * g${k}.k) = ANY(${hol})) ORDER BY g${k}.k OFFSET abs(${n})::int - 1 LIMIT 1)`;
          return addDaysSql(env, s!, `(${target} - ${sd})`, zone);
        },
      )} END`,
  );
  return { v, e: anyError(start.e, holidays.e, `(${start.v} IS NOT NULL AND ${v} IS NULL)`) };
}

function workdayDiffSql(call: SqlCall) {
  const env = call.env;
  const zone = call.zone(0);
  const a = dateArg(call, 0);
  const b = dateArg(call, 1);
  const holidays = holidaysSql(call, 2, zone);
  const v = bind(
    env,
    [a.v, b.v],
    ([x, y]) =>
      `CASE WHEN ${x} IS NULL OR ${y} IS NULL THEN NULL::float8 ELSE ${bind(
        env,
        [dayNumberSql(x!, zone), dayNumberSql(y!, zone), holidays.v],
        ([da, db, hol]) =>
          bind(env, [`least(${da}, ${db})`, `greatest(${da}, ${db})`], ([lo, hi]) => {
            const k = ++env.seq.n;
            const count = `(${weekdaysBeforeSql(`(${hi} + 1)`)} - ${weekdaysBeforeSql(lo!)} - (SELECT count(DISTINCT u${k}.h) FROM unnest(${hol}) AS u${k}(h) WHERE u${k}.h BETWEEN ${lo} AND ${hi} AND ${isWeekdaySql(`u${k}.h`)}))`;
            return `(CASE WHEN ${da} <= ${db} THEN ${count} ELSE -${count} END)::float8`;
          }),
      )} END`,
  );
  return { v, e: anyError(a.e, b.e, holidays.e) };
}

const partSql =
  (part: 'year' | 'month' | 'day' | 'hour' | 'minute' | 'second'): SqlFunction =>
  (call) =>
    blankFirst(call, 'number', () => {
      const d = dateArg(call, 0);
      const expr =
        part === 'second'
          ? `floor(extract(second FROM ${localOf(d.v, call.zone(0))}))`
          : `extract(${part} FROM ${localOf(d.v, call.zone(0))})`;
      return { v: `(CASE WHEN ${d.v} IS NULL THEN NULL ELSE ${expr}::float8 END)`, e: d.e };
    });

function formatDateSql(call: SqlCall, format: { literal: string } | { sql: string }) {
  return blankFirst(call, 'string', () => {
    const d = dateArg(call, 0);
    return {
      v: `(CASE WHEN ${d.v} IS NULL THEN NULL ELSE ${formatSql(call.env, d.v, format, call.zone(0))} END)`,
      e: d.e,
    };
  });
}

/** DATETIME_PARSE with a literal format (date-format.ts parseWithFormat / partsFromGroups). */
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
          case 'year':
            year = `${g(i)}::int`;
            break;
          case 'year2':
            year = `(${g(i)}::int + CASE WHEN ${g(i)}::int > 68 THEN 1900 ELSE 2000 END)`;
            break;
          case 'month':
            month = `${g(i)}::int`;
            break;
          case 'monthName':
            month = `array_position(ARRAY[${MONTH_NAMES.map((n) => `'${n}'`).join(', ')}], ${g(i)})`;
            break;
          case 'monthShort':
            month = `array_position(ARRAY[${MONTH_NAMES.map((n) => `'${n.slice(0, 3)}'`).join(', ')}], ${g(i)})`;
            break;
          case 'day':
            day = `${g(i)}::int`;
            break;
          case 'hour':
            hour = `${g(i)}::int`;
            break;
          case 'hour12':
            hour12 = `${g(i)}::int`;
            break;
          case 'minute':
            minute = `${g(i)}::int`;
            break;
          case 'second':
            second = `${g(i)}::int`;
            break;
          case 'millisecond':
            millisecond = `${g(i)}::int`;
            break;
          case 'meridiem':
            meridiem = `upper(${g(i)})`;
            break;
          case 'offset':
            offset = offsetTextSql(g(i));
            break;
          default:
            break;
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
      const built = partsToMsSql(
        env,
        { year: y, month: `coalesce(${mo}, 0)`, day: d, hour, minute, second, millisecond, offset },
        zone,
      );
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

export const DATE_TIME_SQL = {
  TODAY: (call) => ({
    v: msOfLocal(`date_trunc('day', ${localOf(nowSql(call.env), call.ctxZone())})`, call.ctxZone()),
  }),
  NOW: (call) => ({ v: nowSql(call.env) }),
  TONOW: relativeSql,
  FROMNOW: relativeSql,
  DATEADD: (call) =>
    blankFirst(call, 'datetime', () => {
      const d = dateArg(call, 0);
      const v = `(CASE WHEN ${d.v} IS NULL THEN NULL::float8 ELSE ${dateAddSql(call.env, d.v, call.number(1).v, unitSql(call, 2, ''), call.zone(0))} END)`;
      return { v, e: anyError(d.e, nullIsError(v)) };
    }),
  DATETIME_DIFF: (call) =>
    call.scope(`(${call.arg(0).v} IS NOT NULL AND ${call.arg(1).v} IS NOT NULL)`, () => {
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
      const monday =
        call.args.length > 1
          ? `(${call.arg(1).v} IS NOT NULL AND lower(${call.text(1).v} COLLATE "C") = 'monday')`
          : 'false';
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
  return {
    v: `(CASE WHEN ${both} THEN ${a.v} ${op} ${b.v} END)`,
    e: `(${both} AND (${a.v} IS NULL OR ${b.v} IS NULL))`,
  };
}
