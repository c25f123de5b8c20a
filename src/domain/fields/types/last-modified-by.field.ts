import { defineFieldType } from '../field-type.js';
import { collectSchema, type CollectProperty } from '../shared/collect.js';
import { parseWith, requireObject } from '../shared/property.js';
import { rejectWrite } from '../shared/read-only.js';
import { userJson, userName } from '../shared/user-cell.js';

const readOnlyMessage = "Last Edited By field can't be edited";

// The value is the record's last editor, not a cell.
export const lastModifiedByField = defineFieldType<CollectProperty>({
  type: 'LastModifiedBy',
  cellKind: 'text',
  multiple: false,
  writable: false,
  primaryCapable: false,
  source: 'updatedBy',
  readOnlyMessage,
  property: {
    parse: (input) => parseWith(collectSchema, requireObject(input)),
    // Same shape as CreatedBy: the users appearing in the column, filled by the field service if at all.
    toApi: () => ({ options: [] }),
  },
  write: rejectWrite(readOnlyMessage),
  read: {
    json: (_stored, _field, ctx) => userJson(ctx.record.updatedBy, ctx),
    string: (_stored, _field, ctx) => userName(ctx.record.updatedBy, ctx),
  },
});
