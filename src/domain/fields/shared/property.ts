import { z } from 'zod';
import { PropertyError, type FieldType } from '../field-type.js';

/**
 * Property checks phrased as the reference's Joi messages (aitable-fusion-api.md §8.2):
 * `"value" must be of type object`, `"precision" is required`, `Text not support set property`, …
 */
export function requireObject(input: unknown): Record<string, unknown> {
  if (input === null || input === undefined || typeof input !== 'object' || Array.isArray(input)) {
    throw new PropertyError('"value" must be of type object');
  }
  return input as Record<string, unknown>;
}

/** Types whose property must be absent (Text, URL, Attachment, …): any non-null property is refused. */
export function requireAbsent(type: FieldType, input: unknown): Record<string, never> {
  if (input !== null && input !== undefined) throw new PropertyError(`${type} not support set property`);
  return {};
}

/** Parses with zod and turns the first issue into a Joi-style message naming the key. */
export function parseWith<T>(schema: z.ZodType<T>, input: unknown): T {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  // A custom issue with `params.bare` carries the reference's whole message (e.g. `icon is not Emoji slug`).
  if (issue.code === 'custom' && issue.params?.['bare']) throw new PropertyError(issue.message);
  const key = issue.path.length
    ? issue.path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i ? `.${String(p)}` : String(p))).join('')
    : 'value';
  throw new PropertyError(`"${key}" ${joiReason(issue, valueAt(input, issue.path))}`);
}

/** zod 4 leaves `issue.input` out unless asked, so the offending value is looked up in the input itself. */
function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let value = input;
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

const TYPE_PHRASE: Record<string, string> = { object: 'of type object', array: 'an array', number: 'a number' };

function joiReason(issue: z.core.$ZodIssue, value: unknown): string {
  switch (issue.code) {
    case 'invalid_type':
      return value === undefined ? 'is required' : `must be ${TYPE_PHRASE[issue.expected] ?? `a ${issue.expected}`}`;
    case 'too_small':
      if (issue.origin === 'array')
        return issue.exact
          ? `must contain ${String(issue.minimum)} items`
          : `must contain at least ${String(issue.minimum)} items`;
      return `must be greater than or equal to ${String(issue.minimum)}`;
    case 'too_big':
      if (issue.origin === 'array')
        return issue.exact
          ? `must contain ${String(issue.maximum)} items`
          : `must contain less than or equal to ${String(issue.maximum)} items`;
      return `must be less than or equal to ${String(issue.maximum)}`;
    case 'invalid_value':
      if (value === undefined) return 'is required';
      return `must be one of [${issue.values.map(String).join(', ')}]`;
    default:
      return issue.message;
  }
}

/** Joi converts numeric strings to numbers; so do we. */
export const numberLike = z.preprocess(
  (v) => (typeof v === 'string' && v.trim() !== '' && !Number.isNaN(Number(v)) ? Number(v) : v),
  z.number(),
);

/** Joi converts "true" / "false" (any case) to booleans; so do we. */
export const booleanLike = z.preprocess((v) => {
  if (typeof v !== 'string') return v;
  const lower = v.toLowerCase();
  return lower === 'true' ? true : lower === 'false' ? false : v;
}, z.boolean());

/** A string matching a Joi `pattern(regex, name)`: `"limitToViewId" with value "x" fails to match the viewId pattern`. */
export const patterned = (regex: RegExp, name: string) =>
  z.string().superRefine((value, ctx) => {
    if (!regex.test(value))
      ctx.addIssue({ code: 'custom', message: `with value "${value}" fails to match the ${name} pattern` });
  });
