import { z } from 'zod';
import type { CellKind } from '../field-type.js';
import { dateFormatSchema, timeFormatSchema, type DateFormatName, type TimeFormatName } from './date-format.js';
import { booleanLike, numberLike } from './property.js';

/**
 * What Formula and MagicLookUp share (aitable-fusion-api.md §8.2): the value type of the computed result, the
 * optional `format` a client sends (date or number formatting), and how GET shows it (`getApiMetaPropertyFormat`).
 * Formula values are computed by the query engine on every read, lookup values when a page is rendered
 * (src/domain/records/render-records.ts); neither is stored.
 */
export const VALUE_TYPES = ['String', 'Number', 'DateTime', 'Array', 'Boolean'] as const;
export type ValueType = (typeof VALUE_TYPES)[number];

export interface ComputedFormat {
  dateFormat?: DateFormatName;
  timeFormat?: TimeFormatName;
  includeTime?: boolean;
  precision?: number;
  symbol?: string;
  commaStyle?: string;
}

export const computedFormatSchema = z.object({
  dateFormat: dateFormatSchema.optional(),
  timeFormat: timeFormatSchema.optional(),
  includeTime: booleanLike.optional(),
  precision: numberLike.pipe(z.number().int().min(0).max(10)).optional(),
  symbol: z.string().optional(),
  commaStyle: z.string().optional(),
});

const KIND_OF: Partial<Record<ValueType, CellKind>> = { Number: 'number', DateTime: 'datetime', Boolean: 'boolean' };

/** How a computed value compares and sorts in SQL, by its result type (numbers, dates, booleans; the rest as text). */
export const cellKindOfValueType = (valueType: string | undefined): CellKind =>
  KIND_OF[valueType as ValueType] ?? 'text';

const defined = <T extends object>(o: T) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));

/** GET `format`: only for DateTime and Number results (the reference's odd unformatted DateTime default included). */
export function computedFormatToApi(valueType: ValueType, f: ComputedFormat | undefined) {
  if (valueType === 'DateTime') {
    if (!f)
      return { type: 'DateTime', format: { dateFormat: 'YYYY/MM/DD', timeFormat: 'YYYY/MM/DD', includeTime: false } };
    return {
      type: 'DateTime',
      format: defined({ dateFormat: f.dateFormat, timeFormat: f.timeFormat, includeTime: f.includeTime }),
    };
  }
  if (valueType === 'Number') {
    if (f?.symbol) return { type: 'Currency', format: { precision: f.precision || 2, symbol: f.symbol } };
    return { type: 'Number', format: { precision: f?.precision || 0 } };
  }
  return undefined;
}

/** cellFormat=json of a computed cell: whatever the engine stored. */
export const computedJson = (stored: unknown): unknown => (stored === null ? undefined : stored);

/** cellFormat=string of a computed cell: scalars as text, arrays joined by `, ` (engine formatting comes later). */
export function computedString(stored: unknown): string | null {
  if (stored === null || stored === undefined) return null;
  if (Array.isArray(stored))
    return (
      stored
        .flat(Infinity)
        .filter((v) => v !== null && v !== undefined)
        .map(scalarText)
        .join(', ') || null
    );
  return scalarText(stored) || null;
}

const scalarText = (value: unknown): string => (typeof value === 'object' ? JSON.stringify(value) : String(value));
