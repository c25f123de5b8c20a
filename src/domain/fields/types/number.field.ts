import { z } from 'zod';
import { defineFieldType } from '../field-type.js';
import { numberDefault, readNumber, writeNumber } from '../shared/number-cell.js';
import { formatNumber } from '../shared/number-format.js';
import { numberLike, parseWith, requireObject } from '../shared/property.js';
import { numberOf, precisionOf, storesNumbers } from '../shared/convert-cell.js';

export interface NumberProperty {
  precision: number;
  defaultValue?: string;
  commaStyle?: string;
  symbol?: string;
}

const schema = z.object({
  precision: numberLike.pipe(z.number().int().min(0).max(1000)),
  defaultValue: z.string().optional(),
  commaStyle: z.string().optional(),
  symbol: z.string().optional(),
});

export const numberField = defineFieldType<NumberProperty>({
  type: 'Number',
  cellKind: 'number',
  multiple: false,
  writable: true,
  primaryCapable: true,
  property: {
    parse: (input) => parseWith(schema, requireObject(input)),
    toApi: (p) => ({
      ...(p.defaultValue !== undefined ? { defaultValue: p.defaultValue } : {}),
      precision: p.precision,
      ...(p.commaStyle !== undefined ? { commaStyle: p.commaStyle } : {}),
      ...(p.symbol !== undefined ? { symbol: p.symbol } : {}),
    }),
  },
  write: (value, _field, ctx) => writeNumber(value, `field:${ctx.key} Number field value must be a number`),
  defaultValue: (field) => numberDefault(field.property.defaultValue),
  // Numbers kept, a checked box is 1, text parsed (`1,234.5`, `$12`, `50%` = 0.5); anything else empty.
  convert: {
    from: (cell) => numberOf(cell) ?? null,
    keeps: storesNumbers,
    defaultProperty: (from) => ({ precision: precisionOf(from.property, 1000) ?? 0 }),
  },
  read: {
    json: (stored) => readNumber(stored),
    string: (stored, field) => {
      const n = readNumber(stored);
      return n === undefined ? null : formatNumber(n, { ...field.property, symbolAlign: 'Right' });
    },
  },
});
