import { type DateUnit, DAY_MS, MAX_MS, MIN_MS, UNITS } from '../../../domain/formula/dates.js';
import { literalString } from '../../../domain/formula/functions/shared.js';
import type { SqlCall } from './call.js';
import { bind, type SqlEnv } from './values.js';
import { inRange, localOf, msOfLocal, offsetOf, wallMsOf } from './dates.js';

// Date arithmetic for the date and time functions (date-time.ts): units, DATEADD / DATETIME_DIFF steps, start of a unit.

/** A unit argument: a literal known at compile time, or a text expression mapped at run time (NULL = invalid). */
export type UnitSql = { literal: DateUnit } | { sql: string } | { invalid: true };

const UNIT_CASES: [string, DateUnit][] = Object.entries(UNITS);

const knownUnit = (text: string): UnitSql =>
  Object.hasOwn(UNITS, text) ? { literal: UNITS[text]! } : { invalid: true };

export function unitSql(call: SqlCall, i: number, fallback: string): UnitSql {
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
export function addDaysSql(env: SqlEnv, ms: string, days: string, zone: string): string {
  return bind(
    env,
    [localOf(ms, zone), days],
    ([l, d]) =>
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

export function dateAddSql(env: SqlEnv, ms: string, count: string, unit: UnitSql, zone: string): string {
  return bind(
    env,
    [ms, count],
    ([t, n]) =>
      `CASE WHEN abs(${n}) > 1e15::float8 THEN NULL::float8 ELSE ${perUnit(unit, ALL_UNITS, (u) => {
        switch (u) {
          case 'ms':
          case 's':
          case 'm':
          case 'h':
            return bind(
              env,
              [`trunc(${t} + ${n} * ${UNIT_MS_SQL[u]})`],
              ([r]) => `CASE WHEN ${inRange(r!)} THEN ${r} END`,
            );
          case 'd':
          case 'w':
            return bind(
              env,
              [`floor(${u === 'w' ? `${n} * 7` : n} + 0.5)`],
              ([days]) =>
                `CASE WHEN abs(${days}) > 3700000 THEN NULL::float8 ELSE ${addDaysSql(env, t!, `${days}::int`, zone)} END`,
            );
          default: {
            const months = u === 'Q' ? `trunc(${n} * 3)` : u === 'y' ? `trunc(${n}) * 12` : `trunc(${n})`;
            return bind(
              env,
              [months],
              ([mo]) =>
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
      bind(
        env,
        [
          `((extract(year FROM ${ly})::int - extract(year FROM ${lx})::int) * 12 + (extract(month FROM ${ly})::int - extract(month FROM ${lx})::int))`,
        ],
        ([w]) =>
          bind(env, [addMonthsSql(env, x, w!, zone)], ([anchor]) =>
            bind(env, [`(${y} - ${anchor} < 0)`], ([c]) =>
              bind(
                env,
                [addMonthsSql(env, x, `${w} + (CASE WHEN ${c} THEN -1 ELSE 1 END)`, zone)],
                ([anchor2]) =>
                  `(-(${w} + (${y} - ${anchor}) / (CASE WHEN ${c} THEN ${anchor} - ${anchor2} ELSE ${anchor2} - ${anchor} END)) + 0)`,
              ),
            ),
          ),
      ),
    );
  return `(CASE WHEN extract(day FROM ${localOf(a, zone)}) < extract(day FROM ${localOf(b, zone)}) THEN -(${core(b, a)}) ELSE ${core(a, b)} END)`;
}

export function dateDiffSql(env: SqlEnv, a: string, b: string, unit: UnitSql, zone: string): string {
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
export function dateArg(call: SqlCall, i: number): { v: string; e: string } {
  const v = call.date(i);
  return { v, e: `(${v} IS NULL)` };
}

/** dates-function startOfUnit as a wall-clock key (ms). */
export function startOfUnitSql(env: SqlEnv, ms: string, unit: UnitSql, zone: string): string {
  return bind(env, [ms], ([t]) =>
    perUnit(unit, ALL_UNITS, (u) => {
      if (u === 'ms') return t!;
      const l = localOf(t!, zone);
      if (u === 'w')
        return `(${wallMsOf(`date_trunc('day', ${l})`)} - extract(dow FROM ${l})::int * ${DAY_MS}::float8)`;
      const field = { s: 'second', m: 'minute', h: 'hour', d: 'day', M: 'month', Q: 'quarter', y: 'year' }[u];
      return wallMsOf(`date_trunc('${field}', ${l})`);
    }),
  );
}
