import { defineFieldType } from '../field-type.js';
import {
  linkPropertyToApi,
  parseLinkProperty,
  readLinksJson,
  readLinksString,
  writeLinks,
  type LinkProperty,
} from '../shared/link.js';

// Create also accepts the legacy type name `MagicLink` (§8.1). The sibling field is created and removed by the field
// service (src/domain/schema) and its cells kept symmetric by the record service, as `sibling` names it.
export const twoWayLinkField = defineFieldType<LinkProperty>({
  type: 'TwoWayLink',
  cellKind: 'array',
  multiple: true,
  writable: true,
  primaryCapable: false,
  aliases: ['MagicLink'],
  linkTarget: (p) => p.foreignDatasheetId,
  // A link into its own datasheet has no sibling (the field service creates none).
  sibling: (p, datasheetId) =>
    p.brotherFieldId && p.foreignDatasheetId !== datasheetId
      ? { datasheetId: p.foreignDatasheetId, fieldId: p.brotherFieldId }
      : null,
  property: {
    parse: (input, ctx) => parseLinkProperty(input, ctx, true),
    toApi: (p) => linkPropertyToApi(p),
  },
  write: (value, field, ctx) => writeLinks(value, field.property, ctx.key),
  read: {
    json: (stored) => readLinksJson(stored),
    string: (stored, _field, ctx) => readLinksString(stored, ctx),
  },
});
