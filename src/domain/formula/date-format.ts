import {
  checkRange,
  offsetMinutes,
  offsetText,
  partsToMs,
  toLocal,
  trimJs,
  type DateParts,
  type LocalDate,
  type ZoneSpec,
} from './dates.js';
import { FormulaRuntimeError } from './errors.js';

// ---------------------------------------------------------------------------------------------------------------
// Formatting (DATETIME_FORMAT, dayjs tokens). English names only (SET_LOCALE does not change them).

export const MONTH_NAMES = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];
export const WEEKDAY_NAMES = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

/** Tokens in match order (longest first); anything else is copied; `[text]` is literal text. */
export const FORMAT_TOKENS = [
  'YYYY',
  'YY',
  'Q',
  'MMMM',
  'MMM',
  'MM',
  'M',
  'DD',
  'D',
  'dddd',
  'ddd',
  'dd',
  'd',
  'HH',
  'H',
  'hh',
  'h',
  'mm',
  'm',
  'ss',
  's',
  'SSS',
  'A',
  'a',
  'ZZ',
  'Z',
  'X',
  'x',
] as const;
export type FormatToken = (typeof FORMAT_TOKENS)[number];
/** Without the trailing "any character" alternative, which each engine spells its own way. */
export const FORMAT_TOKEN_PATTERN = `\\[[^\\]]+\\]|${FORMAT_TOKENS.join('|')}`;
const FORMAT_TOKEN_RE = new RegExp(`${FORMAT_TOKEN_PATTERN}|[\\s\\S]`, 'g');

export const DEFAULT_DATETIME_FORMAT = 'YYYY-MM-DD HH:mm';

export function tokenizeFormat(format: string): string[] {
  return format.match(FORMAT_TOKEN_RE) ?? [];
}

const pad = (n: number, width: number) => String(n).padStart(width, '0');

export function formatOffset(minutes: number, colon: boolean): string {
  const sign = minutes < 0 ? '-' : '+';
  const a = Math.abs(minutes);
  return `${sign}${pad(Math.floor(a / 60), 2)}${colon ? ':' : ''}${pad(a % 60, 2)}`;
}

export function formatToken(token: string, ms: number, l: LocalDate, offset: number): string {
  switch (token as FormatToken) {
    case 'YYYY':
      return pad(l.year, 4);
    case 'YY':
      return String(l.year).slice(-2);
    case 'Q':
      return String(Math.ceil(l.month / 3));
    case 'MMMM':
      return MONTH_NAMES[l.month - 1]!;
    case 'MMM':
      return MONTH_NAMES[l.month - 1]!.slice(0, 3);
    case 'MM':
      return pad(l.month, 2);
    case 'M':
      return String(l.month);
    case 'DD':
      return pad(l.day, 2);
    case 'D':
      return String(l.day);
    case 'dddd':
      return WEEKDAY_NAMES[l.weekday]!;
    case 'ddd':
      return WEEKDAY_NAMES[l.weekday]!.slice(0, 3);
    case 'dd':
      return WEEKDAY_NAMES[l.weekday]!.slice(0, 2);
    case 'd':
      return String(l.weekday);
    case 'HH':
      return pad(l.hour, 2);
    case 'H':
      return String(l.hour);
    case 'hh':
      return pad(l.hour % 12 || 12, 2);
    case 'h':
      return String(l.hour % 12 || 12);
    case 'mm':
      return pad(l.minute, 2);
    case 'm':
      return String(l.minute);
    case 'ss':
      return pad(l.second, 2);
    case 's':
      return String(l.second);
    case 'SSS':
      return pad(l.millisecond, 3);
    case 'A':
      return l.hour < 12 ? 'AM' : 'PM';
    case 'a':
      return l.hour < 12 ? 'am' : 'pm';
    case 'ZZ':
      return formatOffset(offset, false);
    case 'Z':
      return formatOffset(offset, true);
    case 'X':
      return String(Math.floor(ms / 1000));
    case 'x':
      return String(ms);
  }
  return token.length > 2 && token.startsWith('[') && token.endsWith(']') ? token.slice(1, -1) : token;
}

export function formatDate(ms: number, format: string, zone: ZoneSpec): string {
  const l = toLocal(ms, zone);
  const offset = offsetMinutes(ms, zone);
  return tokenizeFormat(format)
    .map((token) => formatToken(token, ms, l, offset))
    .join('');
}

/** A DateTime-type field's display format (dateFormat [+ timeFormat]) as DATETIME_FORMAT tokens. */
export function fieldDisplayFormat(p: { dateFormat?: string; timeFormat?: string; includeTime?: boolean }): string {
  const date = p.dateFormat ?? 'YYYY/MM/DD';
  if (!p.includeTime) return date;
  return `${date} ${p.timeFormat === 'HH:mm' ? 'HH:mm' : 'hh:mm A'}`;
}

// ---------------------------------------------------------------------------------------------------------------
// Parsing with a format (DATETIME_PARSE(text, format)); the format must be a literal so both back ends compile it
// to the same regular expression.

export type ParseSlot =
  | 'year'
  | 'year2'
  | 'month'
  | 'monthName'
  | 'monthShort'
  | 'day'
  | 'hour'
  | 'hour12'
  | 'minute'
  | 'second'
  | 'millisecond'
  | 'meridiem'
  | 'offset'
  | 'unixSeconds'
  | 'unixMs'
  | 'ignore';

export interface ParseFormat {
  /** Anchored pattern valid in JavaScript and PostgreSQL. */
  pattern: string;
  slots: ParseSlot[];
}

const PARSE_TOKENS: Record<string, [string, ParseSlot]> = {
  YYYY: ['([0-9]{4})', 'year'],
  YY: ['([0-9]{2})', 'year2'],
  MMMM: [`(${MONTH_NAMES.join('|')})`, 'monthName'],
  MMM: [`(${MONTH_NAMES.map((m) => m.slice(0, 3)).join('|')})`, 'monthShort'],
  MM: ['([0-9]{2})', 'month'],
  M: ['([0-9]{1,2})', 'month'],
  DD: ['([0-9]{2})', 'day'],
  D: ['([0-9]{1,2})', 'day'],
  dddd: ['([A-Za-z]+)', 'ignore'],
  ddd: ['([A-Za-z]+)', 'ignore'],
  dd: ['([A-Za-z]+)', 'ignore'],
  d: ['([0-6])', 'ignore'],
  HH: ['([0-9]{2})', 'hour'],
  H: ['([0-9]{1,2})', 'hour'],
  hh: ['([0-9]{2})', 'hour12'],
  h: ['([0-9]{1,2})', 'hour12'],
  mm: ['([0-9]{2})', 'minute'],
  m: ['([0-9]{1,2})', 'minute'],
  ss: ['([0-9]{2})', 'second'],
  s: ['([0-9]{1,2})', 'second'],
  SSS: ['([0-9]{3})', 'millisecond'],
  A: ['(AM|PM|am|pm)', 'meridiem'],
  a: ['(AM|PM|am|pm)', 'meridiem'],
  ZZ: ['(Z|[-+][0-9]{2}:?[0-9]{2})', 'offset'],
  Z: ['(Z|[-+][0-9]{2}:?[0-9]{2})', 'offset'],
  X: ['(-?[0-9]{1,12})', 'unixSeconds'],
  x: ['(-?[0-9]{1,15})', 'unixMs'],
};

const literalPattern = (text: string) =>
  [...text].map((c) => (/[A-Za-z0-9]/.test(c) || c.charCodeAt(0) > 127 ? c : /\s/.test(c) ? c : `\\${c}`)).join('');

export function compileParseFormat(format: string): ParseFormat {
  const slots: ParseSlot[] = [];
  let pattern = '^';
  for (const token of tokenizeFormat(format)) {
    const known = PARSE_TOKENS[token];
    if (known) {
      pattern += known[0];
      slots.push(known[1]);
    } else if (token.length > 2 && token.startsWith('[') && token.endsWith(']'))
      pattern += literalPattern(token.slice(1, -1));
    else pattern += literalPattern(token);
  }
  return { pattern: `${pattern}$`, slots };
}

/** Builds the instant from the captured groups (missing parts default from `now` in the zone, as dayjs does). */
export function partsFromGroups(
  slots: readonly ParseSlot[],
  groups: readonly (string | undefined)[],
  now: LocalDate,
): DateParts | { ms: number } {
  let year: number | undefined;
  let month: number | undefined;
  let day: number | undefined;
  let hour = 0;
  let hour12: number | undefined;
  let meridiem: string | undefined;
  let minute = 0;
  let second = 0;
  let millisecond = 0;
  let offset: number | undefined;
  for (let i = 0; i < slots.length; i++) {
    const g = groups[i] ?? '';
    switch (slots[i]!) {
      case 'year':
        year = Number(g);
        break;
      case 'year2':
        year = Number(g) + (Number(g) > 68 ? 1900 : 2000);
        break;
      case 'month':
        month = Number(g);
        break;
      case 'monthName':
        month = MONTH_NAMES.indexOf(g) + 1;
        break;
      case 'monthShort':
        month = MONTH_NAMES.findIndex((m) => m.startsWith(g)) + 1;
        break;
      case 'day':
        day = Number(g);
        break;
      case 'hour':
        hour = Number(g);
        break;
      case 'hour12':
        hour12 = Number(g);
        break;
      case 'minute':
        minute = Number(g);
        break;
      case 'second':
        second = Number(g);
        break;
      case 'millisecond':
        millisecond = Number(g);
        break;
      case 'meridiem':
        meridiem = g.toUpperCase();
        break;
      case 'offset':
        offset = offsetText(g);
        break;
      case 'unixSeconds':
        return { ms: Number(g) * 1000 };
      case 'unixMs':
        return { ms: Number(g) };
      case 'ignore':
        break;
    }
  }
  if (hour12 !== undefined) {
    if (hour12 < 1 || hour12 > 12) hour = 99;
    else hour = (hour12 % 12) + (meridiem === 'PM' ? 12 : 0);
  } else if (meridiem === 'PM' && hour < 12) hour += 12;
  const y = year ?? now.year;
  const mo = month ?? (year === undefined ? now.month : 1);
  const d = day ?? (year === undefined && month === undefined ? now.day : 1);
  return { year: y, month: mo, day: d, hour, minute, second, millisecond, ...(offset !== undefined ? { offset } : {}) };
}

export function parseWithFormat(text: string, format: ParseFormat, zone: ZoneSpec, nowMs: number): number {
  const m = new RegExp(format.pattern).exec(trimJs(text));
  if (!m) throw new FormulaRuntimeError('Invalid date');
  const parts = partsFromGroups(format.slots, m.slice(1), toLocal(nowMs, zone));
  if ('ms' in parts) return checkRange(parts.ms);
  return partsToMs(parts, zone);
}
