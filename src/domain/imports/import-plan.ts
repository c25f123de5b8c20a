import type { DatasheetSchema } from '../datasheets/schema.js';
import { invalidArgument } from '../errors.js';
import type { FieldDef } from '../fields/field-type.js';
import { fieldTypeOf } from '../fields/registry.js';
import { type ColumnRules, columnRules } from './cell-text.js';
import { FileError } from './file-rows.js';
import type { TemplateColumn } from './template.schema.js';

/** Header name -> target field name, as a client sends it. */
export type HeaderMapping = Record<string, string>;

export const MAX_MAPPING_ENTRIES = 500;

/** One file column that is imported: where it is, the field it fills, and its template column and rules. */
export interface PlannedColumn {
  index: number;
  header: string;
  field: FieldDef;
  column: TemplateColumn | undefined;
  rules: ColumnRules | undefined;
}

/** A mapping as sent (an object of header -> field name), refused with a 400 naming `mapping` otherwise. */
export function parseMapping(value: unknown): HeaderMapping | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  let raw = value;
  if (typeof raw === 'string') {
    try {
      raw = JSON.parse(raw);
    } catch {
      throw invalidArgument('mapping must be a JSON object of header names to field names', { parameter: 'mapping' });
    }
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw invalidArgument('mapping must be an object of header names to field names', { parameter: 'mapping' });
  const entries = Object.entries(raw);
  if (entries.length > MAX_MAPPING_ENTRIES)
    throw invalidArgument(`mapping may name at most ${MAX_MAPPING_ENTRIES} headers`, { parameter: 'mapping' });
  for (const [header, field] of entries)
    if (typeof field !== 'string' || field === '')
      throw invalidArgument(`mapping.${header} must be a field name`, { parameter: `mapping.${header}` });
  return Object.fromEntries(entries) as HeaderMapping;
}

/** Checks a mapping against the datasheet before the import starts: each target is a writable field. */
export function checkMappingTargets(mapping: HeaderMapping | undefined, schema: DatasheetSchema): void {
  for (const [header, name] of Object.entries(mapping ?? {})) {
    const field = schema.fields.find((f) => f.name === name);
    if (!field)
      throw invalidArgument(`mapping.${header} names no field of the datasheet: ${name}`, {
        parameter: `mapping.${header}`,
      });
    if (!fieldTypeOf(field.type).writable)
      throw invalidArgument(`mapping.${header} names a field that cannot be written: ${name}`, {
        parameter: `mapping.${header}`,
      });
  }
}

const norm = (s: string) => s.trim().toLowerCase();

/**
 * Which file columns go to which fields: the explicit mapping, else each template column's field name or suggested
 * headers, else headers equal to a field's name (case and surrounding spaces ignored). A mapped header missing from
 * the file, or a required template column that no header fills, fails the file before any row is written.
 */
export function planColumns(
  header: readonly string[],
  schema: DatasheetSchema,
  template: readonly TemplateColumn[] | undefined,
  mapping: HeaderMapping | undefined,
): PlannedColumn[] {
  const byName = new Map(schema.fields.map((f) => [f.name, f]));
  const byNorm = new Map(schema.fields.map((f) => [norm(f.name), f]));
  const columnOf = (field: FieldDef) => template?.find((c) => norm(c.field) === norm(field.name));
  const targets = new Map<number, FieldDef>();
  if (mapping) {
    for (const [name, fieldName] of Object.entries(mapping)) {
      const index = header.indexOf(name);
      if (index < 0) throw new FileError(`The file has no column "${name}" (named in the mapping)`);
      const field = byName.get(fieldName);
      if (!field) throw new FileError(`The mapping names no field "${fieldName}"`);
      targets.set(index, field);
    }
  } else {
    header.forEach((name, index) => {
      const column = template?.find(
        (c) => norm(c.field) === norm(name) || c.headers.some((h) => norm(h) === norm(name)),
      );
      const field = byNorm.get(norm(column?.field ?? name));
      if (field && fieldTypeOf(field.type).writable) targets.set(index, field);
    });
  }
  const used = new Set<string>();
  const planned = [...targets].map(([index, field]) => {
    if (used.has(field.id)) throw new FileError(`Two columns of the file map to the field "${field.name}"`);
    used.add(field.id);
    const column = columnOf(field);
    return { index, header: header[index]!, field, column, rules: column && columnRules(column) };
  });
  for (const column of template ?? [])
    if (column.required && !planned.some((p) => norm(p.field.name) === norm(column.field)))
      throw new FileError(`No column of the file fills the required field "${column.field}"`);
  if (planned.length === 0) throw new FileError('No column of the file maps to a field of the datasheet');
  return planned;
}
