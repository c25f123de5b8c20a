import { invalidArgument } from '../errors.js';
import { MAX_DESCRIPTION_LENGTH, MAX_NAME_LENGTH } from '../limits.js';
import { checkStorableName } from '../text.js';
import { isFieldType, PropertyError, type FieldType, type PropertyContext } from './field-type.js';
import { FIELD_TYPES, resolveTypeName } from './registry.js';

/**
 * Validation of field input shared by create-datasheet (labels like `field.name`, `fields[Name].type`) and
 * create/update-field (labels `name`, `type`), with the reference's messages (aitable-fusion-api.md §2.11, §2.12).
 */
export interface FieldInput {
  name: unknown;
  type: unknown;
  property?: unknown;
  description?: unknown;
}

export function validateFieldName(name: unknown, label: string, taken: Iterable<string>): string {
  if (typeof name !== 'string' || name.trim() === '')
    throw invalidArgument(`Invalid value for ${label}`, { parameter: label });
  const trimmed = name.trim();
  if (trimmed.length > MAX_NAME_LENGTH) {
    throw invalidArgument(`$${label}'s length must not be greater than $${MAX_NAME_LENGTH}`, { parameter: label });
  }
  checkStorableName(trimmed, label);
  for (const other of taken) {
    if (other === trimmed) throw invalidArgument(`${label} must be unique`, { parameter: label });
  }
  return trimmed;
}

export function validateFieldType(type: unknown, label: string): FieldType {
  const resolved = resolveTypeName(type);
  if (!isFieldType(resolved)) throw invalidArgument(`Invalid value for ${label}`, { parameter: label });
  return resolved;
}

export function parseFieldProperty(type: FieldType, input: unknown, ctx: PropertyContext, label = 'property'): unknown {
  try {
    return FIELD_TYPES[type].property.parse(input, ctx);
  } catch (error) {
    if (error instanceof PropertyError) throw invalidArgument(error.message, { parameter: label });
    throw error;
  }
}

export function validateDescription(description: unknown, label = 'description'): string | null {
  if (description === undefined || description === null) return null;
  if (typeof description !== 'string') throw invalidArgument(`Invalid value for ${label}`, { parameter: label });
  if (description.length > MAX_DESCRIPTION_LENGTH) {
    throw invalidArgument(`$${label}'s length must not be greater than $${MAX_DESCRIPTION_LENGTH}`, {
      parameter: label,
    });
  }
  return checkStorableName(description, label);
}
