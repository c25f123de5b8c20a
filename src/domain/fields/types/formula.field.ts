import { z } from 'zod';
import { defineFieldType } from '../field-type.js';
import { computedFormatSchema, computedFormatToApi, computedJson, computedString, type ComputedFormat, type ValueType } from '../shared/computed.js';
import { parseWith, requireObject } from '../shared/property.js';
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

const readOnlyMessage = "Formula field can't be edited";

export const formulaField = defineFieldType<FormulaProperty>({
  type: 'Formula',
  cellKind: 'json',
  multiple: false,
  writable: false,
  primaryCapable: true,
  readOnlyMessage,
  property: {
    parse: (input) => {
      const p = parseWith(schema, requireObject(input));
      return { expression: p.expression ?? '', valueType: 'String', hasError: false, ...(p.format ? { formatting: p.format } : {}) };
    },
    toApi: (p) => {
      const format = computedFormatToApi(p.valueType, p.formatting);
      return { expression: p.expression, valueType: p.valueType, hasError: p.hasError, ...(format ? { format } : {}) };
    },
  },
  write: rejectWrite(readOnlyMessage),
  read: {
    json: (stored) => computedJson(stored),
    string: (stored) => computedString(stored),
  },
});
