import { z } from 'zod';
import { defineFieldType } from '../field-type.js';
import { booleanLike, parseWith, requireObject } from '../shared/property.js';
import { readString, writeString } from '../shared/text-cell.js';

export interface CascaderProperty {
  showAll: boolean;
  linkedDatasheetId: string;
  linkedViewId: string;
  linkedFields: { id: string; name: string; type: number }[];
}

const schema = z.object({
  showAll: booleanLike.optional(),
  linkedDatasheetId: z.string().optional(),
  linkedViewId: z.string().optional(),
  linkedFields: z.array(z.object({ id: z.string(), name: z.string(), type: z.number() })).optional(),
});

/** Without `showAll` a cascader path `A/B/C` reads as its last segment. */
const display = (stored: unknown, p: CascaderProperty) => {
  const text = readString(stored);
  return text === undefined || p.showAll ? text : text.split('/').pop();
};

// Not meant for API creation (§8.2); the property is accepted with the reference's defaults so the UI can set it.
export const cascaderField = defineFieldType<CascaderProperty>({
  type: 'Cascader',
  cellKind: 'text',
  multiple: false,
  writable: true,
  primaryCapable: false,
  property: {
    parse: (input) => {
      const p = parseWith(schema, requireObject(input));
      return {
        showAll: p.showAll ?? false,
        linkedDatasheetId: p.linkedDatasheetId ?? '',
        linkedViewId: p.linkedViewId ?? '',
        linkedFields: p.linkedFields ?? [],
      };
    },
    toApi: (p) => ({
      showAll: p.showAll,
      linkedDatasheetId: p.linkedDatasheetId,
      linkedViewId: p.linkedViewId,
      linkedFields: p.linkedFields,
    }),
  },
  // The reference's string table says "Single Select" here too (§8.3).
  write: (value, _field, ctx) => writeString(value, `field:${ctx.key} Single Select field value must be string`),
  read: {
    json: (stored, field) => display(stored, field.property),
    string: (stored, field) => display(stored, field.property) ?? null,
  },
});
