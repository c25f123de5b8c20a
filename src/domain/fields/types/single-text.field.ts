import { z } from 'zod';
import { defineFieldType } from '../field-type.js';
import { parseWith, requireObject } from '../shared/property.js';
import { readString, writeString } from '../shared/text-cell.js';

export interface SingleTextProperty {
  defaultValue?: string;
}

export const singleTextField = defineFieldType<SingleTextProperty>({
  type: 'SingleText',
  cellKind: 'text',
  multiple: false,
  writable: true,
  primaryCapable: true,
  property: {
    parse: (input) => parseWith(z.object({ defaultValue: z.string().optional() }), requireObject(input)),
    toApi: (p) => (p.defaultValue !== undefined ? { defaultValue: p.defaultValue } : {}),
  },
  // The reference's string table really says "Single Select" here (§8.3).
  write: (value, _field, ctx) => writeString(value, `field:${ctx.key} Single Select field value must be string`),
  defaultValue: (field) => field.property.defaultValue || null,
  // Any stored type becomes its `cellFormat=string` text.
  convert: { from: (cell) => cell.text || null, defaultProperty: () => ({}) },
  read: {
    json: (stored) => readString(stored),
    string: (stored) => readString(stored) ?? null,
  },
});
