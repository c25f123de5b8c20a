import { z } from 'zod';
import { CellError, defineFieldType } from '../field-type.js';
import { emojiNative, emojiSlug } from '../shared/emoji.js';
import { isFiniteNumber } from '../shared/number-format.js';
import { readNumber } from '../shared/number-cell.js';
import { numberLike, parseWith, requireObject } from '../shared/property.js';
import { numberOf } from '../shared/convert-cell.js';

export interface RatingProperty {
  /** Emoji slug (`star`); GET shows the native character. */
  icon: string;
  max: number;
}

const schema = z.object({ icon: emojiSlug, max: numberLike.pipe(z.number().int().min(0).max(10)) });

export const ratingField = defineFieldType<RatingProperty>({
  type: 'Rating',
  cellKind: 'number',
  multiple: false,
  writable: true,
  primaryCapable: false,
  property: {
    parse: (input) => parseWith(schema, requireObject(input)),
    toApi: (p) => ({ icon: emojiNative(p.icon) ?? p.icon, max: p.max }),
  },
  // The bound checked is `max`, but the reference's text is fixed at 5; non-integers are not rejected (§8.3, §9 #12).
  write: (value, field, ctx) => {
    if (value === null) return { value: null };
    if (!isFiniteNumber(value)) throw new CellError(`field:${ctx.key} Rating field value must be a number`);
    if (value > field.property.max)
      throw new CellError("Rating field value can't be greater than 5 (only supports 0, 1, 2, 3, 4, or 5)");
    if (value < 0)
      throw new CellError("Rating field value can't be smaller than 0 (only supports 0, 1, 2, 3, 4, or 5)");
    return { value };
  },
  // Numbers (and numeric text) rounded and clamped to 0…max; 0 and anything else leave the cell empty.
  convert: {
    from: (cell, field) => {
      const n = numberOf(cell);
      if (n === undefined) return null;
      const rating = Math.min(Math.max(Math.round(n), 0), field.property.max);
      return rating > 0 ? rating : null;
    },
    defaultProperty: () => ({ icon: 'star', max: 5 }),
  },
  read: {
    json: (stored) => readNumber(stored),
    string: (stored) => (isFiniteNumber(stored) ? String(stored) : null),
  },
});
