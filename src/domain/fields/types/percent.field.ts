import { z } from 'zod';
import { defineFieldType } from '../field-type.js';
import { numberDefault, readNumber, writeNumber } from '../shared/number-cell.js';
import { formatNumber } from '../shared/number-format.js';
import { numberLike, parseWith, requireObject } from '../shared/property.js';

export interface PercentProperty {
  precision: number;
  defaultValue?: string;
}

const schema = z.object({
  precision: numberLike.pipe(z.number().int().min(0).max(10)),
  defaultValue: z.string().optional(),
});

export const percentField = defineFieldType<PercentProperty>({
  type: 'Percent',
  cellKind: 'number',
  multiple: false,
  writable: true,
  primaryCapable: true,
  property: {
    parse: (input) => parseWith(schema, requireObject(input)),
    toApi: (p) => ({
      ...(p.defaultValue !== undefined ? { defaultValue: p.defaultValue } : {}),
      precision: p.precision,
    }),
  },
  // Stored as the fraction: 0.5 is 50%.
  write: (value, _field, ctx) => writeNumber(value, `field:${ctx.key} Percent field value must be a number`),
  defaultValue: (field) => numberDefault(field.property.defaultValue),
  read: {
    json: (stored) => readNumber(stored),
    string: (stored, field) => {
      const n = readNumber(stored);
      // toPrecision(15) drops the binary noise of ×100 (0.575 × 100 = 57.49999999999999).
      return n === undefined
        ? null
        : `${formatNumber(Number((n * 100).toPrecision(15)), { precision: field.property.precision })}%`;
    },
  },
});
