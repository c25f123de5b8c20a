import { describe, expect, it } from 'vitest';
import {
  CellError,
  PropertyError,
  type CellKind,
  type FieldType,
  type RecordColumn,
} from '../../../src/domain/fields/field-type.js';
import { FIELD_TYPES, fieldTypeOf } from '../../../src/domain/fields/registry.js';
import { KEY, LINK_FIELD, NOW } from '../../cases/field-case.js';
import { FIELD_CASES } from '../../cases/field-cases.js';
import { makeField, readContext, thrown, writeContext } from './support.js';

/** aitable-fusion-api.md §8.1: read-only and primary-capable per type (WorkDoc takes only null; Button no value). */
const REFERENCE: Record<FieldType, { writable: boolean; primaryCapable: boolean }> = {
  SingleText: { writable: true, primaryCapable: true },
  Text: { writable: true, primaryCapable: true },
  SingleSelect: { writable: true, primaryCapable: false },
  MultiSelect: { writable: true, primaryCapable: false },
  Number: { writable: true, primaryCapable: true },
  Currency: { writable: true, primaryCapable: true },
  Percent: { writable: true, primaryCapable: true },
  DateTime: { writable: true, primaryCapable: true },
  Attachment: { writable: true, primaryCapable: false },
  Member: { writable: true, primaryCapable: false },
  Checkbox: { writable: true, primaryCapable: false },
  Rating: { writable: true, primaryCapable: false },
  URL: { writable: true, primaryCapable: true },
  Phone: { writable: true, primaryCapable: true },
  Email: { writable: true, primaryCapable: true },
  TwoWayLink: { writable: true, primaryCapable: false },
  OneWayLink: { writable: true, primaryCapable: false },
  MagicLookUp: { writable: false, primaryCapable: false },
  Formula: { writable: false, primaryCapable: true },
  AutoNumber: { writable: false, primaryCapable: true },
  CreatedTime: { writable: false, primaryCapable: false },
  LastModifiedTime: { writable: false, primaryCapable: false },
  CreatedBy: { writable: false, primaryCapable: false },
  LastModifiedBy: { writable: false, primaryCapable: false },
  Cascader: { writable: true, primaryCapable: false },
  WorkDoc: { writable: true, primaryCapable: false },
  Button: { writable: false, primaryCapable: false },
};

/** How each type compares in SQL, whether it holds a list, and which record column computes it. */
const STORAGE: Record<FieldType, { cellKind: CellKind; multiple: boolean; source?: RecordColumn }> = {
  SingleText: { cellKind: 'text', multiple: false },
  Text: { cellKind: 'text', multiple: false },
  SingleSelect: { cellKind: 'select', multiple: false },
  MultiSelect: { cellKind: 'select', multiple: true },
  Number: { cellKind: 'number', multiple: false },
  Currency: { cellKind: 'number', multiple: false },
  Percent: { cellKind: 'number', multiple: false },
  DateTime: { cellKind: 'datetime', multiple: false },
  Attachment: { cellKind: 'array', multiple: true },
  Member: { cellKind: 'array', multiple: true },
  Checkbox: { cellKind: 'boolean', multiple: false },
  Rating: { cellKind: 'number', multiple: false },
  URL: { cellKind: 'text', multiple: false },
  Phone: { cellKind: 'text', multiple: false },
  Email: { cellKind: 'text', multiple: false },
  TwoWayLink: { cellKind: 'array', multiple: true },
  OneWayLink: { cellKind: 'array', multiple: true },
  MagicLookUp: { cellKind: 'array', multiple: true },
  Formula: { cellKind: 'json', multiple: false },
  AutoNumber: { cellKind: 'number', multiple: false },
  CreatedTime: { cellKind: 'datetime', multiple: false, source: 'createdAt' },
  LastModifiedTime: { cellKind: 'datetime', multiple: false, source: 'updatedAt' },
  CreatedBy: { cellKind: 'text', multiple: false, source: 'createdBy' },
  LastModifiedBy: { cellKind: 'text', multiple: false, source: 'updatedBy' },
  Cascader: { cellKind: 'text', multiple: false },
  WorkDoc: { cellKind: 'array', multiple: true },
  Button: { cellKind: 'json', multiple: false },
};

/** cellFormat=string of an empty cell: omitted, except an unchecked Checkbox ("0") and an empty URL ("") (§7.4). */
const EMPTY_STRING: Partial<Record<FieldType, string>> = { Checkbox: '0', URL: '' };

const FIELD_IDS = [LINK_FIELD, KEY];

const errorOf = (fn: () => unknown) => {
  const error = thrown(fn);
  return { kind: error.constructor, message: error.message };
};

describe.each(Object.keys(FIELD_TYPES) as FieldType[])('%s', (type) => {
  const module = fieldTypeOf(type);
  const cases = FIELD_CASES[type];

  it('keeps the reference flags and storage kind', () => {
    expect(module.type).toBe(type);
    expect(cases.type).toBe(type);
    expect({ writable: module.writable, primaryCapable: module.primaryCapable }).toEqual(REFERENCE[type]);
    expect({ cellKind: module.cellKind, multiple: module.multiple, source: module.source }).toEqual({
      source: undefined,
      ...STORAGE[type],
    });
  });

  it(module.writable ? 'stores null for null' : 'refuses every write, even null, with its message', () => {
    const field = makeField(type, cases.property);
    if (module.writable) {
      expect(module.write(null, field, writeContext(field))).toEqual({ value: null });
      expect(module.readOnlyMessage).toBeUndefined();
    } else {
      expect(module.readOnlyMessage).toMatch(/ field can't be edited$/);
      expect(errorOf(() => module.write(null, field, writeContext(field)))).toEqual({
        kind: CellError,
        message: module.readOnlyMessage,
      });
    }
  });

  it(module.source ? `reads the record's ${module.source}, not the cell` : 'reads an empty cell as absent', () => {
    const field = makeField(type, cases.property);
    const ctx = readContext();
    for (const stored of [undefined, null]) {
      if (module.source) {
        expect(module.read.json(stored, field, ctx)).toEqual(module.read.json('junk', field, ctx));
        expect(module.read.string(stored, field, ctx)).toBe(module.read.string('junk', field, ctx));
      } else {
        expect(module.read.json(stored, field, ctx)).toBeUndefined();
        expect(module.read.string(stored, field, ctx)).toBe(EMPTY_STRING[type] ?? null);
      }
    }
  });

  it.each(cases.accepted.map((row) => [JSON.stringify(row.input) ?? 'undefined', row] as const))(
    'accepts property %s',
    (_label, row) => {
      const property = module.property.parse(row.input, {
        fieldIds: FIELD_IDS,
        ...(row.existing ? { existing: row.existing } : {}),
      });
      expect(module.property.toApi(property)).toEqual(row.api);
      expect(JSON.parse(JSON.stringify(property ?? null))).toEqual(property ?? null);
    },
  );

  it.each(cases.rejected.map((row) => [JSON.stringify(row.input) ?? 'undefined', row] as const))(
    'refuses property %s',
    (_label, row) => {
      expect(errorOf(() => module.property.parse(row.input, { fieldIds: FIELD_IDS }))).toEqual({
        kind: PropertyError,
        message: row.message,
      });
    },
  );

  it.each(cases.writes.map((row) => [JSON.stringify(row.value), row] as const))(
    'successful write %s',
    (_label, row) => {
      const field = makeField(type, row.property ?? cases.property);
      const written = module.write(row.value, field, writeContext(field, row.timeZone));
      expect(written.value).toEqual(row.stored);
      expect(written.refs).toEqual(row.refs);
      expect(JSON.parse(JSON.stringify(written.value))).toEqual(written.value);
      const ctx = readContext(row.timeZone);
      expect(module.read.json(written.value, field, ctx)).toEqual(row.json);
      expect(module.read.string(written.value, field, ctx)).toBe(row.string);
    },
  );

  it.each(cases.failures.map((row) => [JSON.stringify(row.value) ?? String(row.value), row] as const))(
    'failing write %s',
    (_label, row) => {
      const field = makeField(type, row.property ?? cases.property);
      expect(errorOf(() => module.write(row.value, field, writeContext(field)))).toEqual({
        kind: CellError,
        message: row.message,
      });
    },
  );

  it.each(cases.reads.map((row) => [JSON.stringify(row.stored) ?? 'undefined', row] as const))(
    'reads stored %s',
    (_label, row) => {
      const field = makeField(type, row.property ?? cases.property);
      const ctx = readContext(row.timeZone, row.record);
      expect(module.read.json(row.stored, field, ctx)).toEqual(row.json);
      expect(module.read.string(row.stored, field, ctx)).toBe(row.string);
    },
  );

  it.each((cases.defaults ?? []).map((row) => [JSON.stringify(row.property), row] as const))(
    'default value for %s',
    (_label, row) => {
      const field = makeField(type, row.property);
      expect(module.defaultValue?.(field, NOW)).toEqual(row.value);
    },
  );
});
