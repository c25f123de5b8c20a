import { defineFieldType } from '../field-type.js';
import { dateFormatToApi, formatTimestamp, parseDateFormat, type DateFormatProperty } from '../shared/date-format.js';
import { requireObject } from '../shared/property.js';
import { rejectWrite } from '../shared/read-only.js';

const readOnlyMessage = "Created Time field can't be edited";

// The value is the record's creation time, not a cell.
export const createdTimeField = defineFieldType<DateFormatProperty>({
  type: 'CreatedTime',
  cellKind: 'datetime',
  multiple: false,
  writable: false,
  primaryCapable: false,
  source: 'createdAt',
  readOnlyMessage,
  property: {
    parse: (input, ctx) =>
      parseDateFormat(requireObject(input), ctx.existing as Partial<DateFormatProperty> | undefined),
    toApi: (p) => dateFormatToApi(p),
  },
  write: rejectWrite(readOnlyMessage),
  read: {
    json: (_stored, _field, ctx) => ctx.record.createdAt.getTime(),
    string: (_stored, field, ctx) => formatTimestamp(ctx.record.createdAt.getTime(), field.property, ctx.timeZone),
  },
});
