import { z } from 'zod';
import { CellError, defineFieldType } from '../field-type.js';
import { formatNumber, isFiniteNumber } from '../shared/number-format.js';
import { numberLike, parseWith, requireObject } from '../shared/property.js';

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
  write: (value, _field, ctx) => {
    if (value === null) return { value: null };
    if (!isFiniteNumber(value)) throw new CellError(`field:${ctx.key} Number field value must be a number`);
    return { value };
  },
  defaultValue: (field) => {
    const n = field.property.defaultValue === undefined || field.property.defaultValue === '' ? NaN : Number(field.property.defaultValue);
    return Number.isFinite(n) ? n : null;
  },
  read: {
    json: (stored) => (isFiniteNumber(stored) ? stored : undefined),
    string: (stored, field) =>
      isFiniteNumber(stored)
        ? formatNumber(stored, { ...field.property, symbolAlign: 'Right' })
        : null,
  },
});
