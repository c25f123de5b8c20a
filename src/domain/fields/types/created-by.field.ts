import { defineFieldType } from '../field-type.js';
import { requireAbsent } from '../shared/property.js';
import { rejectWrite } from '../shared/read-only.js';
import { userJson, userName } from '../shared/user-cell.js';

const readOnlyMessage = "Created By field can't be edited";

// The value is the record's creator, not a cell.
export const createdByField = defineFieldType<Record<string, never>>({
  type: 'CreatedBy',
  cellKind: 'text',
  multiple: false,
  writable: false,
  primaryCapable: false,
  source: 'createdBy',
  readOnlyMessage,
  property: {
    parse: (input) => requireAbsent('CreatedBy', input),
    // The reference lists the users appearing in the column; the field service may fill `options` from the records.
    toApi: () => ({ options: [] }),
  },
  write: rejectWrite(readOnlyMessage),
  read: {
    json: (_stored, _field, ctx) => userJson(ctx.record.createdBy, ctx),
    string: (_stored, _field, ctx) => userName(ctx.record.createdBy, ctx),
  },
});
