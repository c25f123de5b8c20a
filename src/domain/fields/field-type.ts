/**
 * The contract every field type module fulfils (one module per AITable API type, collected in registry.ts).
 * Storage is uniform: a record's cells are one jsonb object keyed by field id; a module decides what it
 * stores there, how client values become stored values, and how stored values read back.
 */
export const FIELD_TYPE_NAMES = [
  'SingleText',
  'Text',
  'SingleSelect',
  'MultiSelect',
  'Number',
  'Currency',
  'Percent',
  'DateTime',
  'Attachment',
  'Member',
  'Checkbox',
  'Rating',
  'URL',
  'Phone',
  'Email',
  'OneWayLink',
  'TwoWayLink',
  'MagicLookUp',
  'Formula',
  'AutoNumber',
  'CreatedTime',
  'LastModifiedTime',
  'CreatedBy',
  'LastModifiedBy',
  'Cascader',
  'WorkDoc',
  'Button',
] as const;

export type FieldType = (typeof FIELD_TYPE_NAMES)[number];

export const isFieldType = (value: unknown): value is FieldType =>
  typeof value === 'string' && (FIELD_TYPE_NAMES as readonly string[]).includes(value);

/**
 * How a stored value compares and sorts in SQL (the query engine dispatches on this, not on the type):
 * text, number (also currency/percent/rating/auto-number), boolean, datetime (epoch ms), `select` (option
 * ids ranked by option order), `array` (jsonb array, compared through its display text).
 */
export type CellKind = 'text' | 'number' | 'boolean' | 'datetime' | 'select' | 'array' | 'json';

/** Where a computed value comes from when it is not stored in the cell. */
export type RecordColumn = 'createdAt' | 'updatedAt' | 'createdBy' | 'updatedBy';

export interface FieldDef<P = unknown> {
  id: string;
  name: string;
  type: FieldType;
  property: P;
  isPrimary: boolean;
}

/** A write the client got wrong: the message is the reference's text for that type (aitable-fusion-api.md §8.3). */
export class CellError extends Error {
  override name = 'CellError';
}

/** A `property` the client got wrong on field create/update (§8.2); the message is the reference's Joi-style text. */
export class PropertyError extends Error {
  override name = 'PropertyError';
}

export interface PropertyContext {
  /** The field's current property when updating, undefined when creating. */
  existing?: unknown;
  /** Ids of the fields of the same datasheet (link/lookup/formula properties refer to them). */
  fieldIds: readonly string[];
}

/** References a written value makes to other rows; the record service checks them in one query per batch. */
export type CellRefs =
  | { kind: 'records'; datasheetId: string; ids: string[] }
  | { kind: 'attachments'; tokens: string[] }
  | { kind: 'members'; ids: string[] };

export interface CellWrite {
  /** What to store; null clears the cell. */
  value: unknown;
  refs?: CellRefs;
}

export interface WriteContext {
  /** The key the client used for this field (its name or id), quoted in error messages as `field:<key>`. */
  key: string;
  /**
   * Select options are created on first use (as the reference does). Returns the option for a name,
   * creating it in this batch's copy of the field's property; the record service saves it with the batch.
   */
  selectOption(name: string): { id: string; name: string };
  /** Time zone for date strings without an offset (server default, §8.4). */
  timeZone: string;
}

/** A non-empty cell of a field whose type changes, as its old type reads it (what a conversion starts from). */
export interface SourceCell {
  /** The stored value. */
  stored: unknown;
  /** cellFormat=json (`undefined` when the old type reads it as empty). */
  json: unknown;
  /** cellFormat=string (null when empty). */
  text: string | null;
}

/** What a conversion offers the new type: select options by name (created, with the field's new property), zones. */
export interface ConvertContext {
  /** The option of a name in the converted field's property, created when missing. */
  selectOption(name: string): { id: string; name: string };
  /** Time zone for date strings without an offset (server default, §8.4). */
  timeZone: string;
}

export interface ReadContext {
  timeZone: string;
  record: { createdAt: Date; updatedAt: Date; createdBy: string | null; updatedBy: string | null };
  /** Users by id, for Member / CreatedBy / LastModifiedBy. */
  user(id: string): { id: string; name: string; avatar?: string } | undefined;
  /** Display text of a linked record (its primary field as a string). */
  linkedTitle(recordId: string): string | undefined;
  /** Public URL of an attachment token. */
  attachmentUrl(token: string): string;
}

// biome-ignore lint/suspicious/noExplicitAny: the registry holds modules of every property type; each module is typed by its own P
export interface FieldTypeModule<P = any> {
  type: FieldType;
  cellKind: CellKind;
  /** True when the cell holds a list (multi-select, links, attachments, members). */
  multiple: boolean;
  /** False for computed types: any written value, even null, is rejected with `readOnlyMessage`. */
  writable: boolean;
  /** May be the first (primary) field of a datasheet (§2.11). */
  primaryCapable: boolean;
  /** Computed from a record column instead of the cell (CreatedTime, LastModifiedBy, …). */
  source?: RecordColumn;
  /**
   * For cells stored as objects (or arrays of objects): the key holding the comparable value, e.g. a URL's
   * `text` or an attachment's `name`. The query engine compares and sorts on it.
   */
  sqlValueKey?: string;
  property: {
    /** Validates the `property` a client sends on create (or update), fills defaults; throws PropertyError. */
    parse(input: unknown, ctx: PropertyContext): P;
    /** The property as GET fields shows it; undefined omits the key. */
    toApi(property: P): Record<string, unknown> | undefined;
  };
  /** Validates and converts a client value into the stored value; throws CellError. Not called for read-only types. */
  write(value: unknown, field: FieldDef<P>, ctx: WriteContext): CellWrite;
  /** The message for writing to a read-only type. */
  readOnlyMessage?: string;
  /** Stored value for a new record that does not set this field (property defaults). */
  defaultValue?(field: FieldDef<P>, now: Date): unknown;
  /** Legacy type names a create also accepts for this type (`MagicLink` for TwoWayLink, §8.1). */
  aliases?: readonly string[];
  /**
   * A value computed by the statement that reads it instead of read from the stored cell: `formula` (the query
   * engine compiles the field's expression, src/db/query/formula-columns.ts) or `lookup` (the linked records' values,
   * rolled up). Such values are never stored, never indexed, and are filled in by the read pipeline.
   */
  computed?: 'formula' | 'lookup';
  /** How the value compares and sorts when that depends on the property (a formula's result type); default `cellKind`. */
  sqlKind?(property: P): CellKind;
  /** Each new record (created or moved in) takes the datasheet's next sequence number (AutoNumber). */
  numbered?: boolean;
  /** Links: the datasheet whose records the cells name (lookups follow it, reads load their titles, moves compare it). */
  linkTarget?(property: P): string;
  /**
   * The field of the linked datasheet kept symmetric with this one (a two-way link's sibling), or null; the record
   * service syncs its cells on every write, the field service creates it with this field and removes or detaches it.
   */
  sibling?(property: P, datasheetId: string): { datasheetId: string; fieldId: string } | null;
  /** Users a stored cell names (Member), loaded once per page for reading (CreatedBy and the like name theirs by `source`). */
  userIds?(stored: unknown): string[];
  /**
   * How a cell follows a record moved to another datasheet's field of the same type (select options by name). Options
   * created in the target field are recorded in `changed` (by field id) for the caller to save. Default: unchanged.
   */
  moveCell?(from: FieldDef<P>, to: FieldDef<P>, changed: Map<string, unknown>): (value: unknown) => unknown;
  /**
   * Type changes into this type (schema/field-conversion.ts): how a non-empty cell of another type becomes a stored
   * value of this one. Absent: a field cannot be converted into this type (refused naming `type` and the pair).
   */
  convert?: {
    /** The stored value (null leaves the cell empty) for a cell of the field's old type, read through that type. */
    from(cell: SourceCell, field: FieldDef<P>, ctx: ConvertContext): unknown;
    /** True when every stored cell of `from` is already what this type stores (numbers into numbers): none is read. */
    keeps?(from: FieldTypeModule): boolean;
    /** The property a field converted into this type gets when the request sends none (default: none, `parse(undefined)`). */
    defaultProperty?(from: FieldDef): unknown;
  };
  /**
   * False: cells of this type are not converted into another type (their value means more than their text:
   * attachments' files). Computed types, links and numbered types are never converted, whatever this says.
   */
  convertibleOut?: boolean;
  read: {
    /** cellFormat=json; undefined omits the key (empty cell). */
    json(stored: unknown, field: FieldDef<P>, ctx: ReadContext): unknown;
    /** cellFormat=string; null omits the key. */
    string(stored: unknown, field: FieldDef<P>, ctx: ReadContext): string | null;
  };
}

/** Helper so each module is checked against the contract while keeping its own property type. */
export function defineFieldType<P>(module: FieldTypeModule<P>): FieldTypeModule<P> {
  return module;
}

export const isEmptyCell = (value: unknown) =>
  value === null || value === undefined || value === '' || (Array.isArray(value) && value.length === 0);
