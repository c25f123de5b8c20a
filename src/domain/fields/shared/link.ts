import { z } from 'zod';
import { CellError, type CellWrite, type PropertyContext, type ReadContext } from '../field-type.js';
import { booleanLike, parseWith, patterned, requireObject } from './property.js';

/** OneWayLink / TwoWayLink property (§8.2); `brotherFieldId` (two-way only) is set by the datasheet service. */
export interface LinkProperty {
  foreignDatasheetId: string;
  brotherFieldId?: string;
  limitToViewId?: string;
  limitSingleRecord?: boolean;
}

const schema = z.object({
  foreignDatasheetId: patterned(/^dst.+/, 'datasheetId'),
  limitToViewId: patterned(/^viw.+/, 'viewId').optional(),
  limitSingleRecord: booleanLike.optional(),
});

export function parseLinkProperty(input: unknown, ctx: PropertyContext, twoWay: boolean): LinkProperty {
  const p = parseWith(schema, requireObject(input));
  const brotherFieldId = twoWay ? (ctx.existing as LinkProperty | undefined)?.brotherFieldId : undefined;
  return {
    foreignDatasheetId: p.foreignDatasheetId,
    ...(brotherFieldId !== undefined ? { brotherFieldId } : {}),
    ...(p.limitToViewId !== undefined ? { limitToViewId: p.limitToViewId } : {}),
    ...(p.limitSingleRecord !== undefined ? { limitSingleRecord: p.limitSingleRecord } : {}),
  };
}

export const linkPropertyToApi = (p: LinkProperty) => ({
  foreignDatasheetId: p.foreignDatasheetId,
  ...(p.brotherFieldId !== undefined ? { brotherFieldId: p.brotherFieldId } : {}),
  ...(p.limitToViewId !== undefined ? { limitToViewId: p.limitToViewId } : {}),
  ...(p.limitSingleRecord !== undefined ? { limitSingleRecord: p.limitSingleRecord } : {}),
});

/**
 * Record ids of the foreign datasheet, de-duplicated; `[]` is refused (clear with null). Whether the ids exist is
 * checked by the record service through `refs` (`The linked field specifies a record (…) that does not exist`).
 */
export function writeLinks(value: unknown, p: LinkProperty, key: string): CellWrite {
  if (value === null) return { value: null };
  if (!Array.isArray(value) || value.some((id) => typeof id !== 'string')) {
    throw new CellError(`field:${key} Link field value must be array`);
  }
  if (!value.length) throw new CellError(`field:${key} recordId value can't be empty array or null`);
  if (p.limitSingleRecord && value.length > 1)
    throw new CellError(`field:${key} The Link field was set to receive one recordId only`);
  const ids = [...new Set(value as string[])];
  return { value: ids, refs: { kind: 'records', datasheetId: p.foreignDatasheetId, ids } };
}

const linkIds = (stored: unknown): string[] | undefined => (Array.isArray(stored) ? (stored as string[]) : undefined);

export const readLinksJson = (stored: unknown) => linkIds(stored)?.slice();

/** The linked records' primary values, `Unnamed record` for blank ones. */
export const readLinksString = (stored: unknown, ctx: ReadContext) =>
  linkIds(stored)
    ?.map((id) => ctx.linkedTitle(id) || 'Unnamed record')
    .join(', ') || null;
