import type { ImportErrorView, ImportJobView } from '../../src/domain/imports/import.service.js';
import type { ImportTemplate } from '../../src/domain/imports/template.service.js';

/** One column an import expects (seed 001's template columns). */
export interface ImportTemplateColumnRo {
  /** The target field's name. */
  field: string;
  /** The field's type, used when a datasheet is made from the template (default SingleText). */
  type?: string;
  required?: boolean;
  /** No two rows of one file may repeat a value of this column. */
  unique?: boolean;
  /** A regular expression (Unicode) each non-empty cell must match; nested quantifiers are refused. */
  regex?: string | null;
  allowedValues?: string[] | null;
  /** Numbers: bounds of the value; other types: bounds of the text's length. */
  min?: number | null;
  max?: number | null;
  /** YYYY-MM-DD, DD/MM/YYYY, MM/DD/YYYY, DD.MM.YYYY or YYYY/MM/DD (a time HH:mm may follow). */
  dateFormat?: string | null;
  /** Header names that map to this column without an explicit mapping. */
  headers?: string[];
  /** The field's property when a datasheet is made from the template (e.g. `{"precision": 0}` for a Number). */
  property?: Record<string, unknown> | null;
}

export interface ImportTemplateRo {
  name: string;
  description?: string | null;
  columns: ImportTemplateColumnRo[];
}

export interface ImportTemplatePatchRo {
  name?: string;
  description?: string | null;
  columns?: ImportTemplateColumnRo[];
}

export interface ImportTemplateVo {
  id: string;
  name: string;
  description: string | null;
  columns: Required<ImportTemplateColumnRo>[];
  /** Epoch milliseconds. */
  createdAt: number;
  updatedAt: number;
}

export interface ImportTemplateListVo {
  templates: ImportTemplateVo[];
  total: number;
  pageNum: number;
  pageSize: number;
}

/** An import started from an attachment token (JSON); a file upload sends these as multipart fields before `file`. */
export interface ImportRo {
  attachmentToken?: string;
  templateId?: string;
  /** Header name -> field name (an object, or its JSON text in a multipart field). */
  mapping?: Record<string, string>;
  /** Imports into a new datasheet only: its name (default: the template's). */
  datasheetName?: string;
}

export interface ImportJobVo {
  id: string;
  datasheetId: string;
  templateId: string | null;
  /** queued, running, done or failed. */
  status: string;
  fileName: string;
  fileType: string;
  fileSize: number;
  rowsRead: number;
  rowsWritten: number;
  rowsRejected: number;
  /** Why the import failed as a whole; null otherwise. */
  error: string | null;
  createdAt: number;
  startedAt: number | null;
  finishedAt: number | null;
}

export interface ImportErrorVo {
  /** The row's number in the file (the header is row 1). */
  rowNumber: number;
  column: string | null;
  value: string | null;
  reason: string;
}

export interface ImportErrorPageVo {
  errors: ImportErrorVo[];
  /** Pass as `cursor` for the next page; null at the end. */
  nextCursor: string | null;
}

export const templateVo = (t: ImportTemplate): ImportTemplateVo => ({
  id: t.id,
  name: t.name,
  description: t.description,
  columns: t.columns as Required<ImportTemplateColumnRo>[],
  createdAt: t.createdAt.getTime(),
  updatedAt: t.updatedAt.getTime(),
});

export const jobVo = (j: ImportJobView): ImportJobVo => ({
  ...j,
  createdAt: j.createdAt.getTime(),
  startedAt: j.startedAt?.getTime() ?? null,
  finishedAt: j.finishedAt?.getTime() ?? null,
});

export const errorVo = (e: ImportErrorView): ImportErrorVo => e;
