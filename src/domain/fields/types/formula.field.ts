import { z } from 'zod';
import { defineFieldType } from '../field-type.js';
import {
  cellKindOfValueType,
  computedFormatSchema,
  computedFormatToApi,
  computedJson,
  computedString,
  type ComputedFormat,
  type ValueType,
} from '../shared/computed.js';
import { formatTimestamp } from '../shared/date-format.js';
import { formatNumber } from '../shared/number-format.js';
import { parseWith, requireObject } from '../shared/property.js';
import { numberText } from '../../formula/values.js';
import { rejectWrite } from '../shared/read-only.js';

export interface FormulaProperty {
  /** Stored verbatim; references are `{fld…}` ids (name references are not translated, as in the reference). */
  expression: string;
  /** Result type and error flag, set by the formula engine when it parses the expression. */
  valueType: ValueType;
  hasError: boolean;
  formatting?: ComputedFormat;
}

const schema = z.object({ expression: z.string().optional(), format: computedFormatSchema.optional() });

/** cellFormat=string: numbers and dates in the field's `format` (plain when it has none), the rest as text. */
function formulaText(value: unknown, p: FormulaProperty, timeZone: string): string | null {
  const f = p.formatting;
  if (typeof value === 'number' && p.valueType === 'DateTime') {
    return formatTimestamp(
      value,
      {
        dateFormat: f?.dateFormat ?? 'YYYY/MM/DD',
        timeFormat: f?.timeFormat ?? 'HH:mm',
        includeTime: f?.includeTime ?? false,
      },
      timeZone,
    );
  }
  if (typeof value === 'number' && f && (f.precision !== undefined || f.symbol || f.commaStyle)) {
    return formatNumber(value, {
      precision: f.precision ?? 0,
      ...(f.symbol ? { symbol: f.symbol } : {}),
      ...(f.commaStyle ? { commaStyle: f.commaStyle } : {}),
    });
  }
  if (typeof value === 'number') return numberText(value);
  return computedString(value);
}

const readOnlyMessage = "Formula field can't be edited";

export const formulaField = defineFieldType<FormulaProperty>({
  type: 'Formula',
  cellKind: 'json',
  multiple: false,
  writable: false,
  primaryCapable: true,
  computed: 'formula',
  sqlKind: (p) => cellKindOfValueType((p as Partial<FormulaProperty> | null)?.valueType),
  readOnlyMessage,
  property: {
    parse: (input) => {
      const p = parseWith(schema, requireObject(input));
      return {
        expression: p.expression ?? '',
        valueType: 'String',
        hasError: false,
        ...(p.format ? { formatting: p.format } : {}),
      };
    },
    toApi: (p) => {
      const format = computedFormatToApi(p.valueType, p.formatting);
      return { expression: p.expression, valueType: p.valueType, hasError: p.hasError, ...(format ? { format } : {}) };
    },
  },
  write: rejectWrite(readOnlyMessage),
  // Cells hold the value the query engine computed for this read (formula values are never stored).
  read: {
    json: (stored) => computedJson(stored),
    string: (stored, field, ctx) => formulaText(stored, field.property, ctx.timeZone),
  },
});
