import { z } from 'zod';
import { defineFieldType } from '../field-type.js';
import { numberDefault, readNumber, writeNumber } from '../shared/number-cell.js';
import { formatNumber } from '../shared/number-format.js';
import { numberLike, parseWith, requireObject } from '../shared/property.js';
import { numberOf, precisionOf, storesNumbers } from '../shared/convert-cell.js';

export interface CurrencyProperty {
  symbol: string;
  precision: number;
  symbolAlign: 'Default' | 'Left' | 'Right';
  defaultValue?: string;
}

const schema = z.object({
  symbol: z.string().optional(),
  precision: numberLike.pipe(z.number().int().min(0).max(10)).optional(),
  defaultValue: z.string().optional(),
  symbolAlign: z.enum(['Default', 'Left', 'Right']).optional(),
});

export const currencyField = defineFieldType<CurrencyProperty>({
  type: 'Currency',
  cellKind: 'number',
  multiple: false,
  writable: true,
  primaryCapable: true,
  property: {
    // `{}` is fine; the reference fills defaults with `||`, so an empty symbol becomes `$` and precision 0 becomes 2.
    parse: (input) => {
      const p = parseWith(schema, requireObject(input));
      return {
        symbol: p.symbol || '$',
        precision: p.precision || 2,
        symbolAlign: p.symbolAlign ?? 'Default',
        ...(p.defaultValue !== undefined ? { defaultValue: p.defaultValue } : {}),
      };
    },
    toApi: (p) => ({
      ...(p.defaultValue ? { defaultValue: p.defaultValue } : {}),
      precision: p.precision,
      symbol: p.symbol,
      symbolAlign: p.symbolAlign,
    }),
  },
  write: (value, _field, ctx) => writeNumber(value, `field:${ctx.key} Currency field value must be a number`),
  defaultValue: (field) => numberDefault(field.property.defaultValue),
  // As Number: numbers kept, text parsed, anything else empty.
  convert: {
    from: (cell) => numberOf(cell) ?? null,
    keeps: storesNumbers,
    defaultProperty: (from) => {
      const precision = precisionOf(from.property, 10);
      return precision !== undefined ? { precision } : {};
    },
  },
  read: {
    json: (stored) => readNumber(stored),
    // `$1,234.50`: thousands separators always, symbol on the left unless symbolAlign is Right.
    string: (stored, field) => {
      const n = readNumber(stored);
      return n === undefined ? null : formatNumber(n, { ...field.property, commaStyle: 'comma' });
    },
  },
});
