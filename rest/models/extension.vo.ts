import type { RecordVo } from './record.vo.js';

// Answers of our extensions to the Fusion API (routes the reference does not have); times are epoch milliseconds.

export interface DatasheetDetailVo {
  id: string;
  name: string;
  description: string | null;
  /** The folder holding it; null at the root. */
  parentId: string | null;
  recordCount: number;
  /** The row cap in force: the datasheet's own, else the space's, else the plan's. */
  rowCap: number;
  /** The datasheet's own row cap, null when inherited. */
  rowCapOverride: number | null;
  createdAt: number;
  updatedAt: number;
}

export interface RecordMoveVo {
  /** The moved records (their ids are kept). */
  recordIds: string[];
  /** Source fields whose cells moved, with the target field holding them. */
  mapped: { fieldId: string; fieldName: string; toFieldId: string }[];
  /** Source fields whose cells did not follow, and why. */
  dropped: { fieldId: string; fieldName: string; reason: string }[];
}

export interface RecordChangeVo {
  /** The change's id ("created" for creation entries). */
  changeId: string;
  kind: 'created' | 'updated' | 'deleted' | 'moved';
  /** Null for a move. */
  fieldId: string | null;
  oldValue: unknown;
  newValue: unknown;
  authorId: string | null;
  revision: number;
  at: number;
  fromDatasheetId?: string;
  toDatasheetId?: string;
}

export interface RecordHistoryVo {
  /** Newest first. */
  changes: RecordChangeVo[];
  /** Pass as `cursor` for the next (older) page; null on the last. */
  nextCursor: string | null;
}

/** POST …/records with fieldsToMergeOn: every record (in input order) and which were created or updated (as Airtable). */
export interface RecordUpsertVo {
  records: RecordVo[];
  createdRecords: string[];
  updatedRecords: string[];
}

export interface RecordBatchVo {
  created: RecordVo[];
  updated: RecordVo[];
  deleted: string[];
}

/** GET …/records with `cursor`: a keyset page. */
export interface RecordCursorPageVo {
  total: number;
  records: RecordVo[];
  /** Records in this page. */
  pageSize: number;
  /** Pass as `cursor` for the next page; null on the last. */
  nextCursor: string | null;
}
