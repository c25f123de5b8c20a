import { defineFieldType } from '../field-type.js';
import {
  linkPropertyToApi,
  parseLinkProperty,
  readLinksJson,
  readLinksString,
  writeLinks,
  type LinkProperty,
} from '../shared/link.js';

export const oneWayLinkField = defineFieldType<LinkProperty>({
  type: 'OneWayLink',
  cellKind: 'array',
  multiple: true,
  writable: true,
  primaryCapable: false,
  linkTarget: (p) => p.foreignDatasheetId,
  property: {
    parse: (input, ctx) => parseLinkProperty(input, ctx, false),
    toApi: (p) => linkPropertyToApi(p),
  },
  write: (value, field, ctx) => writeLinks(value, field.property, ctx.key),
  read: {
    json: (stored) => readLinksJson(stored),
    string: (stored, _field, ctx) => readLinksString(stored, ctx),
  },
});
