import { invalidArgument } from '../errors.js';
import { CellError, type CellRefs, type FieldDef, type WriteContext } from '../fields/field-type.js';
import { FIELD_TYPES, fieldTypeOf } from '../fields/registry.js';
import { optionNamed, type SelectOption } from '../fields/shared/select-options.js';

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
  options: { fieldKey: FieldKey; timeZone: string; allowEmpty?: boolean },
): PreparedBatch {
  const byKey = new Map(fields.map((f) => [options.fieldKey === 'id' ? f.id : f.name, f]));
  const workingOptions = new Map<string, SelectOption[]>();
  const changedProperties = new Map<string, unknown>();
  const refs: CellRef[] = [];
  const patches = inputs.map((input, recordIndex) => {
    if (input === null || typeof input !== 'object' || Array.isArray(input)) {
      throw invalidArgument("fields value can't be null", { parameter: `records[${recordIndex}].fields` });
    }
    const patch: Record<string, unknown> = {};
    let matched = 0;
    for (const [key, value] of Object.entries(input)) {
      const field = byKey.get(key);
      if (!field) continue;
      matched++;
      const module = fieldTypeOf(field.type);
      const ctx: WriteContext = {
        key,
        timeZone: options.timeZone,
        selectOption: (name) => selectOption(field, name, workingOptions, changedProperties),
      };
      try {
        if (!module.writable) throw new CellError(module.readOnlyMessage ?? `${field.type} field can't be edited`);
        const written = module.write(value, field, ctx);
        patch[field.id] = written.value ?? null;
        if (written.refs) refs.push({ recordIndex, fieldId: field.id, refs: written.refs });
      } catch (error) {
        if (error instanceof CellError) {
          throw invalidArgument(error.message, { parameter: `records[${recordIndex}].fields.${key}`, recordIndex, field: key });
        }
        throw error;
      }
    }
    if (matched === 0 && !options.allowEmpty) {
      throw invalidArgument('The format of the fields parameter value is wrong', { parameter: `records[${recordIndex}].fields`, recordIndex });
    }
    return patch;
  });
  return { patches, refs, changedProperties };
}

function selectOption(
  field: FieldDef,
  name: string,
  working: Map<string, SelectOption[]>,
  changed: Map<string, unknown>,
): { id: string; name: string } {
  const property = field.property as { options?: SelectOption[] };
  let options = working.get(field.id);
  if (!options) {
    options = [...(property.options ?? [])];
    working.set(field.id, options);
  }
  const { option, created } = optionNamed(options, name);
  if (created) changed.set(field.id, { ...property, options });
  return option;
}
