import { z } from 'zod';

export const VIEW_TYPES = ['Grid', 'Gallery', 'Kanban', 'Gantt', 'Calendar', 'Architecture'] as const;

/** Filter operators a view condition may use (the query engine compiles them per cell kind). */
export const FILTER_OPERATORS = [
  'is',
  'isNot',
  'contains',
  'doesNotContain',
  'isEmpty',
  'isNotEmpty',
  'isGreater',
  'isGreaterEqual',
  'isLess',
  'isLessEqual',
  'isRepeat',
] as const;

export interface FilterCondition {
  fieldId: string;
  operator: (typeof FILTER_OPERATORS)[number];
  value?: unknown;
}

export interface FilterGroup {
  conjunction: 'and' | 'or';
  conditions: (FilterCondition | FilterGroup)[];
}

const condition = z.object({
  fieldId: z.string(),
  operator: z.enum(FILTER_OPERATORS),
  value: z.unknown().optional(),
});

export const filterGroupSchema: z.ZodType<FilterGroup> = z.lazy(() =>
  z.object({
    conjunction: z.enum(['and', 'or']),
    conditions: z.array(z.union([condition, filterGroupSchema])).max(100),
  }),
);

export const viewSortSchema = z.array(z.object({ fieldId: z.string(), desc: z.boolean().default(false) })).max(20);

export const isGroup = (c: FilterCondition | FilterGroup): c is FilterGroup => 'conjunction' in c;

export function conditionFieldIds(group: FilterGroup): string[] {
  return group.conditions.flatMap((c) => (isGroup(c) ? conditionFieldIds(c) : [c.fieldId]));
}
