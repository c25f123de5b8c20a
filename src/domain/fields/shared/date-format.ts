import { DateTime } from 'luxon';
import { z } from 'zod';
import { booleanLike, parseWith } from './property.js';

/**
 * Date formats shared by DateTime, CreatedTime and LastModifiedTime (aitable-fusion-api.md §8.2):
 * the property stores format names; GET shows `format` = dateFormat + (' ' + timeFormat when includeTime);
 * cellFormat=string renders with luxon in the field's zone (or the reader's / server default).
 */
export const DATE_FORMATS = ['YYYY/MM/DD', 'YYYY-MM-DD', 'DD/MM/YYYY', 'YYYY-MM', 'MM-DD', 'YYYY', 'MM', 'DD'] as const;
export const TIME_FORMATS = ['HH:mm', 'hh:mm'] as const;

export type DateFormatName = (typeof DATE_FORMATS)[number];
export type TimeFormatName = (typeof TIME_FORMATS)[number];

export interface DateFormatProperty {
  dateFormat: DateFormatName;
  timeFormat: TimeFormatName;
  includeTime: boolean;
  /** Never set through the API (create discards it), kept when a stored property already has it. */
  timeZone?: string;
  includeTimeZone?: boolean;
}

/**
 * The reference validates against the enum's keys (`Object.keys` of a numeric TS enum: indexes first, then names),
 * so "0".."7" are accepted as well as names, and a Joi error lists both.
 */
const enumKeys = (names: readonly string[]) => [...names.map((_, i) => String(i)), ...names] as [string, ...string[]];

const byNameOrIndex =
  <T extends readonly string[]>(names: T) =>
  (value: string): T[number] =>
    /^\d+$/.test(value) ? names[Number(value)]! : (value as T[number]);

export const dateFormatSchema = z.enum(enumKeys(DATE_FORMATS)).transform(byNameOrIndex(DATE_FORMATS));
export const timeFormatSchema = z.enum(enumKeys(TIME_FORMATS)).transform(byNameOrIndex(TIME_FORMATS));

const formatSchema = z.object({
  dateFormat: dateFormatSchema,
  timeFormat: timeFormatSchema.optional(),
  includeTime: booleanLike.optional(),
});

/** `dateFormat` required; `timeFormat` defaults to `hh:mm`, `includeTime` to false; time zone keys are discarded. */
export function parseDateFormat(
  raw: Record<string, unknown>,
  existing?: Partial<DateFormatProperty>,
): DateFormatProperty {
  const parsed = parseWith(formatSchema, raw);
  return {
    dateFormat: parsed.dateFormat,
    timeFormat: parsed.timeFormat ?? 'hh:mm',
    includeTime: parsed.includeTime ?? false,
    ...(existing?.timeZone !== undefined ? { timeZone: existing.timeZone } : {}),
    ...(existing?.includeTimeZone !== undefined ? { includeTimeZone: existing.includeTimeZone } : {}),
  };
}

export const formatPattern = (p: Pick<DateFormatProperty, 'dateFormat' | 'timeFormat' | 'includeTime'>) =>
  p.dateFormat + (p.includeTime ? ` ${p.timeFormat}` : '');

/** GET `property` of the date types: `{format, includeTime, timeZone?, includeTimeZone?}`. */
export const dateFormatToApi = (p: DateFormatProperty) => ({
  format: formatPattern(p),
  includeTime: p.includeTime,
  ...(p.timeZone !== undefined ? { timeZone: p.timeZone } : {}),
  ...(p.includeTimeZone !== undefined ? { includeTimeZone: p.includeTimeZone } : {}),
});

const LUXON_TOKENS: Record<string, string> = { YYYY: 'yyyy', MM: 'LL', DD: 'dd', 'HH:mm': 'HH:mm', 'hh:mm': 'hh:mm a' };

/**
 * cellFormat=string of a timestamp: the field's zone, else `zone`; 12-hour time appends ` AM` / ` PM`;
 * `includeTimeZone` appends ` (<abbr>)`. Like the reference, a falsy timestamp (0) renders as nothing.
 */
export function formatTimestamp(ms: unknown, p: DateFormatProperty, zone: string): string | null {
  if (typeof ms !== 'number' || !Number.isFinite(ms) || ms === 0) return null;
  const date = DateTime.fromMillis(ms, { zone: p.timeZone || zone, locale: 'en-US' });
  if (!date.isValid) return 'Invalid Date';
  const pattern = formatPattern(p).replace(/YYYY|MM|DD|HH:mm|hh:mm/g, (token) => LUXON_TOKENS[token]!);
  const text = date.toFormat(pattern);
  return p.includeTimeZone ? `${text} (${date.offsetNameShort ?? ''})` : text;
}
