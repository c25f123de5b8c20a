import { DateTime } from 'luxon';

/**
 * DateTime write conversion, reproducing aitable-fusion-api.md §8.4 (moment-timezone in the reference):
 * - strings are read like `moment.tz(s, zone)`: ISO 8601 (extended or basic), then RFC 2822, then the
 *   `new Date(s + ' UTC')` fallback;
 * - a string with an explicit offset (ISO `Z`/`±hh:mm`, RFC 2822 zone) becomes its instant minus the UTC offset of
 *   (field zone ?? default zone) at that instant, i.e. its UTC wall clock re-read as local time there;
 * - a string without offset is a wall-clock time in the default zone (the field zone is ignored);
 * - the fallback's result is used as is (parsed as UTC, no zone applied);
 * - numbers are epoch ms, except numbers whose digits form a valid ISO basic date (`2021`, `202101`, `20210101`),
 *   which are read as such a string. (The reference also sends other numbers through the Date fallback, which turns
 *   e.g. `12` into 2001-12-01; we keep those verbatim.)
 * Returns undefined when the value is not a date (`Date field value must be a UTC or timestamp`).
 */
export function parseDateInput(value: unknown, zone: string, fieldZone?: string): number | undefined {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return undefined;
    const iso = parseIso(String(value));
    return iso ? (resolve(iso, zone, fieldZone) ?? value) : value;
  }
  if (typeof value !== 'string') return undefined;
  const asp = /^\/?Date\((-?\d+)/i.exec(value);
  if (asp) return Number(asp[1]);
  const parsed = parseIso(value) ?? parseRfc2822(value);
  if (parsed) return resolve(parsed, zone, fieldZone);
  return parseFallback(value);
}

const EXPLICIT_ZONE = /\b(?:UTC|UT|GMT|Z|[ECMP][SD]T)\b|\d\d:\d\d(?::\d\d(?:\.\d+)?)?\s*[+-]\d\d:?\d\d\b/i;

/**
 * moment's `new Date(s + ' UTC')`: the text's own zone when it has one (the reference's spec expects
 * `2020-09-12 18:37 +0800` → 10:37Z; current V8 would let the appended ` UTC` win), else UTC;
 * `new Date(s)` when that fails.
 */
function parseFallback(value: string): number | undefined {
  const parsed = EXPLICIT_ZONE.test(value) ? Date.parse(value) : Date.parse(`${value} UTC`);
  if (!Number.isNaN(parsed)) return parsed;
  const local = Date.parse(value);
  return Number.isNaN(local) ? undefined : local;
}

interface WallClock {
  year: number;
  month?: number;
  day?: number;
  ordinal?: number;
  hour: number;
  minute: number;
  second: number;
  millisecond: number;
  /** Minutes east of UTC when the text carried an offset. */
  offset?: number;
  /** A regex-matched ISO date that overflows (month 13, Feb 30, …) is invalid without any fallback. */
  invalid?: boolean;
}

function resolve(w: WallClock, zone: string, fieldZone?: string): number | undefined {
  if (w.invalid) return undefined;
  const day = w.hour === 24 ? 1 : 0;
  const hour = w.hour === 24 ? 0 : w.hour;
  const date =
    w.ordinal !== undefined
      ? { year: w.year, ordinal: w.ordinal }
      : { year: w.year, month: w.month ?? 1, day: w.day ?? 1 };
  const time = { hour, minute: w.minute, second: w.second, millisecond: w.millisecond };
  if (w.offset === undefined) {
    const local = DateTime.fromObject({ ...date, ...time }, { zone }).plus({ days: day });
    return local.isValid ? local.toMillis() : undefined;
  }
  const utc = DateTime.fromObject({ ...date, ...time }, { zone: 'utc' }).plus({ days: day });
  if (!utc.isValid) return undefined;
  const instant = utc.toMillis() - w.offset * 60_000;
  const shifted = DateTime.fromMillis(instant, { zone: fieldZone || zone });
  return shifted.isValid ? instant - shifted.offset * 60_000 : undefined;
}

const EXTENDED =
  /^\s*(\d{4}-(?:\d\d-\d\d|W\d\d-\d|W\d\d|\d\d\d|\d\d))(?:(T| )(\d\d(?::\d\d(?::\d\d(?:[.,]\d+)?)?)?)([+-]\d\d(?::?\d\d)?|\s*Z)?)?$/;
const BASIC =
  /^\s*(\d{4}(?:\d\d\d\d|W\d\d\d|W\d\d|\d\d\d|\d\d|))(?:(T| )(\d\d(?:\d\d(?:\d\d(?:[.,]\d+)?)?)?)([+-]\d\d(?::?\d\d)?|\s*Z)?)?$/;

/**
 * moment's ISO 8601 subset. A matched string that overflows (month 13, Feb 30) is invalid, with no fallback;
 * week dates and six-digit years are left to the fallback, which refuses them (moment would read them).
 */
function parseIso(text: string): WallClock | undefined {
  const match = EXTENDED.exec(text) ?? BASIC.exec(text);
  if (!match || match[1]!.includes('W')) return undefined;
  const digits = match[1]!.replace(/-/g, '');
  const dateOnly =
    digits.length === 4 || (digits.length === 6 && !match[1]!.includes('-')) || /^\d{4}-\d\d$/.test(match[1]!);
  // moment refuses a time after YYYY / YYYY-MM / YYYYMM as "not ISO" and moves on to the other parsers.
  if (match[3] !== undefined && dateOnly) return undefined;
  const clock = parseIsoTime(match[3]);
  const wall: WallClock = { ...clock, year: Number(digits.slice(0, 4)) };
  if (digits.length === 7) wall.ordinal = Number(digits.slice(4));
  else {
    if (digits.length >= 6) wall.month = Number(digits.slice(4, 6));
    if (digits.length === 8) wall.day = Number(digits.slice(6, 8));
  }
  if (match[4] !== undefined) wall.offset = parseOffset(match[4]);
  wall.invalid = overflows(wall);
  return wall;
}

function parseIsoTime(time: string | undefined): Pick<WallClock, 'hour' | 'minute' | 'second' | 'millisecond'> {
  if (time === undefined) return { hour: 0, minute: 0, second: 0, millisecond: 0 };
  const [clock, fraction] = time.split(/[.,]/);
  const parts = clock!.replace(/:/g, '');
  return {
    hour: Number(parts.slice(0, 2)),
    minute: Number(parts.slice(2, 4) || 0),
    second: Number(parts.slice(4, 6) || 0),
    millisecond: fraction ? Math.floor(Number(`0.${fraction}`) * 1000) : 0,
  };
}

function parseOffset(text: string): number {
  const trimmed = text.trim();
  if (trimmed === 'Z') return 0;
  const digits = trimmed.slice(1).replace(':', '');
  const minutes = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2) || 0);
  return trimmed.startsWith('-') ? -minutes : minutes;
}

function overflows(w: WallClock): boolean {
  if (w.month !== undefined && (w.month < 1 || w.month > 12)) return true;
  const daysInMonth = new Date(Date.UTC(w.year, w.month ?? 1, 0)).getUTCDate();
  if (w.day !== undefined && (w.day < 1 || w.day > daysInMonth)) return true;
  const daysInYear = DateTime.utc(w.year).daysInYear;
  if (w.ordinal !== undefined && (w.ordinal < 1 || w.ordinal > daysInYear)) return true;
  if (w.hour === 24) return w.minute !== 0 || w.second !== 0 || w.millisecond !== 0;
  return w.hour > 23 || w.minute > 59 || w.second > 59;
}

const RFC_2822 =
  /^(?:(Mon|Tue|Wed|Thu|Fri|Sat|Sun),?\s)?(\d{1,2})\s(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\s(\d{2,4})\s(\d\d):(\d\d)(?::(\d\d))?\s(?:(UT|GMT|[ECMP][SD]T)|([Zz])|([+-]\d{4}))$/;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const OBSOLETE_ZONES: Record<string, number> = {
  UT: 0,
  GMT: 0,
  EDT: -240,
  EST: -300,
  CDT: -300,
  CST: -360,
  MDT: -360,
  MST: -420,
  PDT: -420,
  PST: -480,
};

/** moment's RFC 2822 reading: day overflow rolls over, a wrong weekday is invalid, 2-digit years ≤ 49 are 20xx. */
function parseRfc2822(text: string): WallClock | undefined {
  const cleaned = text
    .replace(/\([^()]*\)|[\n\t]/g, ' ')
    .replace(/(\s\s+)/g, ' ')
    .trim();
  const m = RFC_2822.exec(cleaned);
  if (!m) return undefined;
  const raw = Number(m[4]);
  const year = raw <= 49 ? 2000 + raw : raw <= 999 ? 1900 + raw : raw;
  const rolled = new Date(Date.UTC(year, MONTHS.indexOf(m[3]!), Number(m[2])));
  if (m[1] && WEEKDAYS[rolled.getUTCDay()] !== m[1]) return undefined;
  const offset = m[8] ? OBSOLETE_ZONES[m[8]]! : m[9] ? 0 : rfcNumericOffset(m[10]!);
  return {
    year: rolled.getUTCFullYear(),
    month: rolled.getUTCMonth() + 1,
    day: rolled.getUTCDate(),
    hour: Number(m[5]),
    minute: Number(m[6]),
    second: Number(m[7] ?? 0),
    millisecond: 0,
    offset,
  };
}

function rfcNumericOffset(text: string): number {
  const hm = parseInt(text, 10);
  const minutes = hm % 100;
  return ((hm - minutes) / 100) * 60 + minutes;
}
