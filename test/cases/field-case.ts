import type { CellRefs, FieldType } from '../../src/domain/fields/field-type.js';

/**
 * One field type's case table (aesthetics.md §8.8): successful and failing writes, reads of stored values, and
 * property inputs the create-field path accepts or refuses. Expected values may use vitest's asymmetric matchers
 * (generated ids). Rows run through test/unit/fields/contract.test.ts.
 */
export interface WriteCase {
  /** What a client sends. */
  value: unknown;
  /** What the module stores (a jsonb value). */
  stored: unknown;
  /** cellFormat=json of the stored value (undefined: key omitted). */
  json: unknown;
  /** cellFormat=string of the stored value (null: key omitted). */
  string: string | null;
  refs?: CellRefs;
  /** A property input used instead of the table's for this row. */
  property?: unknown;
  /** Default (server / reader) time zone; UTC unless given. */
  timeZone?: string;
}

export interface FailCase {
  value: unknown;
  /** The reference's exact text (§8.3). */
  message: string;
  property?: unknown;
}

export interface ReadCase {
  stored: unknown;
  json: unknown;
  string: string | null;
  property?: unknown;
  timeZone?: string;
  record?: Partial<{ createdAt: Date; updatedAt: Date; createdBy: string | null; updatedBy: string | null }>;
}

export interface AcceptedProperty {
  input: unknown;
  /** `property.toApi` of the parsed property (undefined: GET omits `property`). */
  api: unknown;
  /** The field's current property, when the row is an update. */
  existing?: unknown;
}

export interface RejectedProperty {
  input: unknown;
  message: string;
}

export interface DefaultCase {
  property: unknown;
  /** `defaultValue(field, NOW)`; undefined when the type has no defaults. */
  value: unknown;
}

export interface FieldCases {
  type: FieldType;
  /** A valid create property for the write / read rows. */
  property: unknown;
  accepted: AcceptedProperty[];
  rejected: RejectedProperty[];
  writes: WriteCase[];
  failures: FailCase[];
  reads: ReadCase[];
  defaults?: DefaultCase[];
}

export const defineCases = (cases: FieldCases): FieldCases => cases;

/** The key the client used for the field under test (fieldKey=id); messages quote it as `field:<key>`. */
export const KEY = 'fldCase00000001';
/** The field's name; URL messages use it whatever the key. */
export const NAME = 'Case field';
/** A link field of the same datasheet (lookup properties refer to it). */
export const LINK_FIELD = 'fldLink00000001';
export const ALICE = 'usrAlice000001';
export const BOB = 'usrBob00000001';
/** `defaultValue(field, NOW)` and the record timestamps of the fake read context. */
export const NOW = new Date('2024-03-10T09:30:00Z');
export const CREATED_AT = new Date('2021-01-01T00:00:00Z');
export const UPDATED_AT = new Date('2021-06-15T13:45:00Z');
export const fileUrl = (token: string) => `https://files.test/${token}`;
