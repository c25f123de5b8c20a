import { z } from 'zod';
import { invalidArgument } from '../errors.js';
import { isFieldType, type FieldType } from '../fields/field-type.js';
import { resolveTypeName } from '../fields/registry.js';
import { storableTextProblem } from '../text.js';

export const MAX_TEMPLATE_COLUMNS = 200;
export const MAX_ALLOWED_VALUES = 1_000;
export const MAX_SUGGESTED_HEADERS = 20;
export const MAX_REGEX_LENGTH = 500;
/** Date formats a column may declare; cells are read in that order of day, month and year (time optional). */
export const DATE_FORMATS = ['YYYY-MM-DD', 'DD/MM/YYYY', 'MM/DD/YYYY', 'DD.MM.YYYY', 'YYYY/MM/DD'] as const;
export type DateFormat = (typeof DATE_FORMATS)[number];

/** One column an import expects: the field it fills, that field's type (for new datasheets) and its rules. */
export interface TemplateColumn {
  /** The target field's name. */
  field: string;
  type: FieldType;
  required: boolean;
  unique: boolean;
  regex: string | null;
  allowedValues: string[] | null;
  /** Numbers: bounds of the value; other types: bounds of the text's length. */
  min: number | null;
  max: number | null;
  dateFormat: DateFormat | null;
  /** Header names that map to this column without an explicit mapping (besides the field's own name). */
  headers: string[];
  /** The field's property when a datasheet is made from the template (e.g. a Number's precision); null: defaults. */
  property: Record<string, unknown> | null;
}

export interface TemplateInput {
  name: string;
  description: string | null;
  columns: TemplateColumn[];
}

const text = (max: number) =>
  z
    .string()
    .trim()
    .min(1)
    .max(max)
    .refine((s) => storableTextProblem(s) === undefined, 'contains characters that cannot be stored');

/** A nested quantifier (`(a+)+`, `(\w*)*`) can take exponential time on a crafted cell: refused up front. */
const NESTED_QUANTIFIER = /\([^()]*[+*}][^()]*\)\s*[+*{]/;

const regex = z
  .string()
  .max(MAX_REGEX_LENGTH)
  .superRefine((source, ctx) => {
    if (NESTED_QUANTIFIER.test(source)) ctx.addIssue({ code: 'custom', message: 'must not nest quantifiers' });
    try {
      new RegExp(source, 'u');
    } catch {
      ctx.addIssue({ code: 'custom', message: 'is not a valid regular expression' });
    }
  });

const column = z
  .object({
    field: text(100),
    type: z
      .string()
      .default('SingleText')
      .transform((t) => resolveTypeName(t) as string)
      .refine(isFieldType, 'is not a field type'),
    required: z.boolean().default(false),
    unique: z.boolean().default(false),
    regex: regex.nullable().default(null),
    allowedValues: z.array(z.string().max(1_000)).max(MAX_ALLOWED_VALUES).nullable().default(null),
    min: z.number().finite().nullable().default(null),
    max: z.number().finite().nullable().default(null),
    dateFormat: z.enum(DATE_FORMATS).nullable().default(null),
    headers: z.array(text(255)).max(MAX_SUGGESTED_HEADERS).default([]),
    property: z.record(z.string(), z.unknown()).nullable().default(null),
  })
  .strict()
  .refine((c) => c.min === null || c.max === null || c.min <= c.max, {
    message: 'min must not exceed max',
    path: ['min'],
  });

const columns = z
  .array(column)
  .min(1)
  .max(MAX_TEMPLATE_COLUMNS)
  .superRefine((list, ctx) => {
    const seen = new Set<string>();
    list.forEach((c, i) => {
      const key = c.field.toLowerCase();
      if (seen.has(key)) ctx.addIssue({ code: 'custom', message: 'names a field twice', path: [i, 'field'] });
      seen.add(key);
    });
  });

const template = z
  .object({
    name: text(100),
    description: z.string().max(500).nullable().default(null),
    columns,
  })
  .strict();

/** The first problem of a zod parse as a 400 naming its path (`columns[2].regex`). */
function refuse(error: z.ZodError): never {
  const issue = error.issues[0]!;
  const parameter = issue.path.reduce<string>(
    (name, part) => (typeof part === 'number' ? `${name}[${part}]` : name ? `${name}.${String(part)}` : String(part)),
    '',
  );
  throw invalidArgument(`Invalid value for ${parameter || 'template'}: ${issue.message}`, {
    parameter: parameter || 'template',
  });
}

export function parseTemplate(input: unknown): TemplateInput {
  const parsed = template.safeParse(input);
  if (!parsed.success) refuse(parsed.error);
  return parsed.data as TemplateInput;
}

/** A partial update: only the keys given change (columns as a whole). */
export function parseTemplatePatch(input: unknown): Partial<TemplateInput> {
  const parsed = z
    .object({
      name: text(100).optional(),
      description: z.string().max(500).nullable().optional(),
      columns: columns.optional(),
    })
    .strict()
    .safeParse(input);
  if (!parsed.success) refuse(parsed.error);
  return parsed.data as Partial<TemplateInput>;
}

/** Columns as stored (already validated when written). */
export const storedColumns = (value: unknown): TemplateColumn[] =>
  (Array.isArray(value) ? value : []) as TemplateColumn[];
