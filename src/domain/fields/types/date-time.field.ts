import { z } from 'zod';
import { CellError, defineFieldType } from '../field-type.js';
import { dateFormatToApi, formatTimestamp, parseDateFormat, type DateFormatProperty } from '../shared/date-format.js';
import { parseDateInput } from '../shared/date-input.js';
import { isFiniteNumber } from '../shared/number-format.js';
import { booleanLike, parseWith, requireObject } from '../shared/property.js';
import { textOf } from '../shared/convert-cell.js';

export interface DateTimeProperty extends DateFormatProperty {
  /** New records get the creation time. */
  autoFill: boolean;
}

export const dateTimeField = defineFieldType<DateTimeProperty>({
  type: 'DateTime',
  cellKind: 'datetime',
  multiple: false,
  writable: true,
  primaryCapable: true,
  property: {
    // `timeZone` / `includeTimeZone` are accepted but discarded, as the reference does; a stored zone is kept.
    parse: (input, ctx) => {
      const raw = requireObject(input);
      const { autoFill } = parseWith(z.object({ autoFill: booleanLike.optional() }), raw);
      return {
        ...parseDateFormat(raw, ctx.existing as Partial<DateFormatProperty> | undefined),
        autoFill: autoFill ?? false,
      };
    },
    toApi: (p) => ({ ...dateFormatToApi(p), ...(p.autoFill ? { autoFill: true } : {}) }),
  },
  // Epoch ms, date strings and the reference's zone quirks: shared/date-input.ts (§8.4).
  write: (value, field, ctx) => {
    if (value === null) return { value: null };
    const ms = parseDateInput(value, ctx.timeZone, field.property.timeZone);
    if (ms === undefined) throw new CellError(`field:${ctx.key} Date field value must be a UTC or timestamp`);
    return { value: ms };
  },
  defaultValue: (field, now) => (field.property.autoFill ? now.getTime() : null),
  // Numbers are epoch milliseconds (a date's own value); text is parsed as a write parses it, in the field's or the
  // server's time zone; unparseable text leaves the cell empty.
  convert: {
    from: (cell, field, ctx) => {
      if (isFiniteNumber(cell.json)) return cell.json;
      const text = textOf(cell);
      return text === null ? null : (parseDateInput(text, ctx.timeZone, field.property.timeZone) ?? null);
    },
    defaultProperty: () => ({ dateFormat: 'YYYY/MM/DD', includeTime: true }),
  },
  read: {
    json: (stored) => (isFiniteNumber(stored) ? stored : undefined),
    string: (stored, field, ctx) => formatTimestamp(stored, field.property, ctx.timeZone),
  },
});
