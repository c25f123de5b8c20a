import { invalidArgument } from '../errors.js';
import { CellError, type CellRefs, type FieldDef, type WriteContext } from '../fields/field-type.js';
import { fieldTypeOf } from '../fields/registry.js';
import { OptionList, type SelectOption } from '../fields/shared/select-options.js';
import {
  DEFAULT_MAX_TEXT_CELL_LENGTH,
  MAX_NEW_SELECT_OPTIONS_PER_WRITE,
  MAX_OPTION_NAME_LENGTH,
  MAX_SELECT_OPTIONS,
} from '../limits.js';
import { storableTextProblem } from '../text.js';

export type FieldKey = 'name' | 'id';

export interface CellRef {
  recordIndex: number;
  fieldId: string;
  refs: CellRefs;
}

export interface PreparedBatch {
  /** Per input record, the stored values to set, keyed by field id (null clears). */
  patches: Record<string, unknown>[];
  refs: CellRef[];
  /** Fields whose select options grew during validation; their property must be saved with the batch. */
  changedProperties: Map<string, unknown>;
}

/**
 * Validates and converts a whole batch of `{ <fieldKey>: value }` objects through the field type registry
 * before anything is written; the first bad value fails the batch with the reference's message.
 * Keys that match no field are ignored, as the reference does; a record none of whose keys match fails.
 */
export function prepareCells(
  fields: readonly FieldDef[],
  inputs: readonly unknown[],
  options: {
    fieldKey: FieldKey;
    timeZone: string;
    allowEmpty?: boolean;
    maxTextLength?: number | undefined;
    /** How errors name input `i` and its index (default `records[i]`, i): a batch of mixed operations names its own. */
    label?: (i: number) => { parameter: string; index: number };
  },
): PreparedBatch {
  const label = options.label ?? ((i: number) => ({ parameter: `records[${i}]`, index: i }));
  const byKey = new Map(fields.map((f) => [options.fieldKey === 'id' ? f.id : f.name, f]));
  const maxTextLength = options.maxTextLength ?? DEFAULT_MAX_TEXT_CELL_LENGTH;
  const workingOptions: WorkingOptions = { lists: new Map(), added: 0 };
  const changedProperties = new Map<string, unknown>();
  const refs: CellRef[] = [];
  // One write context per key, made on first use (not one closure per cell).
  const contexts = new Map<string, WriteContext>();
  const contextFor = (key: string, field: FieldDef): WriteContext => {
    let ctx = contexts.get(key);
    if (!ctx) {
      ctx = {
        key,
        timeZone: options.timeZone,
        selectOption: (name) => selectOption(field, key, name, workingOptions, changedProperties),
      };
      contexts.set(key, ctx);
    }
    return ctx;
  };
  const patches = inputs.map((input, recordIndex) => {
    const at = label(recordIndex);
    if (input === null || typeof input !== 'object' || Array.isArray(input)) {
      throw invalidArgument("fields value can't be null", { parameter: `${at.parameter}.fields` });
    }
    const patch: Record<string, unknown> = {};
    let matched = 0;
    for (const [key, value] of Object.entries(input)) {
      const field = byKey.get(key);
      if (!field) continue;
      matched++;
      const module = fieldTypeOf(field.type);
      const ctx = contextFor(key, field);
      try {
        if (!module.writable) throw new CellError(module.readOnlyMessage ?? `${field.type} field can't be edited`);
        checkCellStrings(value, key, maxTextLength);
        const written = module.write(value, field, ctx);
        patch[field.id] = written.value ?? null;
        if (written.refs) refs.push({ recordIndex, fieldId: field.id, refs: written.refs });
      } catch (error) {
        if (error instanceof CellError) {
          throw invalidArgument(error.message, {
            parameter: `${at.parameter}.fields.${key}`,
            recordIndex: at.index,
            field: key,
          });
        }
        throw error;
      }
    }
    if (matched === 0 && !options.allowEmpty) {
      throw invalidArgument('The format of the fields parameter value is wrong', {
        parameter: `${at.parameter}.fields`,
        recordIndex: at.index,
      });
    }
    return patch;
  });
  return { patches, refs, changedProperties };
}

interface WorkingOptions {
  /** Per field id, its options as this batch grows them. */
  lists: Map<string, OptionList>;
  /** Options the batch added so far, all fields together. */
  added: number;
}

function selectOption(
  field: FieldDef,
  key: string,
  name: string,
  working: WorkingOptions,
  changed: Map<string, unknown>,
): { id: string; name: string } {
  const property = field.property as { options?: SelectOption[] };
  let list = working.lists.get(field.id);
  if (!list) {
    list = new OptionList(property.options ?? []);
    working.lists.set(field.id, list);
  }
  const found = list.find(name);
  if (found) return found;
  // Limits before the option exists: the batch fails whole, so nothing is kept.
  if (name.length > MAX_OPTION_NAME_LENGTH)
    throw new CellError(`field:${key} option names can't be longer than ${MAX_OPTION_NAME_LENGTH} characters`);
  if (working.added >= MAX_NEW_SELECT_OPTIONS_PER_WRITE) {
    throw new CellError(
      `field:${key} can't get more than ${MAX_NEW_SELECT_OPTIONS_PER_WRITE} new options in one request`,
    );
  }
  if (list.options.length >= MAX_SELECT_OPTIONS)
    throw new CellError(`field:${key} can't have more than ${MAX_SELECT_OPTIONS} options`);
  working.added++;
  const option = list.add(name);
  changed.set(field.id, { ...property, options: list.options });
  return option;
}

/**
 * Every string a cell value carries, at any depth, before its type reads it: text PostgreSQL can store
 * (no NUL, no lone surrogate) and at most `maxLength` characters. Iterative, so deep nesting cannot overflow.
 */
function checkCellStrings(value: unknown, key: string, maxLength: number): void {
  const pending: unknown[] = [value];
  while (pending.length) {
    const item = pending.pop();
    if (typeof item === 'string') {
      if (item.length > maxLength)
        throw new CellError(`field:${key} text can't be longer than ${maxLength} characters`);
      const problem = storableTextProblem(item);
      if (problem) throw new CellError(`field:${key} ${problem}`);
    } else if (Array.isArray(item)) {
      for (const element of item) pending.push(element);
    } else if (item !== null && typeof item === 'object') {
      for (const [k, v] of Object.entries(item)) pending.push(k, v);
    }
  }
}
