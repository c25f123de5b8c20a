import { defineFieldType } from '../field-type.js';
import { requireAbsent } from '../shared/property.js';
import { readString, writeString } from '../shared/text-cell.js';

export const textField = defineFieldType<Record<string, never>>({
  type: 'Text',
  cellKind: 'text',
  multiple: false,
  writable: true,
  primaryCapable: true,
  property: {
    parse: (input) => requireAbsent('Text', input),
    toApi: () => undefined,
  },
  write: (value, _field, ctx) => writeString(value, `field:${ctx.key} Text field value must be string`),
  // Any stored type becomes its `cellFormat=string` text.
  convert: { from: (cell) => cell.text || null },
  read: {
    json: (stored) => readString(stored),
    string: (stored) => readString(stored) ?? null,
  },
});
