import { z } from 'zod';
import { defineFieldType } from '../field-type.js';
import { numberDefault, readNumber, writeNumber } from '../shared/number-cell.js';
import { formatNumber, isFiniteNumber } from '../shared/number-format.js';
import { numberLike, parseWith, requireObject } from '../shared/property.js';
import { parseNumberText, precisionOf, storesNumbers, textOf } from '../shared/convert-cell.js';

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
  // A number is kept (0.5 stays 50%), a checked box is 100%; text reads as a percentage: `50` and `50%` are both 0.5.
  convert: {
    keeps: storesNumbers,
    from: (cell) => {
      if (isFiniteNumber(cell.json)) return cell.json;
      if (cell.json === true) return 1;
      const text = textOf(cell);
      const parsed = text === null ? undefined : parseNumberText(text);
      return parsed ? (parsed.percent ? parsed.value : parsed.value / 100) : null;
    },
    defaultProperty: (from) => ({ precision: precisionOf(from.property, 10) ?? 0 }),
  },
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
