import { CellError, defineFieldType } from '../field-type.js';
import { moveSelectCell, optionById, type SelectOption } from '../shared/select-options.js';
import {
  keepSelectOptions,
  parseSelectProperty,
  selectOptionsToApi,
  type SelectProperty,
} from '../shared/select-property.js';
import { optionIds, optionNames } from '../shared/convert-cell.js';

const namesOf = (stored: unknown, options: readonly SelectOption[]): string[] =>
  Array.isArray(stored) ? stored.flatMap((id) => optionById(options, id)?.name ?? []) : [];

export const multiSelectField = defineFieldType<SelectProperty<string[]>>({
  type: 'MultiSelect',
  cellKind: 'select',
  multiple: true,
  writable: true,
  primaryCapable: false,
  moveCell: moveSelectCell,
  property: {
    parse: (input, ctx) => parseSelectProperty(input, ctx, 'multi'),
    toApi: (p) => selectOptionsToApi(p),
  },
  // Names are matched exactly or create options (as SingleSelect); empty names are dropped, repeats kept once.
  write: (value, _field, ctx) => {
    if (value === null) return { value: null };
    if (!Array.isArray(value)) throw new CellError(`field:${ctx.key} Multiple Select field value must be array`);
    if (value.some((name) => typeof name !== 'string')) {
      throw new CellError(`field:${ctx.key} Multiple Select field value must be string`);
    }
    const ids = [
      ...new Set((value as string[]).filter((name) => name !== '').map((name) => ctx.selectOption(name).id)),
    ];
    return { value: ids.length ? ids : null };
  },
  defaultValue: (field) => {
    const ids = (field.property.defaultValue ?? []).flatMap(
      (name) => field.property.options.find((o) => o.name === name)?.id ?? [],
    );
    return ids.length ? ids : null;
  },
  // Options by name (a select's, or the text split on commas), created when missing.
  convert: {
    from: (cell, _field, ctx) => {
      const ids = optionIds(optionNames(cell, true), ctx);
      return ids.length ? ids : null;
    },
    defaultProperty: keepSelectOptions,
  },
  read: {
    json: (stored, field) => {
      const names = namesOf(stored, field.property.options);
      return names.length ? names : undefined;
    },
    string: (stored, field) => namesOf(stored, field.property.options).join(', ') || null,
  },
});
