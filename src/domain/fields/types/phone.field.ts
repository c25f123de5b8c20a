import { defineFieldType } from '../field-type.js';
import { requireAbsent } from '../shared/property.js';
import { readString, writeString } from '../shared/text-cell.js';
import { textOf } from '../shared/convert-cell.js';

export const phoneField = defineFieldType<Record<string, never>>({
  type: 'Phone',
  cellKind: 'text',
  multiple: false,
  writable: true,
  primaryCapable: true,
  property: {
    parse: (input) => requireAbsent('Phone', input),
    toApi: () => undefined,
  },
  // No format check (§8.3).
  write: (value, _field, ctx) => writeString(value, `field:${ctx.key} Phone field value must be string`),
  // Text is kept as it reads, as writes keep any string (§8.3).
  convert: { from: (cell) => textOf(cell) },
  read: {
    json: (stored) => readString(stored),
    string: (stored) => readString(stored) ?? null,
  },
});
