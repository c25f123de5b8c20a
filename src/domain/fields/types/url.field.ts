import { CellError, defineFieldType } from '../field-type.js';
import { requireAbsent } from '../shared/property.js';
import { textOf } from '../shared/convert-cell.js';

/** Stored cell: a string write keeps `{text}`, an object write `{text, title?, favicon?}`. */
export interface UrlCell {
  text: string;
  title?: string;
  favicon?: string;
}

/** The stored cell, also accepting a bare string (a cell kept from a Text field converted to URL). */
function urlCell(stored: unknown): UrlCell | undefined {
  if (typeof stored === 'string') return stored ? { text: stored } : undefined;
  return typeof stored === 'object' && stored !== null && typeof (stored as UrlCell).text === 'string'
    ? (stored as UrlCell)
    : undefined;
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export const urlField = defineFieldType<Record<string, never>>({
  type: 'URL',
  cellKind: 'text',
  sqlValueKey: 'text',
  multiple: false,
  writable: true,
  primaryCapable: true,
  property: {
    parse: (input) => requireAbsent('URL', input),
    toApi: () => undefined,
  },
  // Unlike the other types, both URL messages name the field by its name, whatever the fieldKey (§8.3).
  write: (value, field) => {
    if (value === null || value === '') return { value: null };
    if (typeof value === 'string') return { value: { text: value } };
    if (!isPlainObject(value)) throw new CellError(`field:${field.name} URL field value must be string`);
    if (!value['text']) throw new CellError(`${field.name} must contain text keys`);
    const { text, title, favicon } = value;
    return {
      value: {
        text: String(text),
        ...(typeof title === 'string' ? { title } : {}),
        ...(typeof favicon === 'string' ? { favicon } : {}),
      },
    };
  },
  // Text is kept as the link's text, as a string write stores it (no format check, as writes).
  convert: {
    from: (cell) => {
      const text = textOf(cell);
      return text === null ? null : { text };
    },
  },
  read: {
    json: (stored) => {
      const cell = urlCell(stored);
      return cell && (cell.text || cell.title)
        ? { title: cell.title || cell.text, text: cell.text, favicon: cell.favicon || '' }
        : undefined;
    },
    // An empty URL cell reads as "" in cellFormat=string (§7.4).
    string: (stored) => {
      const cell = urlCell(stored);
      return cell ? cell.text || cell.title || '' : '';
    },
  },
});
