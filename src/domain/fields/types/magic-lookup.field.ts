import { z } from 'zod';
import { defineFieldType, PropertyError } from '../field-type.js';
import {
  cellKindOfValueType,
  computedFormatSchema,
  computedFormatToApi,
  computedJson,
  computedString,
  type ComputedFormat,
  type ValueType,
} from '../shared/computed.js';
import { booleanLike, parseWith, patterned, requireObject } from '../shared/property.js';
import { rejectWrite } from '../shared/read-only.js';
import { FILTER_OPERATORS } from '../../views/view.schema.js';

const ROLLUP_FUNCTIONS = [
  'VALUES',
  'AVERAGE',
  'COUNT',
  'COUNTA',
  'COUNTALL',
  'SUM',
  'MIN',
  'MAX',
  'AND',
  'OR',
  'XOR',
  'CONCATENATE',
  'ARRAYJOIN',
  'ARRAYUNIQUE',
  'ARRAYCOMPACT',
] as const;

type RollupFunction = (typeof ROLLUP_FUNCTIONS)[number];

const fieldId = patterned(/^fld.+/, 'fieldId');

const schema = z.object({
  relatedLinkFieldId: fieldId,
  targetFieldId: fieldId,
  rollupFunction: z.enum(ROLLUP_FUNCTIONS).optional(),
  format: computedFormatSchema.optional(),
  enableFilterSort: booleanLike.optional(),
  filterInfo: z
    .object({
      conjunction: z.enum(['and', 'or']),
      conditions: z.array(z.object({ fieldId, operator: z.enum(FILTER_OPERATORS), value: z.unknown().optional() })),
    })
    .optional(),
  sortInfo: z.object({ rules: z.array(z.object({ fieldId: z.string(), desc: booleanLike })).length(1) }).optional(),
  lookUpLimit: z.enum(['ALL', 'FIRST']).optional(),
});

export type MagicLookUpProperty = Omit<z.infer<typeof schema>, 'rollupFunction' | 'format'> & {
  rollupFunction: RollupFunction;
  formatting?: ComputedFormat;
};

/** Result type by roll-up, until the lookup engine knows the target field (MIN/MAX of dates are DateTime there). */
export function valueTypeOf(fn: RollupFunction): ValueType {
  if (fn === 'VALUES' || fn === 'ARRAYUNIQUE' || fn === 'ARRAYCOMPACT') return 'Array';
  if (fn === 'ARRAYJOIN' || fn === 'CONCATENATE') return 'String';
  if (fn === 'AND' || fn === 'OR' || fn === 'XOR') return 'Boolean';
  return 'Number';
}

const readOnlyMessage = "Lookup field can't be edited";

/**
 * Property per §8.2. The link field must be one of this datasheet's fields (the field service also checks that it is
 * a link and that the target exists in the linked datasheet); filter / sort fields are checked there too.
 */
export const magicLookUpField = defineFieldType<MagicLookUpProperty>({
  type: 'MagicLookUp',
  cellKind: 'array',
  multiple: true,
  writable: false,
  primaryCapable: false,
  computed: 'lookup',
  // Compared and sorted by the roll-up's result type (numbers, booleans), else as its text.
  sqlKind: (p) =>
    cellKindOfValueType(valueTypeOf((p as Partial<MagicLookUpProperty> | null)?.rollupFunction ?? 'VALUES')),
  readOnlyMessage,
  property: {
    parse: (input, ctx) => {
      const { format, rollupFunction, ...p } = parseWith(schema, requireObject(input));
      if (!ctx.fieldIds.includes(p.relatedLinkFieldId)) {
        throw new PropertyError(
          `The link field ID "${p.relatedLinkFieldId}" associated with the lookup field does not exist.`,
        );
      }
      return { ...p, rollupFunction: rollupFunction ?? 'VALUES', ...(format ? { formatting: format } : {}) };
    },
    toApi: (p) => {
      const valueType = valueTypeOf(p.rollupFunction);
      const format = computedFormatToApi(valueType, p.formatting);
      return {
        relatedLinkFieldId: p.relatedLinkFieldId,
        targetFieldId: p.targetFieldId,
        rollupFunction: p.rollupFunction,
        ...(p.enableFilterSort !== undefined ? { enableFilterSort: p.enableFilterSort } : {}),
        ...(p.sortInfo ? { sortInfo: p.sortInfo } : {}),
        ...(p.lookUpLimit ? { lookUpLimit: p.lookUpLimit } : {}),
        valueType,
        ...(p.filterInfo ? { filterInfo: p.filterInfo } : {}),
        ...(format ? { format } : {}),
      };
    },
  },
  write: rejectWrite(readOnlyMessage),
  read: {
    json: (stored) => computedJson(stored),
    string: (stored) => computedString(stored),
  },
});
