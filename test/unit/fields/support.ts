import type { FieldDef, FieldType, ReadContext, WriteContext } from '../../../src/domain/fields/field-type.js';
import { fieldTypeOf } from '../../../src/domain/fields/registry.js';
import { newId } from '../../../src/domain/ids.js';
import { nextFreeColor, type SelectOption } from '../../../src/domain/fields/shared/select-options.js';
import {
  ALICE,
  BOB,
  CREATED_AT,
  fileUrl,
  KEY,
  LINK_FIELD,
  NAME,
  UPDATED_AT,
  type ReadCase,
} from '../../cases/field-case.js';

/** A field of `type` whose property went through the module's own create validation. */
export function makeField(type: FieldType, propertyInput: unknown, existing?: unknown): FieldDef {
  const property = fieldTypeOf(type).property.parse(propertyInput, {
    fieldIds: [LINK_FIELD, KEY],
    ...(existing ? { existing } : {}),
  });
  return { id: KEY, name: NAME, type, property, isPrimary: false };
}

/**
 * The record service's side of a write: `selectOption` finds an option by exact name or adds one to the field's
 * (batch copy of its) property, with the next free colour.
 */
export function writeContext(field: FieldDef, timeZone = 'UTC'): WriteContext {
  return {
    key: KEY,
    timeZone,
    selectOption(name) {
      const options = (field.property as { options: SelectOption[] }).options;
      const known = options.find((o) => o.name === name);
      if (known) return known;
      const option = { id: newId('option'), name, color: nextFreeColor(options) };
      options.push(option);
      return option;
    },
  };
}

export const USERS = new Map([
  [ALICE, { id: ALICE, name: 'Alice', avatar: 'https://avatars.test/alice.png' }],
  [BOB, { id: BOB, name: 'Bob' }],
]);

/** Primary-field text of linked records; `recBlank` has an empty primary cell. */
export const TITLES = new Map([
  ['recApple', 'Apple'],
  ['recPear', 'Pear'],
  ['recBlank', ''],
]);

export function readContext(timeZone = 'UTC', record: ReadCase['record'] = {}): ReadContext {
  return {
    timeZone,
    record: { createdAt: CREATED_AT, updatedAt: UPDATED_AT, createdBy: ALICE, updatedBy: BOB, ...record },
    user: (id) => USERS.get(id),
    linkedTitle: (id) => TITLES.get(id),
    attachmentUrl: fileUrl,
  };
}

/** Runs `fn` and returns the error it throws (failing the test when it does not throw). */
export function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a throw');
}
