import type { FieldDef } from '../fields/field-type.js';
import { fieldTypeOf } from '../fields/registry.js';
import type { DateFormat, TemplateColumn } from './template.schema.js';

/** A cell the rules refuse: the reason names the rule. */
export class CellRuleError extends Error {
  override name = 'CellRuleError';
}

const NUMBER = /^[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$/;
const TRUE = new Set(['true', 'yes', 'y', '1', 'x', '✓', 'checked']);
const FALSE = new Set(['false', 'no', 'n', '0', '']);

/** A date written in `format` (optionally followed by ` HH:mm[:ss]`) as ISO text the DateTime field reads. */
function dateText(text: string, format: DateFormat): string {
  const [date = '', time] = text.split(/[ T]/, 2);
  const parts = date.split(/[-/.]/);
  const order = {
    'YYYY-MM-DD': 'ymd',
    'YYYY/MM/DD': 'ymd',
    'DD/MM/YYYY': 'dmy',
    'DD.MM.YYYY': 'dmy',
    'MM/DD/YYYY': 'mdy',
  }[format];
  const at = (c: string) => parts[order.indexOf(c)] ?? '';
  const [y, m, d] = [at('y'), at('m').padStart(2, '0'), at('d').padStart(2, '0')];
  const month = Number(m);
  const day = Number(d);
  if (parts.length !== 3 || !/^\d{4}$/.test(y) || !(month >= 1 && month <= 12) || !(day >= 1 && day <= 31))
    throw new CellRuleError(`is not a date in the format ${format}`);
  if (time !== undefined && !/^\d{1,2}:\d{2}(:\d{2})?$/.test(time))
    throw new CellRuleError(`is not a date in the format ${format} (time must be HH:mm)`);
  return time ? `${y}-${m}-${d}T${time.padStart(5, '0')}` : `${y}-${m}-${d}`;
}

/**
 * A file's text cell as the value a write of `field` takes, by the field's cell kind (numbers, booleans, lists split on
 * commas, dates in the column's format); the field's own validation (records/write-cells) then judges the value.
 * An empty cell clears (null).
 */
export function cellValue(text: string, field: FieldDef, column: TemplateColumn | undefined, isDate = false): unknown {
  const module = fieldTypeOf(field.type);
  const trimmed = text.trim();
  if (trimmed === '') return module.cellKind === 'boolean' ? false : null;
  switch (module.cellKind) {
    case 'number':
      if (!NUMBER.test(trimmed)) throw new CellRuleError('is not a number');
      return Number(trimmed);
    case 'boolean': {
      const lower = trimmed.toLowerCase();
      if (TRUE.has(lower)) return true;
      if (FALSE.has(lower)) return false;
      throw new CellRuleError('is not a yes/no value (true, false, yes, no, 1, 0)');
    }
    case 'datetime':
      return column?.dateFormat && !isDate ? dateText(trimmed, column.dateFormat) : trimmed;
    case 'select':
    case 'array':
      return module.multiple
        ? trimmed
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean)
        : trimmed;
    default:
      return text;
  }
}

/** Compiled rules of one template column, checked on the cell's text before its value is converted. */
export interface ColumnRules {
  check(text: string): void;
}

export function columnRules(column: TemplateColumn): ColumnRules {
  const pattern = column.regex === null ? null : new RegExp(column.regex, 'u');
  const allowed = column.allowedValues === null ? null : new Set(column.allowedValues);
  const numeric = fieldTypeOf(column.type).cellKind === 'number';
  return {
    check(text) {
      const value = text.trim();
      if (value === '') {
        if (column.required) throw new CellRuleError('is required');
        return;
      }
      if (pattern && !pattern.test(value)) throw new CellRuleError(`does not match the pattern ${column.regex}`);
      if (allowed && !allowed.has(value)) throw new CellRuleError('is not one of the allowed values');
      const measure = numeric ? Number(value) : value.length;
      if (Number.isNaN(measure)) throw new CellRuleError('is not a number');
      const what = numeric ? 'the value' : 'the length';
      if (column.min !== null && !(measure >= column.min)) throw new CellRuleError(`${what} is below ${column.min}`);
      if (column.max !== null && !(measure <= column.max)) throw new CellRuleError(`${what} is above ${column.max}`);
    },
  };
}
