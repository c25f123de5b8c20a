import { z } from 'zod';
import { numberLike } from './property.js';

/**
 * LastModifiedTime / LastModifiedBy `collectType`: 0 watches all fields, 1 only `fieldIdCollection` (§8.2).
 * Which edits count is the record service's business; the property only records the choice.
 */
export interface CollectProperty {
  collectType: 0 | 1;
  fieldIdCollection: string[];
}

export const collectSchema = z
  .object({
    collectType: numberLike.pipe(z.literal([0, 1])).optional(),
    fieldIdCollection: z.array(z.string()).optional(),
  })
  .transform(
    (p): CollectProperty => ({ collectType: p.collectType ?? 0, fieldIdCollection: p.fieldIdCollection ?? [] }),
  );
