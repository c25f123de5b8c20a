// Request bodies of our extensions to the Fusion API (routes the reference does not have).

/** PATCH /fusion/v1/datasheets/{datasheetId}: at least one of the two. */
export interface DatasheetUpdateRo {
  /** The new name (1–100 characters). */
  name?: string;
  /** The datasheet's own row cap (1 to the space's cap); null returns to the space's or plan's. Admins only. */
  rowCap?: number | null;
}

/** POST …/records/move: records of the path's datasheet to another datasheet of the space. */
export interface RecordMoveRo {
  /** Up to 10 record ids of the path's datasheet. */
  recordIds: string[];
  /** The datasheet the records move to. */
  toDatasheetId: string;
}

/** POST …/records/batch: creates, updates and deletes, all or nothing (500 operations at most). */
export interface RecordBatchRo {
  creates?: { fields: { [key: string]: unknown } }[];
  updates?: { recordId: string; fields: { [key: string]: unknown }; expectedRevision?: number }[];
  deletes?: string[];
  fieldKey?: string;
}

/** PATCH …/fields/{fieldId}: any of name, description, property, type. */
export interface FieldUpdateRo {
  name?: string;
  description?: string | null;
  property?: { [key: string]: unknown };
  type?: string;
}
