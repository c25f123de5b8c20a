import { z } from 'zod';
import { CellError, defineFieldType } from '../field-type.js';
import { emojiNative, emojiSlug } from '../shared/emoji.js';
import { parseWith, requireObject } from '../shared/property.js';
import { isTruthy } from '../shared/convert-cell.js';

export interface CheckboxProperty {
  /** Emoji slug (`white_check_mark`); GET shows the native character. */
  icon: string;
}

export const checkboxField = defineFieldType<CheckboxProperty>({
  type: 'Checkbox',
  cellKind: 'boolean',
  multiple: false,
  writable: true,
  primaryCapable: false,
  property: {
    parse: (input) => parseWith(z.object({ icon: emojiSlug }), requireObject(input)),
    toApi: (p) => ({ icon: emojiNative(p.icon) ?? p.icon }),
  },
  // Only `true` is stored; `false` clears the cell like null.
  write: (value, _field, ctx) => {
    if (value === null || value === false) return { value: null };
    if (value !== true) throw new CellError(`field:${ctx.key} Checkbox field value must be boolean`);
    return { value: true };
  },
  // Checked: a checked box, a non-zero number, or a truthy word (`true`, `yes`, `1`, `x`, `✓`…); else empty.
  convert: {
    from: (cell) => (isTruthy(cell) ? true : null),
    defaultProperty: () => ({ icon: 'white_check_mark' }),
  },
  read: {
    json: (stored) => (stored === true ? true : undefined),
    // Unchecked cells are present in cellFormat=string (§7.4).
    string: (stored) => (stored === true ? '1' : '0'),
  },
});
