import { defineFieldType } from '../field-type.js';
import { requireAbsent } from '../shared/property.js';
import { readString, writeString } from '../shared/text-cell.js';
import { textOf } from '../shared/convert-cell.js';

export const emailField = defineFieldType<Record<string, never>>({
  type: 'Email',
  cellKind: 'text',
  multiple: false,
  writable: true,
  primaryCapable: true,
  property: {
    parse: (input) => requireAbsent('Email', input),
    toApi: () => undefined,
  },
  // No format check (§8.3).
  write: (value, _field, ctx) => writeString(value, `field:${ctx.key} Email field value must be string`),
  // Text is kept as it reads, valid address or not: writes do not check the format either (§8.3).
  convert: { from: (cell) => textOf(cell) },
  read: {
    json: (stored) => readString(stored),
    string: (stored) => readString(stored) ?? null,
  },
});
