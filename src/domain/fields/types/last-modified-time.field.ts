import { defineFieldType } from '../field-type.js';
import { collectSchema, type CollectProperty } from '../shared/collect.js';
import { dateFormatToApi, formatTimestamp, parseDateFormat, type DateFormatProperty } from '../shared/date-format.js';
import { parseWith, requireObject } from '../shared/property.js';
import { rejectWrite } from '../shared/read-only.js';

export interface LastModifiedTimeProperty extends DateFormatProperty, CollectProperty {}

const readOnlyMessage = "Last Edited Time field can't be edited";

// The value is the record's last update time, not a cell.
export const lastModifiedTimeField = defineFieldType<LastModifiedTimeProperty>({
  type: 'LastModifiedTime',
  cellKind: 'datetime',
  multiple: false,
  writable: false,
  primaryCapable: false,
  source: 'updatedAt',
  readOnlyMessage,
  property: {
    parse: (input, ctx) => {
      const raw = requireObject(input);
      const collect = parseWith(collectSchema, raw);
      return { ...parseDateFormat(raw, ctx.existing as Partial<DateFormatProperty> | undefined), ...collect };
    },
    toApi: (p) => dateFormatToApi(p),
  },
  write: rejectWrite(readOnlyMessage),
  read: {
    json: (_stored, _field, ctx) => ctx.record.updatedAt.getTime(),
    string: (_stored, field, ctx) => formatTimestamp(ctx.record.updatedAt.getTime(), field.property, ctx.timeZone),
  },
});
