import { newId } from '../../ids.js';
import { CellError, defineFieldType, type ReadContext } from '../field-type.js';
import { requireAbsent } from '../shared/property.js';

/** A stored item: `{id, token, name}` from the write, enriched by the record service from the asset table. */
export interface AttachmentItem {
  id: string;
  token: string;
  name: string;
  size?: number;
  mimeType?: string;
  width?: number;
  height?: number;
  preview?: string;
}

const items = (stored: unknown): AttachmentItem[] | undefined =>
  Array.isArray(stored) ? (stored as AttachmentItem[]) : undefined;

function itemJson(item: AttachmentItem, ctx: ReadContext) {
  const { id, name, size, mimeType, token, width, height, preview } = item;
  const json = { id, name, size, mimeType, token, width, height, preview, url: ctx.attachmentUrl(token) };
  return Object.fromEntries(Object.entries(json).filter(([, v]) => v !== undefined));
}

/** The reference's checks, in its order (§8.3); a null item fails as a missing token. */
function attachmentItem(value: unknown): { token: string; name: string } {
  const item = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  if (!item['token']) throw new CellError("Attachment token can't be null");
  if (!item['name']) throw new CellError("Attachment name can't be null");
  if (typeof item['token'] !== 'string') throw new CellError('Attachment token must be string');
  if (typeof item['name'] !== 'string') throw new CellError('Attachment name must be string');
  return { token: item['token'], name: item['name'] };
}

export const attachmentField = defineFieldType<Record<string, never>>({
  type: 'Attachment',
  cellKind: 'array',
  sqlValueKey: 'name',
  multiple: true,
  writable: true,
  primaryCapable: false,
  property: {
    parse: (input) => requireAbsent('Attachment', input),
    toApi: () => undefined,
  },
  // Extra keys are ignored; unknown tokens are refused by the record service through `refs`.
  write: (value) => {
    if (value === null) return { value: null };
    if (!Array.isArray(value)) throw new CellError('Attachment type must be array');
    const written = value.map(attachmentItem);
    const stored = written.map(({ token, name }) => ({ id: newId('attachment'), token, name }));
    return stored.length
      ? { value: stored, refs: { kind: 'attachments', tokens: written.map((i) => i.token) } }
      : { value: stored };
  },
  // The cells name files: converting them would drop what they hold (refused).
  convertibleOut: false,
  read: {
    json: (stored, _field, ctx) => items(stored)?.map((item) => itemJson(item, ctx)),
    string: (stored, _field, ctx) =>
      items(stored)
        ?.map((i) => `${i.name} (${ctx.attachmentUrl(i.token)})`)
        .join(', ') || null,
  },
});
