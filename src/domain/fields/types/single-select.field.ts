import { CellError, defineFieldType } from '../field-type.js';
import { moveSelectCell, optionById } from '../shared/select-options.js';
import {
  keepSelectOptions,
  parseSelectProperty,
  selectOptionsToApi,
  type SelectProperty,
} from '../shared/select-property.js';
import { optionIds, optionNames } from '../shared/convert-cell.js';

export const singleSelectField = defineFieldType<SelectProperty<string>>({
  type: 'SingleSelect',
  cellKind: 'select',
  multiple: false,
  writable: true,
  primaryCapable: false,
  moveCell: moveSelectCell,
  property: {
    parse: (input, ctx) => parseSelectProperty(input, ctx, 'single'),
    toApi: (p) => selectOptionsToApi(p),
  },
  // Options are matched by exact name; an unknown name creates an option; ids are not accepted (§8.3).
  write: (value, _field, ctx) => {
    if (value === null || value === '') return { value: null };
    if (typeof value !== 'string') throw new CellError(`field:${ctx.key} Single Select field value must be string`);
    return { value: ctx.selectOption(value).id };
  },
  defaultValue: (field) => {
    const name = field.property.defaultValue;
    return name ? (field.property.options.find((o) => o.name === name)?.id ?? null) : null;
  },
  // The cell's text (a multi-select's first option) names the option, created when missing.
  convert: {
    from: (cell, _field, ctx) => optionIds(optionNames(cell, false).slice(0, 1), ctx)[0] ?? null,
    defaultProperty: keepSelectOptions,
  },
  read: {
    json: (stored, field) => optionById(field.property.options, stored)?.name,
    string: (stored, field) => optionById(field.property.options, stored)?.name ?? null,
  },
});
