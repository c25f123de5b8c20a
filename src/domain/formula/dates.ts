import { FixedOffsetZone, IANAZone, type Zone } from 'luxon';
import { FormulaRuntimeError } from './errors.js';

/**
 * Date and time rules shared by both back ends (the SQL side mirrors every function here):
 * - a datetime is an integer epoch-ms; date functions work on its wall-clock time in a zone: `ctx.timeZone`, or the
 *   zone of a `SET_TIMEZONE(...)` wrapped directly around the date argument;
 * - date arithmetic on a datetime outside 0001-01-03 … 9999-12-29 (UTC) is a runtime error;
 * - a wall-clock time that does not exist (DST gap) or exists twice (DST overlap) resolves as PostgreSQL's
 *   `timestamp AT TIME ZONE` does (and luxon agrees): gap → the offset before the change, overlap → the later instant.
 */
export type ZoneSpec = { kind: 'iana'; name: string } | { kind: 'offset'; minutes: number };

export const DAY_MS = 86_400_000;
/** 0001-01-03T00:00Z */
export const MIN_MS = -62_135_424_000_000;
/** 9999-12-29T00:00Z */
export const MAX_MS = 253_402_041_600_000;

export function checkRange(ms: number): number {
  if (!(ms >= MIN_MS && ms <= MAX_MS)) throw new FormulaRuntimeError('Invalid date');
  return ms;
}

const zoneCache = new Map<string, Zone>();
export function luxonZone(zone: ZoneSpec): Zone {
  const key = zone.kind === 'iana' ? zone.name : `@${zone.minutes}`;
  let z = zoneCache.get(key);
  if (!z) {
    z = zone.kind === 'iana' ? IANAZone.create(zone.name) : FixedOffsetZone.instance(zone.minutes);
    zoneCache.set(key, z);
  }
  return z;
}

/** Luxon checks a zone by building an Intl formatter (tens of µs); the answer for a name never changes. */
const zoneValidity = new Map<string, boolean>();
export function isValidIanaZone(name: string): boolean {
  let valid = zoneValidity.get(name);
  if (valid === undefined) {
    valid = IANAZone.isValidZone(name);
    if (zoneValidity.size >= 1000) zoneValidity.clear();
    zoneValidity.set(name, valid);
  }
  return valid;
}

export interface LocalTime {
  year: number;
  /** 1–12 */
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  millisecond: number;
}

export interface LocalDate extends LocalTime {
  /** 0 = Sunday … 6 = Saturday */
  weekday: number;
}

/** UTC ms of a wall-clock time read as UTC (years 1–9999 handled; Date.UTC maps 0–99 to 19xx). */
export function wallMs(t: LocalTime): number {
  const d = new Date(0);
  d.setUTCFullYear(t.year, t.month - 1, t.day);
  d.setUTCHours(t.hour, t.minute, t.second, t.millisecond);
  return d.getTime();
}

export const offsetMinutes = (ms: number, zone: ZoneSpec) => luxonZone(zone).offset(ms);

export function toLocal(ms: number, zone: ZoneSpec): LocalDate {
  checkRange(ms);
  const d = new Date(ms + offsetMinutes(ms, zone) * 60_000);
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    second: d.getUTCSeconds(),
    millisecond: d.getUTCMilliseconds(),
    weekday: d.getUTCDay(),
  };
}

/** The instant of a wall-clock time in `zone` (PostgreSQL's `timestamp AT TIME ZONE zone`). */
export function fromLocal(t: LocalTime, zone: ZoneSpec): number {
  const wall = wallMs(t);
  if (zone.kind === 'offset') return wall - zone.minutes * 60_000;
  const before = offsetMinutes(wall - DAY_MS, zone);
  const after = offsetMinutes(wall + DAY_MS, zone);
  const fits = (o: number) => offsetMinutes(wall - o * 60_000, zone) === o;
  if (fits(after)) return wall - after * 60_000;
  if (fits(before)) return wall - before * 60_000;
  return wall - before * 60_000;
}

const isLeap = (y: number) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
export const daysInMonth = (year: number, month: number) => (month === 2 && isLeap(year) ? 29 : MONTH_DAYS[month - 1]!);

/** Adds whole months to the wall-clock time, clamping the day to the month's last day (PostgreSQL `+ interval`). */
export function addMonths(ms: number, months: number, zone: ZoneSpec): number {
  const l = toLocal(ms, zone);
  const index = l.year * 12 + (l.month - 1) + months;
  const year = Math.floor(index / 12);
  const month = index - year * 12 + 1;
  if (year < 1 || year > 9999) throw new FormulaRuntimeError('Invalid date');
  return checkRange(fromLocal({ ...l, year, month, day: Math.min(l.day, daysInMonth(year, month)) }, zone));
}

/** Adds whole days to the wall-clock time (same time of day). */
export function addDays(ms: number, days: number, zone: ZoneSpec): number {
  const l = toLocal(ms, zone);
  const wall = wallMs(l) + days * DAY_MS;
  if (!(wall >= MIN_MS - 2 * DAY_MS && wall <= MAX_MS + 2 * DAY_MS)) throw new FormulaRuntimeError('Invalid date');
  const d = new Date(wall);
  return checkRange(
    fromLocal({ ...l, year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() }, zone),
  );
}

/** Start of the wall-clock day. */
export function startOfDay(ms: number, zone: ZoneSpec): number {
  const l = toLocal(ms, zone);
  return fromLocal({ ...l, hour: 0, minute: 0, second: 0, millisecond: 0 }, zone);
}

/** Days since 1970-01-01 of the wall-clock date. */
export function localDayNumber(ms: number, zone: ZoneSpec): number {
  const l = toLocal(ms, zone);
  return Math.floor(wallMs({ ...l, hour: 0, minute: 0, second: 0, millisecond: 0 }) / DAY_MS);
}

// ---------------------------------------------------------------------------------------------------------------
// Units

export type DateUnit = 'ms' | 's' | 'm' | 'h' | 'd' | 'w' | 'M' | 'Q' | 'y';

/** The reference's unit names (`UnitMap`), plus singular forms. Case-sensitive: `M` is months, `m` minutes. */
export const UNITS: Record<string, DateUnit> = {
  milliseconds: 'ms',
  millisecond: 'ms',
  ms: 'ms',
  seconds: 's',
  second: 's',
  s: 's',
  minutes: 'm',
  minute: 'm',
  m: 'm',
  hours: 'h',
  hour: 'h',
  h: 'h',
  days: 'd',
  day: 'd',
  d: 'd',
  weeks: 'w',
  week: 'w',
  w: 'w',
  months: 'M',
  month: 'M',
  M: 'M',
  quarters: 'Q',
  quarter: 'Q',
  Q: 'Q',
  years: 'y',
  year: 'y',
  y: 'y',
};

export function unitOf(text: string): DateUnit {
  const unit = Object.hasOwn(UNITS, text) ? UNITS[text] : undefined;
  if (!unit) throw new FormulaRuntimeError(`Invalid unit: ${text}`);
  return unit;
}

export const UNIT_MS: Record<'ms' | 's' | 'm' | 'h', number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

// ---------------------------------------------------------------------------------------------------------------
// Text → date (no format): `YYYY-MM-DD` or `YYYY/MM/DD`, optional time `HH:mm[:ss[.fff]]` after `T` or spaces,
// optional `Z` / `±HH:mm`; an integer is epoch ms. Without an offset the time is wall-clock time in the zone.

/** JavaScript's `String.prototype.trim` white space, also used by TRIM and number parsing. */
export const JS_WHITESPACE =
  '\t\n\v\f\r \u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000\ufeff';

/** Regular expression source valid in both JavaScript and PostgreSQL (ARE); applied to trimmed text. */
export const DATE_TEXT_PATTERN =
  '^([0-9]{4})[-/]([0-9]{1,2})[-/]([0-9]{1,2})(?:(?:T|[ ]+)([0-9]{1,2}):([0-9]{2})(?::([0-9]{2})(?:[.]([0-9]+))?)?)?[ ]*(Z|[-+][0-9]{2}:?[0-9]{2})?$';
export const EPOCH_TEXT_PATTERN = '^-?[0-9]{1,15}$';

const DATE_TEXT = new RegExp(DATE_TEXT_PATTERN);
const EPOCH_TEXT = new RegExp(EPOCH_TEXT_PATTERN);

export const trimJs = (text: string) => text.replace(new RegExp(`^[${JS_WHITESPACE}]+|[${JS_WHITESPACE}]+$`, 'g'), '');

export interface DateParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  millisecond: number;
  /** Minutes east of UTC when the text names an offset. */
  offset?: number;
}

/** Checks field ranges; undefined when the parts are not a real date/time. */
export function validParts(p: DateParts): boolean {
  return (
    p.year >= 1 &&
    p.month >= 1 &&
    p.month <= 12 &&
    p.day >= 1 &&
    p.day <= daysInMonth(p.year, p.month) &&
    p.hour <= 23 &&
    p.minute <= 59 &&
    p.second <= 59
  );
}

export function partsToMs(p: DateParts, zone: ZoneSpec): number {
  if (!validParts(p)) throw new FormulaRuntimeError('Invalid date');
  const ms = p.offset !== undefined ? wallMs(p) - p.offset * 60_000 : fromLocal(p, zone);
  return checkRange(ms);
}

/** ±HH:mm / ±HHmm / Z → minutes east of UTC. */
export function offsetText(text: string): number {
  if (text === 'Z') return 0;
  const sign = text.startsWith('-') ? -1 : 1;
  const digits = text.slice(1).replace(':', '');
  return sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4)));
}

export function parseDateText(raw: string, zone: ZoneSpec): number {
  const text = trimJs(raw);
  if (EPOCH_TEXT.test(text)) return checkRange(Number(text));
  const m = DATE_TEXT.exec(text);
  if (!m) throw new FormulaRuntimeError('Invalid date');
  const n = (i: number) => (m[i] === undefined ? 0 : Number(m[i]));
  return partsToMs(
    {
      year: n(1),
      month: n(2),
      day: n(3),
      hour: n(4),
      minute: n(5),
      second: n(6),
      millisecond: m[7] === undefined ? 0 : Number(m[7].slice(0, 3).padEnd(3, '0')),
      ...(m[8] !== undefined ? { offset: offsetText(m[8]) } : {}),
    },
    zone,
  );
}
