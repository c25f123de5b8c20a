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
  const key = issue.path.length ? issue.path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i ? `.${String(p)}` : String(p))).join('') : 'value';
  throw new PropertyError(`"${key}" ${joiReason(issue)}`);
}

function joiReason(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      return issue.input === undefined ? 'is required' : `must be a ${issue.expected === 'number' ? 'number' : issue.expected}`;
    case 'too_small':
      return `must be greater than or equal to ${String(issue.minimum)}`;
    case 'too_big':
      return `must be less than or equal to ${String(issue.maximum)}`;
    case 'invalid_value':
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
