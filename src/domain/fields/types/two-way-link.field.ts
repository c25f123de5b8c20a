import { defineFieldType } from '../field-type.js';
import { linkPropertyToApi, parseLinkProperty, readLinksJson, readLinksString, writeLinks, type LinkProperty } from '../shared/link.js';

// Create also accepts the legacy type name `MagicLink` (§8.1); the sibling field is the datasheet service's job.
export const twoWayLinkField = defineFieldType<LinkProperty>({
  type: 'TwoWayLink',
  cellKind: 'array',
  multiple: true,
  writable: true,
  primaryCapable: false,
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
