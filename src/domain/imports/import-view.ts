import type { JobRow } from './import-runner.js';

export interface ImportJobView {
  id: string;
  datasheetId: string;
  templateId: string | null;
  status: 'queued' | 'running' | 'done' | 'failed';
  fileName: string;
  fileType: 'csv' | 'xlsx';
  fileSize: number;
  rowsRead: number;
  rowsWritten: number;
  rowsRejected: number;
  error: string | null;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
}

export interface ImportErrorView {
  rowNumber: number;
  column: string | null;
  value: string | null;
  reason: string;
}

export const toView = (row: JobRow): ImportJobView => ({
  id: row.id,
  datasheetId: row.datasheetId,
  templateId: row.templateId,
  status: row.status as ImportJobView['status'],
  fileName: row.fileName,
  fileType: row.fileType as ImportJobView['fileType'],
  fileSize: Number(row.fileSize),
  rowsRead: row.rowsRead,
  rowsWritten: row.rowsWritten,
  rowsRejected: row.rowsRejected,
  error: row.error,
  createdAt: row.createdAt,
  startedAt: row.startedAt,
  finishedAt: row.finishedAt,
});
