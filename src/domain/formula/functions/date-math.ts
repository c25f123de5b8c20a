import {
  addDays,
  addMonths,
  checkRange,
  DAY_MS,
  offsetMinutes,
  toLocal,
  UNIT_MS,
  wallMs,
  type DateUnit,
  type ZoneSpec,
} from '../dates.js';
import { FormulaRuntimeError } from '../errors.js';

/** Date arithmetic of the date and time functions (date-time.ts), on dates.ts' wall-clock rules. */

/** DATEADD: ms/s/m/h add exact time (truncated to ms), d/w add wall-clock days (rounded), M/Q/y months (truncated). */
export function dateAdd(ms: number, count: number, unit: DateUnit, zone: ZoneSpec): number {
  switch (unit) {
    case 'ms':
    case 's':
    case 'm':
    case 'h':
      return checkRange(Math.trunc(ms + count * UNIT_MS[unit]));
    case 'd':
    case 'w': {
      const days = Math.floor((unit === 'w' ? count * 7 : count) + 0.5);
      if (Math.abs(days) > 3_700_000) throw new FormulaRuntimeError('Invalid date');
      return addDays(ms, days, zone);
    }
    case 'M':
    case 'Q':
    case 'y': {
      const months = Math.trunc(unit === 'Q' ? count * 3 : unit === 'y' ? Math.trunc(count) * 12 : count);
      if (Math.abs(months) > 120_000) throw new FormulaRuntimeError('Invalid date');
      return addMonths(ms, months, zone);
    }
  }
}

/** dayjs' `monthDiff(a, b)`: a − b in months, fractional (moment's algorithm). */
export function monthDiff(a: number, b: number, zone: ZoneSpec): number {
  const la = toLocal(a, zone);
  const lb = toLocal(b, zone);
  if (la.day < lb.day) return -monthDiff(b, a, zone);
  const wheel = (lb.year - la.year) * 12 + (lb.month - la.month);
  const anchor = addMonths(a, wheel, zone);
  const c = b - anchor < 0;
  const anchor2 = addMonths(a, wheel + (c ? -1 : 1), zone);
  return +-(wheel + (b - anchor) / (c ? anchor - anchor2 : anchor2 - anchor)) || 0;
}

/** DATETIME_DIFF(a, b, unit): a − b; days/weeks on wall-clock time (dayjs' zoneDelta), months via monthDiff. */
export function dateDiff(a: number, b: number, unit: DateUnit, zone: ZoneSpec): number {
  switch (unit) {
    case 'ms':
      return a - b;
    case 's':
    case 'm':
    case 'h':
      return (a - b) / UNIT_MS[unit];
    case 'd':
    case 'w': {
      const wall = a + offsetMinutes(a, zone) * 60_000 - (b + offsetMinutes(b, zone) * 60_000);
      return wall / (unit === 'w' ? 7 * DAY_MS : DAY_MS);
    }
    case 'M':
      return monthDiff(a, b, zone);
    case 'Q':
      return monthDiff(a, b, zone) / 3;
    case 'y':
      return monthDiff(a, b, zone) / 12;
  }
}

/** Monday-anchored day numbers: weekdays of [0, x) in the repeating Mon–Fri pattern (x may be negative). */
export function weekdaysBefore(dayNumber: number): number {
  const k = dayNumber - MONDAY_DAY;
  const weeks = Math.floor(k / 7);
  return weeks * 5 + Math.min(k - weeks * 7, 5);
}
/** 2001-01-01, a Monday, as days since 1970-01-01. */
export const MONDAY_DAY = 11323;
export const isWeekday = (dayNumber: number) => (((dayNumber - MONDAY_DAY) % 7) + 7) % 7 < 5;

export type SameUnit = 'ms' | 's' | 'm' | 'h' | 'd' | 'w' | 'M' | 'Q' | 'y';

/** Start of the unit containing `ms` (weeks start on Sunday, dayjs' English locale), as a wall-clock key. */
export function startOfUnit(ms: number, unit: DateUnit, zone: ZoneSpec): number {
  if (unit === 'ms') return ms;
  const l = toLocal(ms, zone);
  const t = { ...l, millisecond: 0 };
  if (unit === 's') return wallMs(t);
  t.second = 0;
  if (unit === 'm') return wallMs(t);
  t.minute = 0;
  if (unit === 'h') return wallMs(t);
  t.hour = 0;
  if (unit === 'd') return wallMs(t);
  if (unit === 'w') return wallMs(t) - l.weekday * DAY_MS;
  t.day = 1;
  if (unit === 'M') return wallMs(t);
  if (unit === 'Q') return wallMs({ ...t, month: Math.floor((l.month - 1) / 3) * 3 + 1 });
  return wallMs({ ...t, month: 1 });
}

/** WEEKNUM: week of the year, weeks starting on Sunday (default) or Monday; week 1 contains January 1. */
export function weekNumber(ms: number, mondayStart: boolean, zone: ZoneSpec): number {
  const l = toLocal(ms, zone);
  const jan1 = wallMs({ ...l, month: 1, day: 1, hour: 0, minute: 0, second: 0, millisecond: 0 });
  const dayOfYear = Math.round((wallMs({ ...l, hour: 0, minute: 0, second: 0, millisecond: 0 }) - jan1) / DAY_MS);
  const jan1Weekday = new Date(jan1).getUTCDay();
  const offset = mondayStart ? (jan1Weekday + 6) % 7 : jan1Weekday;
  return Math.floor((dayOfYear + offset) / 7) + 1;
}
